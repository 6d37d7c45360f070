// The report is parsed by tools, not only browsers (issue #18 item 10): a strict check of the markup
// (every "<" in text escaped, every "&" an entity, attributes quoted, elements nested and closed) and
// libxml2's HTML parser (`xmllint --html`) reporting nothing but the HTML5/SVG element names it does
// not know.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeTrial } from '@msct/core/analysis';
import { exampleTrialDataset, TWO_ARM_DEMO_ARMS, twoArmDemoDataset } from '@msct/core/testing';
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from './html.js';

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
const RAW_TEXT = new Set(['style', 'script']);
const TAG =
  /<!--[\s\S]*?-->|<!doctype html>|<(\/?)([A-Za-z][A-Za-z0-9:-]*)((?:\s+[A-Za-z_:][-A-Za-z0-9_:.]*(?:="[^"<]*"|='[^'<]*')?)*)\s*(\/?)>/gi;
const ENTITY = /^&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);/;

/** Problems of `html` as strict markup, with their offset; empty when well formed. */
function strictMarkupProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let at = 0;
  const text = (from: number, to: number) => {
    const t = html.slice(from, to);
    for (let i = 0; i < t.length; i++) {
      if (t[i] === '<' || t[i] === '>')
        problems.push(`raw "${t[i]}" in text at ${from + i}: …${t.slice(Math.max(0, i - 20), i + 20)}…`);
      if (t[i] === '&' && !ENTITY.test(t.slice(i)))
        problems.push(`bare "&" at ${from + i}: …${t.slice(i, i + 20)}…`);
    }
  };
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
    text(at, m.index);
    at = m.index + m[0].length;
    const [, closing, rawName, , selfClosing] = m;
    if (!rawName) continue; // comment or doctype
    const name = rawName.toLowerCase();
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> at ${m.index} closes <${open ?? 'nothing'}>`);
    } else if (RAW_TEXT.has(name)) {
      const end = html.indexOf(`</${name}>`, at);
      if (end < 0) problems.push(`<${name}> at ${m.index} is never closed`);
      else at = end + name.length + 3;
      TAG.lastIndex = at;
    } else if (!VOID.has(name) && !selfClosing) {
      stack.push(name);
    }
  }
  text(at, html.length);
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}

describe('the report is valid markup', () => {
  it('the checker itself refuses what the issue found (raw "<0.001") and bad nesting', () => {
    expect(strictMarkupProblems('<p>p <0.001</p>')[0]).toMatch(/raw "<"/);
    expect(strictMarkupProblems('<p>a & b</p>')[0]).toMatch(/bare "&"/);
    expect(strictMarkupProblems('<p><b>x</p></b>')).not.toEqual([]);
    expect(strictMarkupProblems('<p>p &lt;0.001 &amp; <br> <svg><path d="M0"/></svg></p>')).toEqual([]);
  });

  for (const [name, results, mark] of [
    ['the rendered report (with p < 0.001 cells)', analyzeTrial(exampleTrialDataset()), '&lt;0.001'],
    [
      'the report of a randomised study (CONSORT SVG, tables and curves by arm)',
      analyzeTrial(twoArmDemoDataset(), { arms: TWO_ARM_DEMO_ARMS }),
      'id="consort"',
    ],
  ] as const)
    it(`${name} passes the strict check and xmllint --html`, async () => {
      const html = await renderReportHtml(results, {
        softwareVersion: '9.9.9-test',
        generatedAt: '2014-02-02T10:00:00.000Z',
      });
      expect(html).toContain(mark);
      expect(strictMarkupProblems(html)).toEqual([]);

      const dir = mkdtempSync(join(tmpdir(), 'msct-html-'));
      try {
        const file = join(dir, 'report.html');
        writeFileSync(file, html);
        let out = '';
        try {
          execFileSync('xmllint', ['--html', '--noout', file], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          });
        } catch (e) {
          out = String((e as { stderr?: string }).stderr ?? '');
        }
        const errors = out
          .split('\n')
          .filter((l) => l.includes('parser error'))
          .map((l) => l.replace(/^.*parser error : /, ''))
          // libxml2's HTML 4 parser does not know HTML5 elements (figure) or inline SVG: nothing else may appear.
          .filter(
            (msg) =>
              !/^Tag (svg|g|path|line|polyline|marker|text|rect|figure|title|defs|clipPath|circle|symbol|tspan) invalid$/.test(
                msg,
              ),
          );
        expect(errors).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
});
