// SDTM-style domain CSVs (DM, EX, AE, LB, QS, RS, DS) and a define-style variable listing. Scores
// and responses are not recomputed here: they come from the core through subjectEndpoints, the
// same verdicts the API and the report show. De-identified exports use pseudonyms as USUBJID,
// leave every --DTC empty when dates are shifted (the --DY study days stay), and drop free text.
// Subjects are read from the store's stream and written out one by one (issue 16): memory holds one
// page of subjects' items and one subject's rows, like the ODM export, whatever the trial size.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BILAG2004_FORM_CODE,
  BILAG2004_HAEM_LABS,
  BILAG2004_SYSTEM_ITEMS,
  BILAG2004_SYSTEM_LABELS,
  bilag2004FromItems,
  dueToSleItemCode,
  historyItemCode,
  itemFormsFor,
  type LabFlag,
  labFlagsOfForm,
  labSampleDate,
  SLEDAI2K_DESCRIPTOR_ITEMS,
  significanceItems,
} from '@msct/core/crf';
import { type DatasetSubject, endpointsOfSubject, previousAssessment } from '@msct/core/dataset';
import { convertUnitEitherWay } from '@msct/core/instruments';
import { storedDefinition } from '@msct/core/protocol';
import { SERIOUSNESS, SERIOUSNESS_SDTM_FLAGS, type Seriousness } from '@msct/core/safety';
import { type Db, forEachTrialSubject, getStudy } from '@msct/store';
import { countryAlpha3 } from './iso-3166.js';
import { type ArmBlinding, blindedExportNote, type DeidentifyOptions } from './odm-export.js';
import { writeDefineXml } from './sdtm-define-xml.js';
import {
  AE_OUTCOME_TERMS,
  AE_RELATEDNESS_TERMS,
  DISPOSITION,
  DOMAINS,
  dmArmVariables,
  LAB_TESTS,
  sdtmDayOf,
  sdtmSex,
  sdtmStudyDay,
  toStandardUnit,
} from './sdtm-domains.js';
import { type Cell, csvField, DomainFile, type Row } from './sdtm-files.js';
import { oid } from './study-metadata.js';

/** msct's version (this package's), named as the source system in Dataset-JSON and define.xml. */
const MSCT_VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

/** The variables a blinded export leaves empty (domain.variable). */
const BLINDED_VARIABLES: ReadonlySet<string> = new Set(
  ['ARMCD', 'ARM', 'ACTARMCD', 'ACTARM', 'ARMNRS'].map((v) => `DM.${v}`),
);

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

/** CDISC NRIND terms of a lab flag (a critical value is also LOW / HIGH). */
const NRIND: Readonly<Record<LabFlag, string>> = { LL: 'LOW', L: 'LOW', N: 'NORMAL', H: 'HIGH', HH: 'HIGH' };

/**
 * A subject as a blinded export sees it (issue 24): no arm, no values of the arm-revealing forms and
 * items, no infusion records when the infusion form is arm-revealing. Scores and verdicts are then
 * derived from what is left, so nothing derived from a hidden value is written either.
 */
