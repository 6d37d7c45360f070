// `npm run bench`: runs every bench/*.bench.ts (each default-exports a function returning results)
// and prints one table. Benchmarks live here, never in timed unit tests.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult } from './types.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const all: BenchResult[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(`${dir}/${file}`).href)) as {
    default: () => Promise<BenchResult[]>;
  };
  process.stdout.write(`# ${file}\n`);
  const results = await mod.default();
  for (const r of results) {
    const verdict = r.ok === undefined ? '' : r.ok ? '  OK' : '  BELOW TARGET';
    process.stdout.write(
      `  ${r.name}: ${r.value.toLocaleString('en-US')} ${r.unit}${r.target ? ` (target ${r.target})` : ''}${verdict}\n`,
    );
  }
  all.push(...results);
}
const missed = all.filter((r) => r.ok === false);
process.stdout.write(`\n${all.length} measurements, ${missed.length} below target\n`);
