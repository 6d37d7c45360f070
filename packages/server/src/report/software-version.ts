// The software identity printed in the report header and written into results.json beside the data
// snapshot hash (issue #18 item 11): the root package.json's version, the git commit the code runs
// from (and whether tracked files differ from it), and a SHA-256 over the code's content — msct runs
// from its sources (tsx), so the "build" is the source tree: every non-test file under
// packages/*/src plus package.json and package-lock.json, in path order. The content hash identifies
// the code even without git or with uncommitted changes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalysisResults, SoftwareIdentity } from '@msct/core/analysis';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

let cachedVersion: string | undefined;
let cachedIdentity: SoftwareIdentity | undefined;

export function softwareVersion(): string {
  if (cachedVersion) return cachedVersion;
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string };
    cachedVersion = pkg.version ?? 'unknown';
  } catch {
    cachedVersion = 'unknown';
  }
  return cachedVersion;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', ['-C', ROOT, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    return null;
  }
}

const SOURCE = /\.(ts|tsx|js|mjs|json|css|html)$/;
const TEST = /\.test\.(ts|tsx)$/;

function sourceFiles(dir: string, out: string[]) {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(path, out);
    else if (SOURCE.test(e.name) && !TEST.test(e.name)) out.push(path);
  }
}

/** SHA-256 over (path, length, bytes) of every source file that runs, in path order. */
export function contentHash(root = ROOT): string {
  const files: string[] = [];
  let packages: string[] = [];
  try {
    packages = readdirSync(join(root, 'packages'));
  } catch {
    packages = [];
  }
  for (const p of packages.sort()) sourceFiles(join(root, 'packages', p, 'src'), files);
  for (const f of ['package.json', 'package-lock.json']) files.push(join(root, f));
  const h = createHash('sha256');
  for (const f of files.sort()) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(f);
    } catch {
      continue;
    }
    h.update(`${relative(root, f)}\0${bytes.length}\0`);
    h.update(bytes);
  }
  return `sha256:${h.digest('hex')}`;
}

export function softwareIdentity(): SoftwareIdentity {
  if (cachedIdentity) return cachedIdentity;
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit ? git(['status', '--porcelain', '--untracked-files=no']) : null;
  cachedIdentity = {
    name: 'msct',
    version: softwareVersion(),
    commit: commit && /^[0-9a-f]{40}$/.test(commit) ? commit : null,
    uncommittedChanges: status === null ? null : status.length > 0,
    contentHash: contentHash(),
  };
  return cachedIdentity;
}

/** "msct 0.1.0, commit 1a2b3c4d5e6f (uncommitted changes), content sha256:…" for the report header. */
export function describeSoftware(s: SoftwareIdentity): string {
  const commit = s.commit
    ? `commit ${s.commit}${s.uncommittedChanges ? ' with uncommitted changes' : ''}`
    : 'no git commit available';
  return `${s.name} ${s.version}, ${commit}; content ${s.contentHash}`;
}

/** The results with the software identity beside the snapshot (key order as written to results.json). */
export function withSoftware(results: AnalysisResults, software = softwareIdentity()): AnalysisResults {
  const { study, snapshot, ...rest } = results;
  return { study, snapshot, software, ...rest };
}
