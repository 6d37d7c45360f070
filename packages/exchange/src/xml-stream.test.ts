// XmlStream hands its text to the destination in chunks; to a file it reuses a few write buffers
// (flushPooled, issue #23: the ODM export's peak RSS). Whatever the destination, the bytes written
// are exactly the text built, in order, multi-byte characters included.
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { XmlStream } from './xml-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'msct-xml-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds ~6 MB of elements (some of 3-byte characters, one text larger than a pooled buffer), flushing as the export does. */
async function build(stream: XmlStream): Promise<void> {
  const { xml } = stream;
  xml.ele('Root');
  for (let i = 0; i < 40_000; i++) {
    xml.ele('Item', { n: String(i), v: i % 3 === 0 ? `狼疮${i}` : `value ${i} & <more>` }).up();
    if (i === 20_000) xml.ele('Big').txt('€'.repeat(1_500_000)).up();
    await stream.maybeFlush(64 << 10);
  }
  xml.up();
  xml.end();
  await stream.flush();
}

describe('XmlStream', () => {
  it('writes to a file (pooled buffers) exactly what it writes to any other stream', async () => {
    const file = join(dir, 'out.xml');
    const out = createWriteStream(file);
    const pooled = new XmlStream(out);
    await build(pooled);
    out.end();
    await finished(out);

    const chunks: Buffer[] = [];
    const pass = new PassThrough();
    pass.on('data', (c: Buffer) => chunks.push(c));
    const plain = new XmlStream(pass);
    await build(plain);
    pass.end();
    await finished(pass);

    const fromFile = readFileSync(file);
    const expected = Buffer.concat(chunks);
    expect(fromFile.length).toBeGreaterThan(6e6);
    expect(fromFile.length).toBe(expected.length);
    expect(fromFile.equals(expected)).toBe(true);
    expect(pooled.written).toBe(fromFile.length);
    expect(fromFile.toString('utf8')).toContain('v="狼疮39999"');
  });
});
