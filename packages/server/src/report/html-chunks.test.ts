// Issue 16: `msct analyze` writes report.html chunk by chunk, so a 20 000-patient document (13.6 MB)
// is never one string. The chunks must concatenate to exactly the document renderReportHtml returns,
// and no chunk may hold more than one slice of the per-patient listing.
import { analyzeTrial } from '@msct/core/analysis';
import { demoDataset, generateDemoTrial } from '@msct/core/demo';
import { describe, expect, it } from 'vitest';
import { renderReportHtml, reportHtmlChunks } from './html.js';

const meta = { softwareVersion: '9.9.9-test', generatedAt: '2014-02-02T10:00:00.000Z' };
const base = analyzeTrial(demoDataset(generateDemoTrial({ seed: 2014 })));
// 5 000 listing rows (125 copies of the 40 demo patients): more than any one chunk.
const scaled = {
  ...base,
  listing: Array.from({ length: 125 }, (_, k) =>
    base.listing.map((p) => ({ ...p, subject: `${p.subject}-${k}` })),
  ).flat(),
};

const collect = async (r: typeof base) => {
  const chunks: string[] = [];
  for await (const c of reportHtmlChunks(r, meta)) chunks.push(c);
  return chunks;
};

describe('reportHtmlChunks', () => {
  it('concatenates to the document renderReportHtml returns (40 patients)', async () => {
    const chunks = await collect(base);
    expect(chunks.join('')).toBe(await renderReportHtml(base, meta));
  });

  it('writes the listing of 5 000 patients in slices of at most 500 rows', async () => {
    const chunks = await collect(scaled);
    const whole = chunks.join('');
    expect(whole).toBe(await renderReportHtml(scaled, meta));
    const rowsIn = (s: string) => s.match(/<tr><td>/g)?.length ?? 0;
    const listingRows = whole.slice(whole.indexOf('<table id="listing">')).split('</table>')[0]!;
    expect(rowsIn(listingRows)).toBe(5_000);
    // Every patient row is in a chunk of its own slice, never all in one.
    const withRows = chunks.filter((c) => c.startsWith('<tr>'));
    expect(withRows).toHaveLength(10);
    for (const c of withRows) expect(rowsIn(c)).toBe(500);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(whole.length / 4);
    // The last patient is in the document, with its own row index bound to results.json.
    expect(whole).toContain(`data-path="listing.4999.baselineSledai"`);
  });
});
