import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BILAG2004_SYSTEMS } from '@msct/core/instruments';
import { msctSleTrial } from '@msct/core/protocol';
import { createSubjectRecord, type Db, saveItems } from '@msct/store';
import { createTestDatabase, type TestDatabase } from '@msct/store/testing';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_LISTS, DOMAINS, sdtmSex, sdtmStudyDay } from './sdtm-domains.js';
import { bilag2004QsRows, exportSdtm } from './sdtm-export.js';
import { createTestStudy, DEFINE_XML_XSD, type TestStudy, xsdErrors } from './testing/test-study.js';

/** A CSV of the export as rows of named cells (the writer quotes only cells with , " or line breaks). */
function readCsv(file: string): Record<string, string>[] {
  const lines = readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
  const split = (l: string) => {
    const out: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < l.length; i++) {
      const ch = l[i]!;
      if (quoted) {
        if (ch === '"' && l[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        out.push(cur);
        cur = '';
      } else cur += ch;
    }
    out.push(cur);
    return out;
  };
  const header = split(lines[0]!);
  return lines.slice(1).map((l) => {
    const cells = split(l);
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

/**
 * Safety records for the SDTM checks: subject 1 two infusions given (D0, D7), one planned and one not
 * given (no exposure), a serious AE the day before day 1; subject 2 a fatal AE (death on 2024-06-20);
 * subject 3 nothing (assigned, not treated).
 */
async function addSafetyRecords(db: Db, study: TestStudy) {
  const subjects = await db.kysely
    .selectFrom('subjects')
    .select(['id', 'subject_code'])
    .where('study_id', '=', study.studyId)
    .orderBy('subject_code')
    .execute();
  const [s1, s2] = subjects;
  const infusion = (n: number, date: string, status: string) => ({
    cycle: 1,
    infusion_number: n,
    planned_date: date,
    started_at: status === 'given' ? `${date}T09:00:00.000Z` : null,
    ended_at: status === 'given' ? `${date}T09:45:00.000Z` : null,
    product_lot: status === 'given' ? `UC-2024-00${n}` : null,
    total_cells: status === 'given' ? 60_000_000 : null,
    viability_pct: null,
    volume_ml: null,
    weight_kg: 60,
    vitals_json: null,
    reactions: null,
    status,
  });
  await createSubjectRecord(db, study.actor, 'infusions', s1!.id, infusion(1, '2024-01-10', 'given'));
  await createSubjectRecord(db, study.actor, 'infusions', s1!.id, infusion(2, '2024-01-17', 'given'));
  await createSubjectRecord(db, study.actor, 'infusions', s1!.id, infusion(3, '2024-01-24', 'not_given'));
  await createSubjectRecord(db, study.actor, 'infusions', s1!.id, infusion(4, '2024-01-31', 'planned'));
  const ae = {
    resolution_date: null,
    action_taken: null,
    infusion_id: null,
    death_date: null,
    death_cause: null,
    seriousness_json: JSON.stringify([]),
  };
  await createSubjectRecord(db, study.actor, 'adverse_events', s1!.id, {
    ...ae,
    term: 'Fever',
    onset_date: '2024-01-09',
    resolution_date: '2024-01-12',
    ctcae_grade: 2,
    serious: 1,
    seriousness_json: JSON.stringify(['hospitalisation']),
    relatedness: 'not_related',
    outcome: 'recovered_with_sequelae',
  });
  await createSubjectRecord(db, study.actor, 'adverse_events', s2!.id, {
    ...ae,
    term: 'Pulmonary infection',
    onset_date: '2024-06-01',
    ctcae_grade: 5,
    serious: 1,
    seriousness_json: JSON.stringify(['hospitalisation', 'death']),
    relatedness: 'unlikely',
    outcome: 'fatal',
    death_date: '2024-06-20',
    death_cause: 'sepsis',
  });
}

describe('SDTM-style export', () => {
  let t: TestDatabase;
  let study: TestStudy;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    // The built-in trial with a BILAG-2004 form at D0 and M3: entry follows the definition (issue
    // #20), so the QS test below can enter it only where a definition collects it.
    study = await createTestStudy(t.db, 3, {
      ...msctSleTrial,
      forms: [...msctSleTrial.forms, { id: 'bilag2004', title: 'BILAG-2004', visitCodes: ['D0', 'M3'] }],
    });
    await addSafetyRecords(t.db, study);
    dir = mkdtempSync(join(tmpdir(), 'msct-sdtm-'));
  });
  afterAll(async () => {
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes DM, EX, AE, LB, QS, RS, DS as CSV and Dataset-JSON, the variable listing and define.xml', async () => {
    const out = join(dir, 'full');
    const r = await exportSdtm(t.db, study.studyId, out);
    expect(readdirSync(out).sort()).toEqual([
      'ae.csv',
      'ae.json',
      'define.csv',
      'define.xml',
      'dm.csv',
      'dm.json',
      'ds.csv',
      'ds.json',
      'ex.csv',
      'ex.json',
      'lb.csv',
      'lb.json',
      'qs.csv',
      'qs.json',
      'rs.csv',
      'rs.json',
    ]);
    expect(r.files.find((f) => f.name === 'dm.csv')?.rows).toBe(3);
    const lb = readFileSync(join(out, 'lb.csv'), 'utf8');
    expect(lb.split('\r\n')[0]).toBe(
      'STUDYID,DOMAIN,USUBJID,LBSEQ,LBTESTCD,LBTEST,LBORRES,LBORRESU,LBSTRESN,LBSTRESU,LBORNRLO,LBORNRHI,LBSTNRLO,LBSTNRHI,LBNRIND,LBCLSIG,VISITNUM,VISIT,CYCLE,LBDTC,LBDY',
    );
    expect(lb).toContain(`MSCT-SLE,LB,MSCT-SLE-${study.subjectCodes[0]},`);
    // LBDY: 2024-04-10 is 91 days after RFSTDTC 2024-01-10, so study day 92 (day 1 = RFSTDTC).
    // C3 0.71 g/L is below the protocol's 0.9 g/L (instruments.md §6.4): LBNRIND LOW (issue #22).
    expect(lb).toMatch(/,C3,Complement C3,0\.71,g\/L,0\.71,g\/L,0\.9,,0\.9,,LOW,,5,M3,1,2024-04-10,92\r\n/);
    const qs = readFileSync(join(out, 'qs.csv'), 'utf8');
    expect(qs).toContain(',SLEDTOT,SLEDAI-2K total score,');
    expect(qs).toContain(',BILREN,BILAG renal grade,A,A,,,');
    const rs = readFileSync(join(out, 'rs.csv'), 'utf8');
    expect(rs).toContain(',OVRLRESP,Overall Response,');
    // The small fixture has no infusions: the verdict is not done, and says why.
    expect(rs).toContain(',NOT DONE,');
    expect(readFileSync(join(out, 'ds.csv'), 'utf8')).toContain(
      ',COMPLETED,DISPOSITION EVENT,2025-01-09,366',
    );
    expect(readFileSync(join(out, 'define.csv'), 'utf8')).toContain('LB,Laboratory Test Results,9,LBSTRESN,');
  });

  it('de-identifies: pseudonyms, study days only, no free text', async () => {
    const out = join(dir, 'deid');
    await exportSdtm(t.db, study.studyId, out, { pseudonymise: true, shiftDates: 'study-day' });
    // The data: every CSV and every Dataset-JSON's rows (their headers carry the file's creation time).
    const all = readdirSync(out)
      .filter((f) => !f.startsWith('define.'))
      .map((f) =>
        f.endsWith('.json')
          ? JSON.stringify(JSON.parse(readFileSync(join(out, f), 'utf8')).rows)
          : readFileSync(join(out, f), 'utf8'),
      )
      .join('\n');
    for (const code of study.subjectCodes) expect(all).not.toContain(code);
    expect(all).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(all).not.toContain('Dr ');
    expect(all).toMatch(/MSCT-SLE-P[0-9A-F]{10}/);
    // Death stays in the pseudonymised DM: the flag, and the date as a study day (2024-06-20 = day 163).
    const dm = readCsv(join(out, 'dm.csv'));
    expect(dm.map((r) => [r.DTHFL, r.DTHDTC, r.DTHDY])).toContainEqual(['Y', '', '163']);
    expect(readFileSync(join(out, 'define.xml'), 'utf8')).toContain('def:CommentOID="COM.STUDY_DAYS"');
    expect(xsdErrors(join(out, 'define.xml'), DEFINE_XML_XSD)).toBe('');
  });

  it('--DY has no day 0: day 1 is RFSTDTC, the day before is -1 (SDTMIG v3.3 §4.4.4)', () => {
    expect(sdtmStudyDay('2024-01-10', '2024-01-10')).toBe(1);
    expect(sdtmStudyDay('2024-01-11', '2024-01-10')).toBe(2);
    expect(sdtmStudyDay('2024-01-09', '2024-01-10')).toBe(-1);
    expect(sdtmStudyDay('2024-01-05', '2024-01-10')).toBe(-5);
    expect(sdtmStudyDay('2025-01-09T08:00', '2024-01-10')).toBe(366);
    expect(sdtmStudyDay(null, '2024-01-10')).toBeNull();
    expect(sdtmStudyDay('2024-01-10', null)).toBeNull();
  });

  it('SDTM checks: required variables, controlled terms, --DY, USUBJID/--SEQ keys, exposure only when given, death in DM', async () => {
    const out = join(dir, 'checks');
    await exportSdtm(t.db, study.studyId, out);
    const data = Object.fromEntries(
      DOMAINS.map((d) => [d.name, readCsv(join(out, `${d.name.toLowerCase()}.csv`))]),
    );
    for (const d of DOMAINS) {
      const rows = data[d.name]!;
      // The header is the specification's variables, in order; a Req variable is never empty.
      expect(readFileSync(join(out, `${d.name.toLowerCase()}.csv`), 'utf8').split('\r\n')[0]).toBe(
        d.variables.map((x) => x.name).join(','),
      );
      for (const x of d.variables.filter((v) => v.core === 'Req'))
        for (const r of rows) expect(r[x.name], `${d.name}.${x.name}`).not.toBe('');
      // Controlled terms: every value is a term of the variable's code list.
      for (const x of d.variables.filter((v) => v.codeList && CODE_LISTS[v.codeList]!.terms.length > 0)) {
        const terms = CODE_LISTS[x.codeList!]!.terms.map((c) => c.value);
        for (const r of rows) if (r[x.name] !== '') expect(terms, `${d.name}.${x.name}`).toContain(r[x.name]);
      }
      // Keys: one DM row per USUBJID; USUBJID + --SEQ unique in every other domain.
      const keys = rows.map((r) => (d.name === 'DM' ? r.USUBJID : `${r.USUBJID}|${r[`${d.name}SEQ`]}`));
      expect(new Set(keys).size, d.name).toBe(rows.length);
    }
    const [s1, s2, s3] = [...study.subjectCodes].sort().map((c) => `MSCT-SLE-${c}`);
    const dm = new Map(data.DM!.map((r) => [r.USUBJID, r]));
    // DM.COUNTRY from the definition's centres (all in CN): ISO 3166-1 alpha-3.
    expect([...dm.values()].map((r) => r.COUNTRY)).toEqual(['CHN', 'CHN', 'CHN']);
    expect([...dm.values()].map((r) => r.SEX).sort()).toEqual(['F', 'F', 'M']);
    // Exposure: the two infusions given; the planned and the not-given one are no EX record.
    expect(data.EX!.map((r) => [r.USUBJID, r.EXSTDTC, r.EXSTDY, r.EXINFNUM])).toEqual([
      [s1, '2024-01-10', '1', '1'],
      [s1, '2024-01-17', '8', '2'],
    ]);
    expect(dm.get(s1)).toMatchObject({
      RFXSTDTC: '2024-01-10',
      RFXENDTC: '2024-01-17',
      ACTARMCD: 'UCMSC',
      ARMNRS: '',
    });
    expect(dm.get(s3)).toMatchObject({ RFXSTDTC: '', ACTARMCD: '', ARMNRS: 'ASSIGNED, NOT TREATED' });
    // AE: CDISC terms for AESER/AEOUT, the study's for AEREL; an onset the day before RFSTDTC is day -1.
    expect(data.AE!.map((r) => [r.USUBJID, r.AESTDY, r.AESER, r.AEREL, r.AEOUT, r.AESDTH])).toEqual([
      [s1, '-1', 'Y', 'NOT RELATED', 'RECOVERED/RESOLVED WITH SEQUELAE', 'N'],
      [s2, '144', 'Y', 'UNLIKELY', 'FATAL', 'Y'],
    ]);
    // The ICH E2A seriousness criteria as the SDTMIG flags (issue #21): s1's hospitalisation, s2's
    // hospitalisation and death.
    const flags = ['AESCONG', 'AESDISAB', 'AESDTH', 'AESHOSP', 'AESLIFE', 'AESMIE'];
    expect(data.AE!.map((r) => flags.map((f) => `${f}=${r[f]}`).join(' '))).toEqual([
      'AESCONG=N AESDISAB=N AESDTH=N AESHOSP=Y AESLIFE=N AESMIE=N',
      'AESCONG=N AESDISAB=N AESDTH=Y AESHOSP=Y AESLIFE=N AESMIE=N',
    ]);
    expect(dm.get(s2)).toMatchObject({ DTHFL: 'Y', DTHDTC: '2024-06-20', DTHDY: '163' });
    expect(dm.get(s1)).toMatchObject({ DTHFL: '', DTHDTC: '', DTHDY: '' });
    // --DY on, after and before RFSTDTC in the findings: D0 (= RFSTDTC) is day 1, M3 day 92.
    expect(new Set(data.LB!.filter((r) => r.VISIT === 'D0').map((r) => r.LBDY))).toEqual(new Set(['1']));
    expect(new Set(data.QS!.filter((r) => r.VISIT === 'M3').map((r) => r.QSDY))).toEqual(new Set(['92']));
    expect(data.LB!.find((r) => r.LBTESTCD === 'PROT24')).toMatchObject({
      LBORRESU: 'g/24h',
      LBSTRESU: 'g/day',
    });
  });

  it('Dataset-JSON 1.1 beside each CSV: valid against the CDISC schema, the same rows as the CSV', async () => {
    const out = join(dir, 'full');
    const schema = JSON.parse(
      readFileSync(new URL('../../../schemas/dataset-json-1.1/dataset.schema.json', import.meta.url), 'utf8'),
    );
    const validate = new Ajv2019({ strict: false }).compile(schema);
    for (const d of DOMAINS) {
      const base = d.name.toLowerCase();
      const ds = JSON.parse(readFileSync(join(out, `${base}.json`), 'utf8'));
      expect(validate(ds), `${base}.json: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(ds).toMatchObject({
        datasetJSONVersion: '1.1.0',
        itemGroupOID: `IG.${d.name}`,
        name: d.name,
        label: d.label,
        studyOID: 'S.MSCT-SLE',
        metaDataRef: 'define.xml',
      });
      expect(ds.columns.map((c: { name: string }) => c.name)).toEqual(d.variables.map((x) => x.name));
      expect(ds.columns[0]).toMatchObject({
        itemOID: `IT.${d.name}.STUDYID`,
        dataType: 'string',
        keySequence: 1,
      });
      const csv = readCsv(join(out, `${base}.csv`));
      expect(ds.records).toBe(csv.length);
      expect(ds.rows.length).toBe(csv.length);
      const asText = ds.rows.map((row: unknown[]) => row.map((v) => (v === null ? '' : String(v))));
      expect(asText).toEqual(csv.map((r) => d.variables.map((x) => r[x.name])));
    }
    const ex = JSON.parse(readFileSync(join(out, 'ex.json'), 'utf8'));
    expect(ex.columns.find((c: { name: string }) => c.name === 'EXDOSE').dataType).toBe('float');
    expect(ex.rows[0][ex.columns.findIndex((c: { name: string }) => c.name === 'EXSTDY')]).toBe(1);
  });

  it('define.xml (Define-XML 2.1) is valid against the CDISC schema and describes every domain, variable and code list', async () => {
    const out = join(dir, 'full');
    const file = join(out, 'define.xml');
    expect(xsdErrors(file, DEFINE_XML_XSD)).toBe('');
    const xml = readFileSync(file, 'utf8');
    for (const d of DOMAINS) {
      expect(xml).toContain(`<ItemGroupDef OID="IG.${d.name}" Domain="${d.name}"`);
      expect(xml).toContain(`<def:leaf ID="LF.${d.name}" xlink:href="${d.name.toLowerCase()}.json">`);
      for (const x of d.variables)
        expect(xml).toContain(`<ItemDef OID="IT.${d.name}.${x.name}" Name="${x.name}"`);
    }
    expect(xml).toContain('<ItemRef ItemOID="IT.DM.SEX" OrderNumber="14" Mandatory="Yes"/>');
    expect(xml).toContain('<ItemRef ItemOID="IT.AE.AESEQ" OrderNumber="4" Mandatory="Yes" KeySequence="3"/>');
    expect(xml).toContain(
      '<ItemRef ItemOID="IT.EX.CYCLE" OrderNumber="12" Mandatory="No" def:IsNonStandard="Yes"/>',
    );
    expect(xml).toMatch(
      /<CodeList OID="CL.OUT" Name="Outcome of Event" DataType="text" def:StandardOID="STD.CT.SDTM">[\s\S]*?<EnumeratedItem CodedValue="RECOVERED\/RESOLVED"\/>[\s\S]*?<Alias Context="nci:ExtCodeID" Name="C66768"\/>/,
    );
    expect(xml).toContain('<ExternalCodeList Dictionary="ISO 3166-1 alpha-3"');
    // A schema-invalid file is refused by the same check (the check can fail).
    const broken = join(out, 'broken-define.xml');
    writeFileSync(broken, xml.replace('Purpose="Tabulation"', 'Purpose="Tabulation" Bogus="1"'));
    expect(xsdErrors(broken, DEFINE_XML_XSD)).toContain('Bogus');
  });

  it('sdtmSex maps msct sexes to CDISC SEX (F, M, U)', () => {
    expect(['female', 'male', 'F', 'M', null, 'other'].map(sdtmSex)).toEqual(['F', 'M', 'F', 'M', 'U', 'U']);
  });

  it('QS carries BILAG-2004: items, ever-involved, grades against the previous assessment, and the total', async () => {
    const visits = await t.db.kysely
      .selectFrom('visits')
      .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
      .select(['visits.id', 'visits.visit_code'])
      .where('subjects.subject_code', '=', study.subjectCodes[0]!)
      .where('visits.visit_code', 'in', ['D0', 'M3'])
      .execute();
    const others = BILAG2004_SYSTEMS.filter((x) => x !== 'renal');
    for (const v of visits)
      await saveItems(t.db, study.actor, {
        visitId: v.id,
        formCode: 'bilag2004',
        items: [
          ...others.map((x) => ({ itemCode: `history_${x}`, value: '0' })),
          { itemCode: 'history_renal', value: '1' },
          { itemCode: 'creatinine', value: v.visit_code === 'D0' ? '121' : '140', unit: 'µmol/L' },
        ],
      });
    const out = join(dir, 'b04');
    await exportSdtm(t.db, study.studyId, out);
    const qs = readFileSync(join(out, 'qs.csv'), 'utf8')
      .split('\r\n')
      .filter((l) => l.includes('BILAG-2004'));
    const at = (visit: string, testcd: string) =>
      qs.find((l) => l.includes(`,${testcd},`) && l.includes(`,${visit},1,`));
    expect(at('M3', 'B04I086')).toContain(',86. Plasma/serum creatinine,140 µmol/L,140 µmol/L,,,');
    expect(at('D0', 'B04HREN')).toContain(',Renal: ever involved,1,1,1,,');
    // M3's creatinine is 115.7 % of D0's and > 130 µmol/L: renal B (instruments.md §2.2.3); D0 has no previous: D.
    expect(at('M3', 'B04GREN')).toContain(',BILAG-2004 renal grade,B,B,,Y,');
    expect(at('D0', 'B04GREN')).toContain(',BILAG-2004 renal grade,D,D,,Y,');
    // 12/8/1 numeric scheme: B = 8, the eight never-involved systems E = 0; D0's D = 0.
    expect(at('M3', 'B04TOT')).toContain(',8,8,8,Y,');
    expect(at('D0', 'B04TOT')).toContain(',0,0,0,Y,');
  });

  it('bilag2004QsRows has no grades when the assessment is incomplete, and keeps every test code ≤ 8 characters', () => {
    const rows = bilag2004QsRows({ creatinine: { value: '140', unit: 'µmol/L' } }, undefined);
    expect(rows.map((r) => r.testcd)).toEqual(['B04I086']);
    const full = bilag2004QsRows(
      Object.fromEntries(BILAG2004_SYSTEMS.map((x) => [`history_${x}`, { value: '1', unit: null }])),
      undefined,
    );
    expect(full.filter((r) => r.derived).map((r) => r.testcd)).toContain('B04TOT');
    for (const r of full) expect(r.testcd.length).toBeLessThanOrEqual(8);
  });
});
