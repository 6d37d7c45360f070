// The import-graph check (issue 19, items 4 and 5), run by `npm run lint` and so by `npm test` and CI.
// Over every .ts/.tsx file in packages/*/src it fails on:
//   - an import between packages against the allowed direction (core ← store ← exchange ← server ← cli,
//     core ← contract ← exchange/server/cli/web;
//     web → core and contract only), or of an @msct package the importer's package.json does not declare;
//   - a relative import that leaves its package (`../../store/src/…`): packages meet by name only;
//   - a Node built-in in core (pure, no I/O) or web (runs in the browser);
//   - any import cycle between files, type-only and dynamic imports included.
// Undeclared npm dependencies are Biome's `noUndeclaredDependencies` (biome.json).
// Imports are read with TypeScript's own scanner and resolved with its module resolution, so
// `@msct/core/crf` resolves through package.json `exports` exactly as the compiler does.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Which workspace packages each package may import (by directory name under packages/). A package
 * missing here fails the check until its place in the order is written down. `exchange` is the
 * place issue 19 gives the exchange services (core ← store ← exchange ← server ← cli).
 */
export const ALLOWED_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  core: [],
  // The HTTP API contract (issue 19 item 2): zod schemas per route, beside core; the web app
  // takes its types from it, the exchange services build the import report it declares.
  contract: ['core'],
  store: ['core'],
  exchange: ['core', 'store', 'contract'],
  server: ['core', 'store', 'exchange', 'contract'],
  cli: ['core', 'store', 'exchange', 'server', 'contract'],
  web: ['core', 'contract'],
};

/** Packages whose code may not use Node built-ins. */
export const NO_NODE_BUILTINS: readonly string[] = ['core', 'contract', 'web'];

export interface ImportViolation {
  rule: 'direction' | 'undeclared' | 'relative-escape' | 'node-builtin' | 'unresolved' | 'cycle';
  /** Repository-relative path of the importing file (for a cycle: the cycle's first file). */
  file: string;
  message: string;
}

export interface CheckOptions {
  root: string;
  allowed?: Readonly<Record<string, readonly string[]>>;
  noNodeBuiltins?: readonly string[];
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  jsx: ts.JsxEmit.ReactJSX,
};

const builtins = new Set(builtinModules);
const isBuiltin = (spec: string) => spec.startsWith('node:') || builtins.has(spec.split('/')[0]!);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...sourceFiles(path));
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

interface PackageInfo {
  dir: string;
  name: string;
  declared: Set<string>;
}

function readPackages(root: string): Map<string, PackageInfo> {
  const packages = new Map<string, PackageInfo>();
  for (const entry of readdirSync(join(root, 'packages'), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, 'packages', entry.name);
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    const declared = new Set<string>();
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const name of Object.keys((manifest[field] as Record<string, string> | undefined) ?? {})) {
        declared.add(name);
      }
    }
    packages.set(entry.name, { dir, name: String(manifest.name), declared });
  }
  return packages;
}

/** The package directory name a file belongs to, or undefined outside packages/<name>/. */
function packageOf(root: string, file: string): string | undefined {
  const parts = relative(root, file).split(sep);
  return parts[0] === 'packages' && parts.length > 2 ? parts[1] : undefined;
}

