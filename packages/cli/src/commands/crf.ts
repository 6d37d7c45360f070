// `msct crf --study CODE --out FILE [--format pdf|html]` (issue #22): the study's blank CRFs for
// sites, a page per form, from the study's definition — the same document as
// GET /api/studies/:id/crfs.pdf, printed by headless Chromium (MSCT_CHROMIUM, default /usr/bin/chromium).
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isAdHocDefinition, storedDefinition } from '@msct/core/protocol';
import { blankCrfHtml, configFromEnv, renderPdf } from '@msct/server';
import { type Db, findStudyByCode, openDatabase } from '@msct/store';

/** The blank CRFs of a study as HTML; throws with a message for the user when there are none. */
export async function blankCrfsOf(db: Db, code: string): Promise<string> {
  const s = await findStudyByCode(db, code);
  if (!s) throw new Error(`no study with code "${code}"`);
  const stored = JSON.parse(s.definition_json) as unknown;
  if (isAdHocDefinition(stored))
    throw new Error(`study ${code} has no definition (an ad-hoc study): no CRFs to print`);
  return blankCrfHtml(storedDefinition(stored, s.code), s);
}

export async function crfCommand(o: { study: string; out: string; format?: string }): Promise<number> {
  const format = o.format ?? (extname(o.out).toLowerCase() === '.html' ? 'html' : 'pdf');
  if (format !== 'pdf' && format !== 'html') {
    console.error(`--format must be pdf or html, got "${format}"`);
    return 1;
  }
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const html = await blankCrfsOf(db, o.study);
    if (format === 'html') await writeFile(o.out, html);
    else await renderPdf(html, o.out);
    console.error(`${o.out}: the blank CRFs of ${o.study} (${format})`);
    return 0;
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 1;
  } finally {
    await db.close();
  }
}
