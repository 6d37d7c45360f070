// The web app's message catalogue (issue 22, "Languages"): every key the code uses exists in the
// English catalogue, no catalogue key is unused, every message parses, and a translation file in
// locales/ holds only English keys with the same parameters. Keys are used only as string literals
// in `t('…')` calls (a computed key would hide a use from this test, so it is refused too).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  formatMessage,
  messageParams,
  parseMessage,
  pseudoMessage,
} from '../packages/web/src/i18n/format.js';

const web = fileURLToPath(new URL('../packages/web/src/', import.meta.url));
const localesDir = join(web, 'i18n', 'locales');
const en = JSON.parse(readFileSync(join(localesDir, 'en.json'), 'utf8')) as Record<string, string>;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return /\.tsx?$/.test(d.name) && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every `t(` call of the web app: its literal key, or null when the key is not a literal. */
function keyUses(): { file: string; key: string | null }[] {
  const uses: { file: string; key: string | null }[] = [];
  for (const file of sources(web)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?<![\w.$])t\(\s*(?:'([^']*)'|"([^"]*)"|([^)\s]))/g)) {
      // `function t(key…` in the catalogue module is the definition, not a use.
      if (text.slice(Math.max(0, (m.index ?? 0) - 9), m.index).endsWith('function ')) continue;
      uses.push({ file: file.slice(web.length), key: m[1] ?? m[2] ?? null });
    }
  }
  return uses;
}

describe('the web message catalogue', () => {
  const uses = keyUses();

  it('is used: the web app calls t() with literal keys only', () => {
    expect(uses.length).toBeGreaterThan(50);
    expect(uses.filter((u) => u.key === null).map((u) => u.file)).toEqual([]);
  });

  it('has every key the code uses', () => {
    const missing = uses
      .filter((u) => u.key !== null && !Object.hasOwn(en, u.key))
      .map((u) => `${u.file}: ${u.key}`);
    expect(missing).toEqual([]);
  });

  it('has no key the code does not use', () => {
    const used = new Set(uses.map((u) => u.key));
    expect(Object.keys(en).filter((k) => !used.has(k))).toEqual([]);
  });

  it('every English message parses', () => {
    const broken = Object.entries(en).flatMap(([k, m]) => {
      try {
        parseMessage(m);
        return [];
      } catch (e) {
        return [`${k}: ${(e as Error).message}`];
      }
    });
    expect(broken).toEqual([]);
  });

  it('a translation has only English keys, with the same parameters', () => {
    for (const file of readdirSync(localesDir).filter((f) => f.endsWith('.json') && f !== 'en.json')) {
      const messages = JSON.parse(readFileSync(join(localesDir, file), 'utf8')) as Record<string, string>;
      for (const [k, m] of Object.entries(messages)) {
        expect(Object.hasOwn(en, k), `${file}: ${k} is not an English key`).toBe(true);
        expect(messageParams(m), `${file}: ${k}`).toEqual(messageParams(en[k]!));
      }
    }
  });
});

describe('the message format', () => {
  it('fills parameters', () => {
    expect(formatMessage('en', 'History of {name}', { name: 'Complement C3' })).toBe(
      'History of Complement C3',
    );
  });

  it('chooses plurals by the locale’s rules, exact cases first', () => {
    const m = '{count, plural, =0 {no forms} one {# form} other {# forms}}';
    expect([0, 1, 2, 21].map((count) => formatMessage('en', m, { count }))).toEqual([
      'no forms',
      '1 form',
      '2 forms',
      '21 forms',
    ]);
    // Chinese has one plural form: `other` serves every count.
    expect(formatMessage('zh', '{count, plural, other {# 个表单}}', { count: 1 })).toBe('1 个表单');
    // Polish has few/many: a rule table, not English's one/other.
    const pl = '{count, plural, one {# plik} few {# pliki} many {# plików} other {# pliku}}';
    expect([1, 3, 5, 22].map((count) => formatMessage('pl', pl, { count }))).toEqual([
      '1 plik',
      '3 pliki',
      '5 plików',
      '22 pliki',
    ]);
  });

  it('selects by a string parameter, with nested parameters', () => {
    const m = 'query {status, select, open {open} other {{status}}}';
    expect(formatMessage('en', m, { status: 'open' })).toBe('query open');
    expect(formatMessage('en', m, { status: 'odd' })).toBe('query odd');
  });

  it('refuses a message with unbalanced braces or a missing parameter, naming the message', () => {
    expect(() => parseMessage('History of {name')).toThrow(/History of \{name/);
    expect(() => parseMessage('a } b')).toThrow(/without its/);
    expect(() => formatMessage('en', 'History of {name}', {})).toThrow(/no value for \{name\}/);
  });

  it('the pseudo-locale wraps every message, its parameters still filled', () => {
    expect(formatMessage('x-pseudo', pseudoMessage('History of {name}'), { name: 'C3' })).toBe(
      '⟦History of C3⟧',
    );
  });
});
