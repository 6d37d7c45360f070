// SDTM-style domain CSVs (DM, EX, AE, LB, QS, RS, DS) and a define-style variable listing. Scores
// and responses are not recomputed here: they come from the core through subjectEndpoints, the
// same verdicts the API and the report show. De-identified exports use pseudonyms as USUBJID,
// leave every --DTC empty when dates are shifted (the --DY study days stay), and drop free text.
// Subjects are read from the store's stream and written out one by one (issue 16): memory holds one
// page of subjects' items and one subject's rows, like the ODM export, whatever the trial size.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import {
  BILAG2004_FORM_CODE,
  BILAG2004_HAEM_LABS,
  BILAG2004_SYSTEM_ITEMS,
  BILAG2004_SYSTEM_LABELS,
  bilag2004FromItems,
  dueToSleItemCode,
  historyItemCode,
  SLEDAI2K_DESCRIPTOR_ITEMS,
} from '@msct/core/crf';
import { endpointsOfSubject, previousAssessment } from '@msct/core/dataset';
import { storedDefinition } from '@msct/core/protocol';
import { type Db, forEachTrialSubject, getStudy } from '@msct/store';
import type { DeidentifyOptions } from './odm-export.js';
import { DISPOSITION, DOMAINS, type DomainSpec, LAB_TESTS, toStandardUnit } from './sdtm-domains.js';
import { studyDay } from './study-metadata.js';

type Cell = string | number | null | undefined;
type Row = Record<string, Cell>;

export interface SdtmExportReport {
  files: { name: string; rows: number }[];
}

const BILAG_CODES: Record<string, string> = {
  general: 'BILGEN',
  mucocutaneous: 'BILMUC',
  neurological: 'BILNEU',
  musculoskeletal: 'BILMSK',
  cardiorespiratory: 'BILCAR',
  vasculitis: 'BILVAS',
  renal: 'BILREN',
  haematological: 'BILHAE',
};

/** BILAG-2004 system → the three letters of its QSTESTCDs (B04G… grade, B04H… ever involved). */
const BILAG2004_CODES: Record<string, string> = {
  constitutional: 'CON',
  mucocutaneous: 'MUC',
  neuropsychiatric: 'NEU',
  musculoskeletal: 'MSK',
  cardiorespiratory: 'CAR',
  gastrointestinal: 'GAS',
  ophthalmic: 'OPH',
  renal: 'REN',
  haematological: 'HAE',
};
const HAEM_LAB_CODES: Record<string, string> = {
  haemoglobin: 'HGB',
  wcc: 'WBC',
  neutrophils: 'NEUT',
  lymphocytes: 'LYM',
  platelets: 'PLAT',
};

/**
 * The BILAG-2004 rows of one assessment: every item (QSTESTCD B04I + its number in the 97-item
 * form), "ever involved" per system (B04H…), "due to SLE" per cytopenia (B04D…), then the grades
 * (B04G…) and the numeric total (B04TOT, 12/8/1) derived by the core scorer with the renal change
 * rules against the previous assessment (instruments.md §2.2.3).
 */
export function bilag2004QsRows(
  form: Readonly<Record<string, { value: string | null; unit: string | null }>>,
  previous: Readonly<Record<string, { value: string | null; unit: string | null }>> | undefined,
): { testcd: string; test: string; orres: string | number; derived: boolean }[] {
  const out: { testcd: string; test: string; orres: string | number; derived: boolean }[] = [];
  const text = (it: { value: string | null; unit: string | null } | undefined) =>
    it && it.value !== null && it.value !== '' ? (it.unit ? `${it.value} ${it.unit}` : it.value) : undefined;
  for (const [system, items] of Object.entries(BILAG2004_SYSTEM_ITEMS)) {
    for (const d of items) {
      const v = text(form[d.id]);
      if (v !== undefined)
        out.push({
          testcd: `B04I${String(d.number).padStart(3, '0')}`,
          test: `${d.number}. ${d.label}`,
          orres: v,
          derived: false,
        });
    }
    const h = text(form[historyItemCode(system as keyof typeof BILAG2004_SYSTEM_LABELS)]);
    if (h !== undefined)
      out.push({
        testcd: `B04H${BILAG2004_CODES[system]}`,
        test: `${BILAG2004_SYSTEM_LABELS[system as keyof typeof BILAG2004_SYSTEM_LABELS]}: ever involved`,
        orres: h,
        derived: false,
      });
  }
  for (const lab of BILAG2004_HAEM_LABS) {
    const v = text(form[dueToSleItemCode(lab)]);
    if (v !== undefined)
      out.push({
        testcd: `B04D${HAEM_LAB_CODES[lab]}`,
        test: `${lab}: due to SLE activity`,
        orres: v,
        derived: false,
      });
  }
  const r = bilag2004FromItems(form, previous, { trace: false });
  if (r.ok) {
    for (const [system, grade] of Object.entries(r.value.grades))
      out.push({
        testcd: `B04G${BILAG2004_CODES[system]}`,
        test: `BILAG-2004 ${system} grade`,
        orres: grade,
        derived: true,
      });
    out.push({
      testcd: 'B04TOT',
      test: 'BILAG-2004 numeric total (12/8/1)',
      orres: r.value.numeric,
      derived: true,
    });
  }
  return out;
}

