// Test support: a small study of the built-in definition, entered through the store's own
// repositories (every value audited), with a changed value and its reason; and the XSD check.
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { SLEDAI2K_DESCRIPTOR_ITEMS } from '@msct/core/crf';
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import {
  type Actor,
  createSite,
  createStudy,
  createSubject,
  createUser,
  createVisit,
  type Db,
  listItems,
  saveItems,
  updateSubject,
} from '@msct/store';
import type { TestDatabase } from '@msct/store/testing';
import { exportOdm } from '../odm-export.js';

export interface TestStudy {
  studyId: string;
  actor: Actor;
  subjectCodes: string[];
}

const SYSTEM: Actor = { id: null, name: 'system' };

/** Creates the study and its two sites only (the target of an import). */
export async function createEmptyStudy(
  db: Db,
  /** The built-in trial's definition unless a test needs another (e.g. with a BILAG-2004 form). */
  definition: StudyDefinition = msctSleTrial,
): Promise<{ studyId: string; actor: Actor }> {
  const study = await createStudy(db, SYSTEM, {
    code: 'MSCT-SLE',
    title: definition.title,
    definition,
  });
  await createSite(db, SYSTEM, { studyId: study.id, code: 'NJDT', name: 'Drum Tower Hospital' });
  await createSite(db, SYSTEM, { studyId: study.id, code: 'ZJJU', name: 'Jiangsu University Hospital' });
  const user = await createUser(db, SYSTEM, {
    username: 'coord',
    displayName: 'Site Coordinator',
    passwordHash: 'x',
  });
  return { studyId: study.id, actor: { id: user.id, name: user.username } };
}

export async function createTestStudy(
  db: Db,
  subjects = 3,
  definition: StudyDefinition = msctSleTrial,
): Promise<TestStudy> {
  const { studyId, actor } = await createEmptyStudy(db, definition);
  const sites = await db.kysely
    .selectFrom('sites')
    .select(['id', 'code'])
    .where('study_id', '=', studyId)
    .orderBy('code')
    .execute();
  const codes: string[] = [];
  for (let n = 0; n < subjects; n++) {
    const site = sites[n % sites.length]!;
    let s = await createSubject(db, actor, {
      studyId,
      siteId: site.id,
      sex: n % 2 ? 'M' : 'F',
      birthDate: `198${n}-04-0${n + 1}`,
    });
    s = await updateSubject(
      db,
      actor,
      s.id,
      s.version,
      { status: 'enrolled', day0Date: '2024-01-10' },
      'eligible',
    );
    codes.push(s.subject_code);
    const scr = await createVisit(db, actor, { subjectId: s.id, visitCode: 'SCR', visitDate: '2024-01-05' });
    await saveItems(db, actor, {
      visitId: scr.id,
      formCode: 'demographics',
      items: [
        { itemCode: 'age_years', value: String(30 + n), unit: 'years' },
        { itemCode: 'lupus_nephritis', value: n % 2 ? '1' : '0' },
        { itemCode: 'manifestations', value: 'rash, arthritis; seen by Dr Smith at home' },
      ],
    });
    for (const [visitCode, date, sledai] of [
      ['D0', '2024-01-10', 12],
      ['M3', '2024-04-10', 4],
    ] as const) {
      const v = await createVisit(db, actor, { subjectId: s.id, visitCode, visitDate: date });
      await saveItems(db, actor, {
        visitId: v.id,
        formCode: 'sledai2k',
        items: SLEDAI2K_DESCRIPTOR_ITEMS.map((d, i) => ({
          itemCode: d.code,
          value: i < sledai / 4 ? '1' : '0',
        })),
      });
      await saveItems(db, actor, {
        visitId: v.id,
        formCode: 'bilag',
        items: [
          { itemCode: 'renal', value: visitCode === 'D0' ? 'A' : 'C' },
          { itemCode: 'general', value: 'D' },
        ],
      });
      await saveItems(db, actor, {
        visitId: v.id,
        formCode: 'labs',
        items: [
          { itemCode: 'creatinine', value: '88', unit: 'µmol/L' },
          { itemCode: 'c3', value: '0.62', unit: 'g/L' },
          { itemCode: 'proteinuria_24h', value: visitCode === 'D0' ? '2.4' : '0.4', unit: 'g/24h' },
          { itemCode: 'urine_casts', value: '0' },
        ],
      });
      await saveItems(db, actor, {
        visitId: v.id,
        formCode: 'medication',
        items: [
          { itemCode: 'prednisone_mg_day', value: '20', unit: 'mg/day' },
          { itemCode: 'other_immunosuppressant', value: 'tacrolimus from Dr Wu' },
        ],
      });
      if (visitCode === 'M3') {
        // A correction with its reason: the export must carry both versions.
        const labs = await db.kysely
          .selectFrom('form_instances')
          .select('id')
          .where('visit_id', '=', v.id)
          .where('form_code', '=', 'labs')
          .executeTakeFirstOrThrow();
        const c3 = (await listItems(db, labs.id)).find((i) => i.item_code === 'c3')!;
        await saveItems(db, actor, {
          visitId: v.id,
          formCode: 'labs',
          items: [{ itemCode: 'c3', value: '0.71', unit: 'g/L', expectedVersion: c3.version }],
          reason: 'transcription error: lab report says 0.71',
        });
        // The definition collects end-of-study at M12 (entry follows the definition, issue #20).
        const m12 = await createVisit(db, actor, {
          subjectId: s.id,
          visitCode: 'M12',
          visitDate: '2025-01-09',
        });
        await saveItems(db, actor, {
          visitId: m12.id,
          formCode: 'end-of-study',
          items: [
            { itemCode: 'status', value: 'completed' },
            { itemCode: 'date', value: '2025-01-09' },
          ],
        });
      }
    }
  }
  return { studyId, actor, subjectCodes: codes };
}

/** Row counts of every data table and the audit head: equal before and after = nothing written. */
export async function databaseFingerprint(db: Db): Promise<string> {
  const tables = [
    'subjects',
    'visits',
    'form_instances',
    'item_values',
    'infusions',
    'adverse_events',
    'audit_events',
    'sites',
  ] as const;
  const counts: string[] = [];
  for (const t of tables) {
    const r = await db.kysely
      .selectFrom(t)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    counts.push(`${t}=${Number(r.n)}`);
  }
  const head = await db.kysely.selectFrom('audit_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
  return `${counts.join(' ')} head=${Number(head.seq)}:${head.hash}`;
}

const XSD = resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  '../../../../schemas/odm-1.3.2/ODM1-3-2.xsd',
);

/** The CDISC Define-XML 2.1 schema (schemas/define-xml-2.1/README.md). */
export const DEFINE_XML_XSD = resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  '../../../../schemas/define-xml-2.1/cdisc-define-2.1/define2-1-0.xsd',
);

/** xmllint's verdict against ODM 1.3.2 (or another schema): empty when valid, the errors otherwise. */
export function xsdErrors(file: string, xsd: string = XSD): string {
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', xsd, file], { stdio: 'pipe' });
    return '';
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e);
  }
}

export async function exportToFile(
  t: TestDatabase,
  studyId: string,
  file: string,
  opts: Parameters<typeof exportOdm>[3] = {},
) {
  const out = createWriteStream(file);
  const report = await exportOdm(t.db, studyId, out, opts);
  out.end();
  await finished(out);
  return report;
}
