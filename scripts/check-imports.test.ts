// The import-graph check fails on what it is meant to refuse — an upward import between packages, an
// undeclared @msct dependency, a relative import out of a package, a Node built-in in core, a cycle
// (also through a type-only import) — on a small workspace built here with real files and
// node_modules links, and passes on the same workspace without them. Then: this repository is clean.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkImports, findCycles } from './check-imports.js';

let roots: string[] = [];
afterEach(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
  roots = [];
});

type Files = Record<string, string>;

/** A workspace with packages core and store (store declares core), plus the given source files. */
function workspace(files: Files, storeDeclaresCore = true): string {
  const root = mkdtempSync(join(tmpdir(), 'msct-imports-'));
  roots.push(root);
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const manifest = (name: string, dependencies: Record<string, string> = {}) =>
    JSON.stringify({ name, type: 'module', exports: { '.': './src/index.ts' }, dependencies });
  write('packages/core/package.json', manifest('@msct/core'));
  write(
    'packages/store/package.json',
    manifest('@msct/store', storeDeclaresCore ? { '@msct/core': '*' } : {}),
  );
  mkdirSync(join(root, 'node_modules/@msct'), { recursive: true });
  symlinkSync(join(root, 'packages/core'), join(root, 'node_modules/@msct/core'), 'dir');
  symlinkSync(join(root, 'packages/store'), join(root, 'node_modules/@msct/store'), 'dir');
  const base: Files = {
    'packages/core/src/index.ts': "export { score } from './score.js';\n",
    'packages/core/src/score.ts': 'export const score = (n: number) => n * 2;\n',
    'packages/store/src/index.ts': "import { score } from '@msct/core';\nexport const saved = score(1);\n",
  };
  for (const [path, text] of Object.entries({ ...base, ...files })) write(path, text);
  return root;
}

const rules = (root: string) => checkImports({ root }).map((v) => v.rule);

describe('checkImports', () => {
  it('passes a workspace whose imports follow the rules', () => {
    expect(checkImports({ root: workspace({}) })).toEqual([]);
  });

  it('fails an upward import: core importing store', () => {
    const root = workspace({
      'packages/core/src/up.ts': "import { saved } from '@msct/store';\nexport { saved };\n",
    });
    const violations = checkImports({ root });
    expect(violations.map((v) => v.rule)).toContain('direction');
    expect(violations.find((v) => v.rule === 'direction')).toMatchObject({
      file: 'packages/core/src/up.ts',
      message: expect.stringContaining('packages/core may not import packages/store'),
    });
  });

  it('fails an @msct import the package.json does not declare', () => {
    const violations = checkImports({ root: workspace({}, false) });
    expect(violations).toEqual([
      expect.objectContaining({ rule: 'undeclared', file: 'packages/store/src/index.ts' }),
    ]);
  });

  it('fails a relative import that leaves its package', () => {
    const root = workspace({
      'packages/store/src/escape.ts': "import { score } from '../../core/src/score.js';\nexport { score };\n",
    });
    expect(rules(root)).toEqual(['relative-escape']);
  });

  it('fails a package that has no place in the import order', () => {
    const root = workspace({});
    expect(checkImports({ root, allowed: { core: [] } })).toEqual([
      expect.objectContaining({ rule: 'direction', file: 'packages/store/package.json' }),
      expect.objectContaining({ rule: 'direction', file: 'packages/store/src/index.ts' }),
    ]);
  });

  it('fails a Node built-in in core', () => {
    const root = workspace({
      'packages/core/src/io.ts': "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n",
    });
    expect(rules(root)).toEqual(['node-builtin']);
  });

  it('fails an import cycle between files, also when one side imports only a type', () => {
    const root = workspace({
      'packages/core/src/a.ts':
        "import { b } from './b.js';\nexport type A = { n: number };\nexport const a = b;\n",
      'packages/core/src/b.ts': "import type { A } from './a.js';\nexport const b: A = { n: 1 };\n",
    });
    const violations = checkImports({ root });
    expect(violations).toEqual([
      {
        rule: 'cycle',
        file: 'packages/core/src/a.ts',
        message: 'import cycle: packages/core/src/a.ts → packages/core/src/b.ts → packages/core/src/a.ts',
      },
    ]);
  });

  it('fails a cycle through a dynamic import', () => {
    const root = workspace({
      'packages/store/src/a.ts': "export const a = () => import('./b.js');\n",
      'packages/store/src/b.ts': "import { a } from './a.js';\nexport const b = a;\n",
    });
    expect(rules(root)).toEqual(['cycle']);
  });

  it('finds this repository clean: no upward, undeclared or escaping import, no cycle', () => {
    const repo = fileURLToPath(new URL('..', import.meta.url));
    expect(checkImports({ root: repo })).toEqual([]);
  });
});

describe('findCycles', () => {
  it('reports one cycle per strongly connected component, and a file importing itself', () => {
    const graph = new Map<string, Set<string>>([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set()],
      ['e', new Set(['e'])],
      ['f', new Set(['d'])],
    ]);
    expect(findCycles(graph).sort()).toEqual([['a', 'b', 'c'], ['e']]);
  });

  it('finds none in a graph without cycles, diamonds included', () => {
    const graph = new Map<string, Set<string>>([
      ['a', new Set(['b', 'c'])],
      ['b', new Set(['d'])],
      ['c', new Set(['d'])],
      ['d', new Set()],
    ]);
    expect(findCycles(graph)).toEqual([]);
  });
});
