// The demo trial (40 patients, 80 infusions, 7 adverse events) as CDISC ODM 1.3.2: the full export
// and the statistician's export validate against the official XSD with xmllint, and the full file
// imported into an empty database exports again to the same clinical data, infusions and AEs included.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { generateDemoTrial } from '@msct/core/demo';
import { exportOdm, importOdm } from '@msct/exchange';
import { createStudy, createUser, type Db, verifyAuditChain } from '@msct/store';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoTrial } from '../demo/load-demo.js';

const XSD = fileURLToPath(new URL('../../../../schemas/odm-1.3.2/ODM1-3-2.xsd', import.meta.url));

function xsdErrors(file: string): string {
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', XSD, file], { stdio: 'pipe' });
    return '';
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e).slice(0, 2000);
  }
}

async function exportTo(db: Db, studyId: string, file: string, opts: Parameters<typeof exportOdm>[3] = {}) {
  const out = createWriteStream(file);
  const r = await exportOdm(db, studyId, out, opts);
  out.end();
  await finished(out);
  return r;
}

/** Every ItemData of a file as `subject|event[repeat]|group[repeat]|item=value`, last version of each. */
function clinicalData(xml: string): string[] {
  const out = new Map<string, string>();
  let subject = '';
  let event = '';
  let group = '';
  for (const m of xml.matchAll(/<(SubjectData|StudyEventData|ItemGroupData|ItemData) ([^>]*?)\/?>/g)) {
    const a = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (m[1] === 'SubjectData') subject = a.SubjectKey!;
    else if (m[1] === 'StudyEventData') event = `${a.StudyEventOID}[${a.StudyEventRepeatKey ?? ''}]`;
    else if (m[1] === 'ItemGroupData') group = `${a.ItemGroupOID}[${a.ItemGroupRepeatKey ?? ''}]`;
    else out.set(`${subject}|${event}|${group}|${a.ItemOID}`, a.Value ?? 'null');
  }
  return [...out].map(([k, v]) => `${k}=${v}`).sort();
}

// The demo loads in ~5 s on SQLite and ~40 s on PostgreSQL (one transaction per patient).
for (const dialect of TEST_DIALECTS)
  describe(`ODM export of the demo trial on ${dialect}`, () => {
    let a: TestDatabase;
    let b: TestDatabase;
    let studyId: string;
    let dir: string;
    beforeAll(async () => {
      [a, b] = await Promise.all([createTestDatabase(dialect), createTestDatabase(dialect)]);
      studyId = (await loadDemoTrial(a.db, { seed: 2014 })).studyId;
      dir = mkdtempSync(join(tmpdir(), 'msct-demo-odm-'));
    }, 240_000);
    afterAll(async () => {
      await Promise.all([a?.drop(), b?.drop()]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('the full export (40 patients, infusions, adverse events, audit records) validates against the ODM 1.3.2 XSD', async () => {
      const file = join(dir, 'demo.xml');
      const r = await exportTo(a.db, studyId, file);
      expect(r).toMatchObject({ subjects: 40, infusions: 80, adverseEvents: 7, skippedValues: 0 });
      expect(r.auditRecords).toBeGreaterThan(r.itemValues);
      expect(xsdErrors(file)).toBe('');
      const xml = readFileSync(file, 'utf8');
      expect(xml.match(/ItemGroupOID="IG\.INFUSION" ItemGroupRepeatKey/g)).toHaveLength(80);
      expect(xml.match(/ItemGroupOID="IG\.AE" ItemGroupRepeatKey/g)).toHaveLength(7);
      expect(xml.match(/<ItemData ItemOID="I\.AE\.AESDTH" Value="1"\/>/g)?.length).toBeGreaterThan(0);
    }, 60_000);

    it("the statistician's export validates too, and names no subject", async () => {
      const file = join(dir, 'demo-deid.xml');
      await exportTo(a.db, studyId, file, { pseudonymise: true, shiftDates: 'study-day' });
      expect(xsdErrors(file)).toBe('');
      const xml = readFileSync(file, 'utf8');
      const codes = await a.db.kysely.selectFrom('subjects').select('subject_code').execute();
      for (const c of codes) expect(xml).not.toContain(`"${c.subject_code}"`);
      expect(xml).not.toContain('I.AE.DEATH_CAUSE');
      expect(xml).not.toMatch(/Value="\d{4}-\d{2}-\d{2}/);
    }, 60_000);

    it('round-trips: the full file imported into an empty database exports to the same clinical data', async () => {
      const first = join(dir, 'demo.xml');
      const plan = generateDemoTrial({ seed: 2014 });
      const system = { id: null, name: 'test' };
      const target = await createStudy(b.db, system, {
        code: plan.study.code,
        title: plan.study.title,
        definition: plan.study.definition,
      });
      const user = await createUser(b.db, system, {
        username: 'importer',
        displayName: 'I',
        passwordHash: 'x',
      });
      const r = await importOdm(b.db, target.id, () => createReadStream(first), {
        actor: { id: user.id, name: user.username },
      });
      expect(r.problems).toEqual([]);
      expect(r).toMatchObject({ written: true, infusions: { entered: 80 }, adverseEvents: { entered: 7 } });
      const second = join(dir, 'again.xml');
      const again = await exportTo(b.db, target.id, second);
      expect(again).toMatchObject({ subjects: 40, infusions: 80, adverseEvents: 7 });
      const x = clinicalData(readFileSync(first, 'utf8'));
      expect(x.length).toBeGreaterThan(5000);
      expect(clinicalData(readFileSync(second, 'utf8'))).toEqual(x);
      expect((await verifyAuditChain(b.db)).ok).toBe(true);
    }, 120_000);
  });