export function blindedSubject(s: DatasetSubject, blind: ArmBlinding): DatasetSubject {
  const { arm: _arm, ...rest } = s;
  return {
    ...rest,
    visits: s.visits.map((v) => ({
      ...v,
      items: Object.fromEntries(
        Object.entries(v.items)
          .filter(([form]) => !blind.forms.has(form))
          .map(([form, items]) => [
            form,
            Object.fromEntries(Object.entries(items).filter(([item]) => !blind.items.has(`${form}/${item}`))),
          ]),
      ),
    })),
    infusions: blind.forms.has('infusion') ? [] : s.infusions,
  };
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
  const blind = opts.blind;
  // ACTARM: the arm of each subject's last correction (issue 24), unblinded exports only.
  const correctedArm = new Map<string, string>();
  if (definition.arms?.length && !blind)
    for (const c of await db.kysely
      .selectFrom('randomisation_corrections')
      .select(['subject_id', 'to_arm'])
      .where('study_id', '=', studyId)
      .orderBy('corrected_at')
      .orderBy('id')
      .execute())
      correctedArm.set(c.subject_id, c.to_arm);
  const visitNum = (code: string) => {
    const i = (definition.visits ?? []).findIndex((x) => x.code === code);
    return i < 0 ? 99 : i + 1;
  };
  // DM.COUNTRY: the country of the subject's centre in the definition (a site's code is its centre's
  // id), or the one country of every centre; ISO 3166-1 alpha-3 (SDTMIG v3.3 DM).
  const centres = definition.centres ?? [];
  const countries = new Set(centres.map((c) => countryAlpha3(c.country)));
  const onlyCountry = countries.size === 1 ? [...countries][0] : undefined;
  // LB reference ranges and flags (issue #22): the labs form and its CS/NCS items.
  const labsForm = itemFormsFor(definition).get('labs');
  const significance = labsForm ? significanceItems(labsForm) : new Map();
  const countryOf = (siteCode: string) => {
    const c = centres.find((x) => x.id === siteCode);
    return c ? countryAlpha3(c.country) : onlyCountry;
  };
  await mkdir(outDir, { recursive: true });
  const header = {
    studyOID: oid.study(study.code),
    creationDateTime: new Date().toISOString(),
    sourceSystemVersion: MSCT_VERSION,
  };
  const files = new Map(DOMAINS.map((d) => [d.name, new DomainFile(outDir, d, { studyDays, header })]));
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
    await forEachTrialSubject(db, studyId, { pseudonymise }, async (read) => {
      const s = blind ? blindedSubject(read, blind) : read;
      rows = Object.fromEntries(DOMAINS.map((d) => [d.name, []]));
      seq = {};
      // The subject's scores and verdict from the core: the same as the API's and the report's.
      const verdicts = new Map([[s.subjectId, endpointsOfSubject(s, definition)]]);
      const usubjid = `${study.code}-${s.subjectCode}`;
      // --DY: SDTM study days from RFSTDTC (= msct's day 0), no day 0 (sdtmStudyDay).
      const day = (d: string | null | undefined) => sdtmStudyDay(d, s.day0Date);
      const demo = s.visits.find((v) => v.items.demographics)?.items.demographics;
      const eos = [...s.visits].reverse().find((v) => v.items['end-of-study']?.status)?.items['end-of-study'];
      // A death: an AE with a death date, the end-of-study form's status, or the subject's status.
      const deathAe = s.adverseEvents.find((a) => a.deathDate);
      const died = !!deathAe || eos?.status?.value === 'died' || s.status === 'died';
      const deathDate =
        deathAe?.deathDate ?? (eos?.status?.value === 'died' ? (eos?.date?.value ?? null) : null);
      // EX and the treatment dates: infusions actually given (planned or not-given ones are no exposure).
      const given = s.infusions.filter((i) => i.status === 'given');
      const arm = dmArmVariables({
        arms: definition.arms,
        arm: s.arm,
        correctedArm: correctedArm.get(s.subjectId),
        treated: definition.arms?.length ? s.day0Date !== null : given.length > 0,
        status: s.status,
        blinded: !!blind,
      });
      rows.DM!.push({
        STUDYID: study.code,
        DOMAIN: 'DM',
        USUBJID: usubjid,
        SUBJID: s.subjectCode,
        RFSTDTC: s.day0Date,
        RFXSTDTC: given[0]?.date ?? null,
        RFXENDTC: given.at(-1)?.date ?? null,
        DTHDTC: deathDate,
        DTHFL: died ? 'Y' : null,
        SITEID: s.siteCode,
        BRTHDTC: pseudonymise ? null : s.birthDate,
        AGE: demo?.age_years?.value ?? null,
        AGEU: demo?.age_years ? 'YEARS' : null,
        SEX: sdtmSex(s.sex),
        ...arm,
        COUNTRY: countryOf(s.siteCode) ?? null,
        DTHDY: day(deathDate),
      });
      for (const inf of given)
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
          AEREL: AE_RELATEDNESS_TERMS[ae.relatedness] ?? ae.relatedness.toUpperCase(),
          AEOUT: ae.outcome ? (AE_OUTCOME_TERMS[ae.outcome] ?? ae.outcome.toUpperCase()) : null,
          ...seriousnessFlags(ae),
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
        const labItems = Object.entries(v.items.labs ?? {}).map(([itemCode, it]) => ({ itemCode, ...it }));
        // The sample date (the labs form's own item, else the visit date) picks the range in force.
        const sampleDate = labSampleDate(labItems, v.date);
        const flags = new Map(
          (labsForm
            ? labFlagsOfForm(labsForm, definition.labReferenceRanges, labItems, {
                centre: s.siteCode,
                sex: s.sex,
                date: sampleDate,
              })
            : []
          ).map((f) => [f.itemCode, f]),
        );
        for (const [code, it] of Object.entries(v.items.labs ?? {})) {
          const t = LAB_TESTS[code];
          if (!t) continue;
          const f = flags.get(code);
          const limit = (n: number | undefined) => (n === undefined ? null : String(n));
          const cs = significance.get(code);
          const csValue = cs ? v.items.labs?.[cs.code]?.value : undefined;
          push('LB', usubjid, {
            LBTESTCD: t.testcd,
            LBTEST: t.test,
            LBORRES: it.value,
            LBORRESU: it.unit,
            LBSTRESN: toStandardUnit(code, it.value, it.unit),
            LBSTRESU: t.std || null,
            // Limits in the original result's unit (LBORRESU); a range stated in another unit is
            // converted by core's unit functions (the same conversion its flag was judged by).
            LBORNRLO: f ? limitIn(f.range.low, f.range.unit, it.unit, code) : null,
            LBORNRHI: f ? limitIn(f.range.high, f.range.unit, it.unit, code) : null,
            LBSTNRLO: f ? toStandardUnit(code, limit(f.range.low), f.range.unit) : null,
            LBSTNRHI: f ? toStandardUnit(code, limit(f.range.high), f.range.unit) : null,
            LBNRIND: f ? NRIND[f.flag] : null,
            LBCLSIG: csValue === 'CS' ? 'Y' : csValue === 'NCS' ? 'N' : null,
            ...at,
            // The visit date, as before: a pseudonymised export shifts visit dates, not item values.
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
            RSDY: sdtmDayOf(ref?.studyDay),
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
            RSDY: sdtmDayOf(c.relapse?.studyDay),
          });
        }
      const status = eos?.status?.value ?? (died ? 'died' : s.status === 'withdrawn' ? 'withdrawn' : null);
      if (status) {
        const date = status === 'died' ? (deathDate ?? eos?.date?.value ?? null) : (eos?.date?.value ?? null);
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
    const base = spec.name.toLowerCase();
    report.files.push({ name: `${base}.csv`, rows: file.rows }, { name: `${base}.json`, rows: file.rows });
  }
  const listing = DOMAINS.flatMap((d) =>
    d.variables.map((x, i) =>
      [
        d.name,
        d.label,
        i + 1,
        x.name,
        x.label,
        x.type,
        x.origin,
        studyDays && x.date
          ? 'empty: dates shifted to study days (see --DY)'
          : blind && BLINDED_VARIABLES.has(`${d.name}.${x.name}`)
            ? 'empty: blinded export'
            : null,
      ]
        .map(csvField)
        .join(','),
    ),
  );
  await writeFile(
    join(outDir, 'define.csv'),
    `DATASET,DATASET_LABEL,ORDER,VARIABLE,LABEL,TYPE,ORIGIN,NOTE\r\n${listing.map((l) => `${l}\r\n`).join('')}`,
  );
  report.files.push({ name: 'define.csv', rows: listing.length });
  await writeDefineXml(join(outDir, 'define.xml'), {
    study: { code: study.code, title: study.title },
    domains: DOMAINS.map((d) => ({
      spec: d,
      rows: files.get(d.name)!.rows,
      stats: files.get(d.name)!.stats,
    })),
    studyDays,
    ...(blind ? { blinded: { note: blindedExportNote(blind), variables: BLINDED_VARIABLES } } : {}),
    creationDateTime: header.creationDateTime,
    sourceSystemVersion: MSCT_VERSION,
  });
  report.files.push({ name: 'define.xml', rows: listing.length });
  return report;
}

/**
 * The SDTM AE seriousness flags (SDTMIG v3.4 AE; ICH E2A criteria, core safety/vocabulary.ts
 * SERIOUSNESS_SDTM_FLAGS): Y when the AE records the criterion, else N. AESDTH is also Y when the AE
 * records a death date (a fatal AE whose criterion was not ticked is a death-record query, not a
 * survivor).
 */
export function seriousnessFlags(ae: { seriousness: readonly string[]; deathDate: string | null }) {
  const has = new Set(ae.seriousness);
  const flags = {} as Record<(typeof SERIOUSNESS_SDTM_FLAGS)[Seriousness], 'Y' | 'N'>;
  for (const c of SERIOUSNESS) flags[SERIOUSNESS_SDTM_FLAGS[c]] = has.has(c) ? 'Y' : 'N';
  if (ae.deathDate) flags.AESDTH = 'Y';
  return flags;
}

/** A range limit in the result's own unit (LBORNRLO/HI), converted when the range is in another unit. */
function limitIn(n: number | undefined, from: string, to: string | null, itemCode: string): string | null {
  if (n === undefined) return null;
  if (to === null || from === to) return String(n);
  const x = convertUnitEitherWay(n, from, to, itemCode);
  return x === undefined ? null : String(Number(x.toPrecision(12)));
}