/** Every import of every source file in packages/*\/src, checked; violations sorted by file. */
export function checkImports(options: CheckOptions): ImportViolation[] {
  // Resolved imports are real paths (workspace links followed), so the root must be one too.
  const root = realpathSync(options.root);
  const allowed = options.allowed ?? ALLOWED_IMPORTS;
  const noBuiltins = new Set(options.noNodeBuiltins ?? NO_NODE_BUILTINS);
  const packages = readPackages(root);
  const byName = new Map([...packages].map(([dir, info]) => [info.name, dir]));
  const violations: ImportViolation[] = [];
  const graph = new Map<string, Set<string>>();
  const rel = (file: string) => relative(root, file).split(sep).join('/');

  for (const dir of packages.keys()) {
    if (!(dir in allowed)) {
      violations.push({
        rule: 'direction',
        file: `packages/${dir}/package.json`,
        message: `packages/${dir} has no place in the import order: add it to ALLOWED_IMPORTS (scripts/check-imports.ts)`,
      });
    }
  }
  const files = [...packages.values()].flatMap((p) => {
    try {
      return sourceFiles(join(p.dir, 'src'));
    } catch {
      return [];
    }
  });
  const host = ts.sys;
  for (const file of files) {
    const from = packageOf(root, file)!;
    const edges = new Set<string>();
    graph.set(file, edges);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: spec } of importedFiles) {
      const at = `${rel(file)}: '${spec}'`;
      if (isBuiltin(spec)) {
        if (noBuiltins.has(from)) {
          violations.push({
            rule: 'node-builtin',
            file: rel(file),
            message: `${at} — packages/${from} may not use Node built-ins`,
          });
        }
        continue;
      }
      const relativeSpec = spec.startsWith('.');
      const scoped = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      const workspaceTarget = byName.get(scoped);
      if (!relativeSpec && workspaceTarget === undefined) continue; // npm package: Biome checks it
      if (workspaceTarget !== undefined && workspaceTarget !== from) {
        if (!allowed[from]?.includes(workspaceTarget)) {
          violations.push({
            rule: 'direction',
            file: rel(file),
            message: `${at} — packages/${from} may not import packages/${workspaceTarget} (allowed: ${allowed[from]?.join(', ') || 'none'})`,
          });
        } else if (!packages.get(from)!.declared.has(scoped)) {
          violations.push({
            rule: 'undeclared',
            file: rel(file),
            message: `${at} — ${scoped} is not declared in packages/${from}/package.json`,
          });
        }
      }
      // A stylesheet or other asset (`./styles.css`) is a file, not a module TypeScript resolves.
      const asset = relativeSpec && /\.(?!(?:[cm]?[jt]sx?|json)$)[a-z0-9]+$/i.test(spec);
      const resolved = asset
        ? existsSync(resolve(dirname(file), spec))
          ? resolve(dirname(file), spec)
          : undefined
        : ts.resolveModuleName(spec, file, COMPILER_OPTIONS, host).resolvedModule?.resolvedFileName;
      if (!resolved) {
        if (relativeSpec) {
          violations.push({ rule: 'unresolved', file: rel(file), message: `${at} — cannot be resolved` });
        }
        continue;
      }
      const target = host.realpath ? host.realpath(resolved) : resolved;
      const to = packageOf(root, target);
      if (relativeSpec && to !== from) {
        violations.push({
          rule: 'relative-escape',
          file: rel(file),
          message: `${at} — a relative import may not leave packages/${from}; import the package by name`,
        });
      }
      if (!target.includes(`${sep}node_modules${sep}`)) edges.add(target);
    }
  }

  for (const cycle of findCycles(graph)) {
    violations.push({
      rule: 'cycle',
      file: rel(cycle[0]!),
      message: `import cycle: ${[...cycle, cycle[0]!].map(rel).join(' → ')}`,
    });
  }
  // An import written twice (`import type` and a value import of the same module) is one finding.
  const unique = new Map(violations.map((v) => [`${v.rule}\0${v.message}`, v]));
  return [...unique.values()].sort(
    (a, b) => a.file.localeCompare(b.file) || a.message.localeCompare(b.message),
  );
}

/**
 * One cycle per strongly connected component of more than one file (or a file importing itself),
 * found with Tarjan's algorithm (iterative, so deep graphs do not overflow the stack); each cycle
 * is a shortest path back to the component's first file, so the message names real imports.
 */
export function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; edges: string[]; i: number }[] = [];
    const visit = (node: string) => {
      index.set(node, next);
      low.set(node, next);
      next++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, edges: [...(graph.get(node) ?? [])].sort(), i: 0 });
    };
    visit(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.edges.length) {
        const to = frame.edges[frame.i++]!;
        if (!index.has(to)) visit(to);
        else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1 || graph.get(frame.node)?.has(frame.node)) components.push(component);
      }
    }
  }
  return components.map((component) => shortestCycle(graph, new Set(component)));
}

function shortestCycle(graph: ReadonlyMap<string, ReadonlySet<string>>, members: Set<string>): string[] {
  const first = [...members].sort()[0]!;
  const previous = new Map<string, string>();
  const queue = [first];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const to of [...(graph.get(node) ?? [])].sort()) {
      if (!members.has(to)) continue;
      if (to === first) {
        const path = [node];
        while (path[0] !== first) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [first];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const violations = checkImports({ root });
  for (const v of violations) console.error(`${v.rule}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`check-imports: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log('check-imports: no upward, undeclared or escaping imports, no cycles');
}
