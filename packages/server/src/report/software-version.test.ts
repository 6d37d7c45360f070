// The software is identified exactly (issue #18 item 11): version, git commit, content hash — in
// results.json beside the snapshot hash and in the report header.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeTrial } from '@msct/core/analysis';
import { exampleTrialDataset } from '@msct/core/testing';
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from './html.js';
import { contentHash, describeSoftware, softwareIdentity, withSoftware } from './software-version.js';

const root = new URL('../../../../', import.meta.url);

describe('softwareIdentity', () => {
  it('version of package.json, the checkout’s git commit, a sha256 content hash', () => {
    const s = softwareIdentity();
    expect(s.version).toBe(JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).version);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    expect(s.commit).toBe(head);
    expect(typeof s.uncommittedChanges).toBe('boolean');
    expect(s.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('the content hash covers every non-test source file and the lock file, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msct-hash-'));
    try {
      mkdirSync(join(dir, 'packages', 'core', 'src'), { recursive: true });
      writeFileSync(join(dir, 'package.json'), '{"version":"1.0.0"}');
      writeFileSync(join(dir, 'package-lock.json'), '{}');
      writeFileSync(join(dir, 'packages', 'core', 'src', 'a.ts'), 'export const a = 1;');
      const h0 = contentHash(dir);
      writeFileSync(join(dir, 'packages', 'core', 'src', 'a.test.ts'), 'test');
      writeFileSync(join(dir, 'README.md'), 'docs');
      expect(contentHash(dir)).toBe(h0);
      writeFileSync(join(dir, 'packages', 'core', 'src', 'a.ts'), 'export const a = 2;');
      expect(contentHash(dir)).not.toBe(h0);
      writeFileSync(join(dir, 'packages', 'core', 'src', 'a.ts'), 'export const a = 1;');
      writeFileSync(join(dir, 'package-lock.json'), '{"x":1}');
      expect(contentHash(dir)).not.toBe(h0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('results.json carries it right after the snapshot; the report header prints commit and hash', async () => {
    const software = {
      name: 'msct' as const,
      version: '9.9.9',
      commit: '0123456789abcdef0123456789abcdef01234567',
      uncommittedChanges: false,
      contentHash: `sha256:${'a'.repeat(64)}`,
    };
    const results = withSoftware(analyzeTrial(exampleTrialDataset()), software);
    expect(Object.keys(JSON.parse(JSON.stringify(results))).slice(0, 3)).toEqual([
      'study',
      'snapshot',
      'software',
    ]);
    const html = await renderReportHtml(results, {
      softwareVersion: '9.9.9',
      generatedAt: '2014-02-02T10:00:00Z',
    });
    expect(html).toContain(
      `<td id="software-build">commit <code>${software.commit}</code>; content <code>${software.contentHash}</code></td>`,
    );
    expect(describeSoftware({ ...software, commit: null, uncommittedChanges: null })).toBe(
      `msct 9.9.9, no git commit available; content ${software.contentHash}`,
    );
  });
});