function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One domain's CSV file, written row by row with backpressure. */
class DomainFile {
  private readonly file;
  rows = 0;
  private error: Error | undefined;
  /** Lines not yet handed to the file: written 64 kB at a time, not a write (and a wait) per line. */
  private pending = '';
  constructor(
    outDir: string,
    private readonly spec: DomainSpec,
    private readonly studyDays: boolean,
  ) {
    this.file = createWriteStream(join(outDir, `${spec.name.toLowerCase()}.csv`));
    // A write error (disk full…) is kept and thrown at the next write or at close, not left unhandled.
    this.file.on('error', (e) => {
      this.error ??= e;
    });
    this.pending = `${spec.variables.map((x) => x.name).join(',')}\r\n`;
  }
  async write(r: Row): Promise<void> {
    if (this.error) throw this.error;
    this.rows++;
    this.pending += `${this.spec.variables.map((x) => csvField(this.studyDays && x.date ? null : r[x.name])).join(',')}\r\n`;
    if (this.pending.length >= 1 << 16) await this.flush();
  }
  private async flush(): Promise<void> {
    const text = this.pending;
    this.pending = '';
    if (text && !this.file.write(text))
      await new Promise<void>((res) => this.file.once('drain', () => res()));
  }
  async close(): Promise<void> {
    if (this.error) throw this.error;
    await this.flush();
    this.file.end();
    await finished(this.file);
  }
  destroy(): void {
    this.file.destroy();
  }
}

async function writeDomain(outDir: string, spec: DomainSpec, rows: Row[], studyDays: boolean) {
  const file = new DomainFile(outDir, spec, studyDays);
  for (const r of rows) await file.write(r);
  await file.close();
}

