import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSdtm } from './sdtm-export.js';
import { createTestStudy, type TestStudy } from './test-study.js';

describe('SDTM-style export', () => {
  let t: TestDatabase;
  let study: TestStudy;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    study = await createTestStudy(t.db);
    dir = mkdtempSync(join(tmpdir(), 'msct-sdtm-'));
  });
  afterAll(async () => {
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes DM, EX, AE, LB, QS, RS, DS and the variable listing', async () => {
    const out = join(dir, 'full');
    const r = await exportSdtm(t.db, study.studyId, out);
    expect(readdirSync(out).sort()).toEqual([
      'ae.csv',
      'define.csv',
      'dm.csv',
      'ds.csv',
      'ex.csv',
      'lb.csv',
      'qs.csv',
      'rs.csv',
    ]);
    expect(r.files.find((f) => f.name === 'dm.csv')?.rows).toBe(3);
    const lb = readFileSync(join(out, 'lb.csv'), 'utf8');
    expect(lb.split('\r\n')[0]).toBe(
      'STUDYID,DOMAIN,USUBJID,LBSEQ,LBTESTCD,LBTEST,LBORRES,LBORRESU,LBSTRESN,LBSTRESU,VISITNUM,VISIT,CYCLE,LBDTC,LBDY',
    );
    expect(lb).toContain(`MSCT-SLE,LB,MSCT-SLE-${study.subjectCodes[0]},`);
    expect(lb).toMatch(/,C3,Complement C3,0\.71,g\/L,0\.71,g\/L,5,M3,1,2024-04-10,91\r\n/);
    const qs = readFileSync(join(out, 'qs.csv'), 'utf8');
    expect(qs).toContain(',SLEDTOT,SLEDAI-2K total score,');
    expect(qs).toContain(',BILREN,BILAG renal grade,A,A,,,');
    const rs = readFileSync(join(out, 'rs.csv'), 'utf8');
    expect(rs).toContain(',OVRLRESP,Overall Response,');
    // The small fixture has no infusions: the verdict is not done, and says why.
    expect(rs).toContain(',NOT DONE,');
    expect(readFileSync(join(out, 'ds.csv'), 'utf8')).toContain(
      ',COMPLETED,DISPOSITION EVENT,2025-01-09,365',
    );
    expect(readFileSync(join(out, 'define.csv'), 'utf8')).toContain('LB,Laboratory Test Results,9,LBSTRESN,');
  });

  it('de-identifies: pseudonyms, study days only, no free text', async () => {
    const out = join(dir, 'deid');
    await exportSdtm(t.db, study.studyId, out, { pseudonymise: true, shiftDates: 'study-day' });
    const all = readdirSync(out)
      .filter((f) => f !== 'define.csv')
      .map((f) => readFileSync(join(out, f), 'utf8'))
      .join('\n');
    for (const code of study.subjectCodes) expect(all).not.toContain(code);
    expect(all).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(all).not.toContain('Dr ');
    expect(all).toMatch(/MSCT-SLE-P[0-9A-F]{10}/);
  });
});