export async function exportSdtm(
  db: Db,
  studyId: string,
  outDir: string,
  opts: DeidentifyOptions = {},
): Promise<SdtmExportReport> {
  const study = await getStudy(db, studyId);
  const definition = storedDefinition(study.definition_json, study.code);
  const pseudonymise = !!opts.pseudonymise;
  const studyDays = opts.shiftDates === 'study-day';
  const visitNum = (code: string) => {
    const i = (definition.visits ?? []).findIndex((x) => x.code === code);
    return i < 0 ? 99 : i + 1;
  };
  await mkdir(outDir, { recursive: true });
  const files = new Map(DOMAINS.map((d) => [d.name, new DomainFile(outDir, d, studyDays)]));
  // One subject's rows at a time (SEQ numbers count within a subject).
  let rows: Record<string, Row[]> = {};
  let seq: Record<string, number> = {};
  const push = (domain: string, usubjid: string, r: Row) => {
    const k = `${domain}|${usubjid}`;
    seq[k] = (seq[k] ?? 0) + 1;
    rows[domain]!.push({
      STUDYID: study.code,
      DOMAIN: domain,
      USUBJID: usubjid,
      [`${domain}SEQ`]: seq[k],
      ...r,
    });
  };

  try {
    await forEachTrialSubject(db, studyId, { pseudonymise }, async (s) => {
      rows = Object.fromEntries(DOMAINS.map((d) => [d.name, []]));
      seq = {};
      // The subject's scores and verdict from the core: the same as the API's and the report's.
      const verdicts = new Map([[s.subjectId, endpointsOfSubject(s, definition)]]);
      const usubjid = `${study.code}-${s.subjectCode}`;
      const day = (d: string | null | undefined) => studyDay(d ?? null, s.day0Date);
      const death = s.adverseEvents.find((a) => a.deathDate);
      const demo = s.visits.find((v) => v.items.demographics)?.items.demographics;
      rows.DM!.push({
        STUDYID: study.code,
        DOMAIN: 'DM',
        USUBJID: usubjid,
        SUBJID: s.subjectCode,
        RFSTDTC: s.day0Date,
        RFXSTDTC: s.infusions[0]?.date ?? s.day0Date,
        SITEID: s.siteCode,
        BRTHDTC: pseudonymise ? null : s.birthDate,
        AGE: demo?.age_years?.value ?? null,
        AGEU: demo?.age_years ? 'YEARS' : null,
        SEX: s.sex,
        ARMCD: 'UCMSC',
        ARM: 'Umbilical cord MSC transplantation',
        DTHDTC: death?.deathDate ?? null,
        DTHFL: death ? 'Y' : null,
      });
      for (const inf of s.infusions)
        push('EX', usubjid, {
          EXTRT: 'UC-MSC',
          EXDOSE:
            inf.totalCells !== null && inf.weightKg
              ? Math.round((inf.totalCells / inf.weightKg) * 1000) / 1000
              : null,
          EXDOSU: 'cells/kg',
          EXROUTE: 'INTRAVENOUS',
          EXLOT: inf.productLot,
          EXSTDTC: inf.date,
          EXSTDY: day(inf.date),
          CYCLE: inf.cycle,
          EXINFNUM: inf.infusionNumber,
        });
      for (const ae of s.adverseEvents)
        push('AE', usubjid, {
          AETERM: ae.term,
          AEDECOD: ae.term.toUpperCase(),
          AESTDTC: ae.onsetDate,
          AEENDTC: ae.resolutionDate,
          AESTDY: day(ae.onsetDate),
          AETOXGR: ae.ctcaeGrade === null ? null : String(ae.ctcaeGrade),
          AESER: ae.serious ? 'Y' : 'N',
          AEREL: ae.relatedness.toUpperCase(),
          AEOUT: ae.outcome?.toUpperCase() ?? null,
          AESDTH: ae.deathDate ? 'Y' : 'N',
        });
      const derived = new Map((verdicts.get(s.subjectId)?.visits ?? []).map((v) => [v.visitId, v]));
      // The previous BILAG-2004 assessment of each visit, chosen as the scores route chooses it.
      const b04Refs = s.visits.map((v) => ({
        id: v.visitId,
        visitDate: v.date,
        hasAssessment: Object.values(v.items[BILAG2004_FORM_CODE] ?? {}).some(
          (i) => i.value !== null && i.value !== '',
        ),
      }));
      const visitById = new Map(s.visits.map((v) => [v.visitId, v]));
      for (const v of s.visits) {
        const at = { VISITNUM: visitNum(v.visitCode), VISIT: v.visitCode, CYCLE: v.cycle };
        for (const [code, it] of Object.entries(v.items.labs ?? {})) {
          const t = LAB_TESTS[code];
          if (!t) continue;
          push('LB', usubjid, {
            LBTESTCD: t.testcd,
            LBTEST: t.test,
            LBORRES: it.value,
            LBORRESU: it.unit,
            LBSTRESN: toStandardUnit(code, it.value, it.unit),
            LBSTRESU: t.std || null,
            ...at,
            LBDTC: v.date,
            LBDY: day(v.date),
          });
        }
        const qs = (cat: string, testcd: string, test: string, orres: Cell, drv = false) =>
          push('QS', usubjid, {
            QSCAT: cat,
            QSTESTCD: testcd,
            QSTEST: test,
            QSORRES: orres === null || orres === undefined ? null : String(orres),
            QSSTRESC: orres === null || orres === undefined ? null : String(orres),
            QSSTRESN:
              typeof orres === 'number'
                ? orres
                : orres !== null && /^\d+$/.test(String(orres))
                  ? Number(orres)
                  : null,
            QSDRVFL: drv ? 'Y' : null,
            ...at,
            QSDTC: v.date,
            QSDY: day(v.date),
          });
        const sledai = v.items.sledai2k;
        if (sledai)
          SLEDAI2K_DESCRIPTOR_ITEMS.forEach((d, i) => {
            const n = String(i + 1).padStart(2, '0');
            const it = sledai[d.code];
            if (it) qs('SLEDAI-2K', `SLEDAI${n}`, d.label, it.value);
            // The attribution is its own test (Clarification 5): SLEDNSnn = present but not due to SLE.
            const not = sledai[`${d.code}_not_sle`];
            if (not) qs('SLEDAI-2K', `SLEDNS${n}`, `${d.label}: present but not due to SLE`, not.value);
          });
        const bilag = v.items.bilag;
        if (bilag)
          for (const [system, code] of Object.entries(BILAG_CODES)) {
            const it = bilag[system];
            if (it) qs('BILAG', code, `BILAG ${system} grade`, it.value);
          }
        const b04 = v.items[BILAG2004_FORM_CODE];
        if (b04) {
          const prev = previousAssessment(b04Refs, v.visitId);
          const prevItems = prev ? visitById.get(prev.id)?.items[BILAG2004_FORM_CODE] : undefined;
          for (const row of bilag2004QsRows(b04, prevItems))
            qs('BILAG-2004', row.testcd, row.test, row.orres, row.derived);
        }
        const d = derived.get(v.visitId);
        if (d?.sledai !== null && d?.sledai !== undefined)
          qs('SLEDAI-2K', 'SLEDTOT', 'SLEDAI-2K total score', d.sledai, true);
        if (d?.bilagTotal !== null && d?.bilagTotal !== undefined)
          qs('BILAG', 'BILTOT', 'BILAG total score', d.bilagTotal, true);
      }
      const verdict = verdicts.get(s.subjectId)?.adjudication;
      if (!verdict)
        push('RS', usubjid, {
          RSTESTCD: 'OVRLRESP',
          RSTEST: 'Overall Response',
          RSCAT: `SLE RESPONSE (${definition.endpointRuleSetId ?? 'no rule set'})`,
          RSSTAT: 'NOT DONE',
          RSREASND: (verdicts.get(s.subjectId)?.problems ?? []).join('; ') || 'not adjudicable',
          RSEVAL: 'msct adjudication',
        });
      else
        for (const c of verdict.cycles) {
          const ref = c.response ?? c.lastAssessment;
          push('RS', usubjid, {
            RSTESTCD: 'OVRLRESP',
            RSTEST: 'Overall Response',
            RSCAT: `SLE RESPONSE (${verdict.ruleSet.id} v${verdict.ruleSet.version})`,
            RSORRES: c.outcome,
            RSSTRESC: c.outcome,
            RSEVAL: 'msct adjudication',
            VISITNUM: ref ? visitNum(ref.visitCode) : null,
            VISIT: ref?.visitCode ?? null,
            CYCLE: c.cycle,
            RSDTC: ref?.date ?? null,
            RSDY: ref?.studyDay ?? null,
          });
          push('RS', usubjid, {
            RSTESTCD: 'RELAPSE',
            RSTEST: 'Relapse after response',
            RSCAT: `SLE RESPONSE (${verdict.ruleSet.id} v${verdict.ruleSet.version})`,
            RSORRES: c.relapse ? 'Y' : 'N',
            RSSTRESC: c.relapse ? 'Y' : 'N',
            RSEVAL: 'msct adjudication',
            VISITNUM: c.relapse ? visitNum(c.relapse.visitCode) : null,
            VISIT: c.relapse?.visitCode ?? null,
            CYCLE: c.cycle,
            RSDTC: c.relapse?.date ?? null,
            RSDY: c.relapse?.studyDay ?? null,
          });
        }
      const eos = [...s.visits].reverse().find((v) => v.items['end-of-study']?.status)?.items['end-of-study'];
      const status =
        eos?.status?.value ??
        (s.status === 'died' || death ? 'died' : s.status === 'withdrawn' ? 'withdrawn' : null);
      if (status) {
        const date =
          status === 'died' ? (death?.deathDate ?? eos?.date?.value ?? null) : (eos?.date?.value ?? null);
        push('DS', usubjid, {
          DSTERM: pseudonymise
            ? (DISPOSITION[status] ?? status.toUpperCase())
            : (eos?.withdrawal_reason?.value ?? DISPOSITION[status] ?? status),
          DSDECOD: DISPOSITION[status] ?? status.toUpperCase(),
          DSCAT: 'DISPOSITION EVENT',
          DSSTDTC: date,
          DSSTDY: day(date),
        });
      }
      for (const d of DOMAINS) for (const r of rows[d.name]!) await files.get(d.name)!.write(r);
    });
  } catch (e) {
    for (const f of files.values()) f.destroy();
    throw e;
  }

  const report: SdtmExportReport = { files: [] };
  for (const spec of DOMAINS) {
    const file = files.get(spec.name)!;
    await file.close();
    report.files.push({ name: `${spec.name.toLowerCase()}.csv`, rows: file.rows });
  }
  const define: Row[] = DOMAINS.flatMap((d) =>
    d.variables.map((x, i) => ({
      DATASET: d.name,
      DATASET_LABEL: d.label,
      ORDER: i + 1,
      VARIABLE: x.name,
      LABEL: x.label,
      TYPE: x.type,
      ORIGIN: x.origin,
      NOTE: studyDays && x.date ? 'empty: dates shifted to study days (see --DY)' : null,
    })),
  );
  const defineSpec: DomainSpec = {
    name: 'DEFINE',
    label: 'Variable listing',
    variables: ['DATASET', 'DATASET_LABEL', 'ORDER', 'VARIABLE', 'LABEL', 'TYPE', 'ORIGIN', 'NOTE'].map(
      (n) => ({
        name: n,
        label: n,
        type: 'Char',
        origin: 'Assigned',
      }),
    ),
  };
  await writeDomain(outDir, defineSpec, define, false);
  report.files.push({ name: 'define.csv', rows: define.length });
  return report;
}
