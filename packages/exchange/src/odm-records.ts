// Infusions and adverse events in ODM. They are not CRF forms in msct (they are their own records,
// store/src/repositories/subject-records.ts), so they travel as two reserved forms of the subject-level
// event SE.SUBJECT, each with a repeating item group: one ItemGroupData per infusion (F.INFUSION /
// IG.INFUSION) and per adverse event (F.AE / IG.AE), ItemGroupRepeatKey = its ordinal within the
// subject. The ranges and code lists are those the API applies (routes/safety.ts), checked on import
// with the same item check as every other value (checkItemValue); the code lists are core's one
// vocabulary of these records (safety/vocabulary.ts).
import { checkItemValue, type FormDefinitionItems, type ItemDefinition, textIssue } from '@msct/core/crf';
import {
  AE_OUTCOME_CODE_LIST,
  EXPECTEDNESS,
  INFUSION_STATUS_CODE_LIST,
  RELATEDNESS_CODE_LIST,
  SERIOUSNESS,
  SERIOUSNESS_CODE_LIST,
  SERIOUSNESS_SDTM_FLAGS,
} from '@msct/core/safety';
import type { AdverseEventTable, InfusionTable, SaeDetailColumn } from '@msct/store';
import type { ImportRule } from './import-check.js';

/** An item of a record form: an ItemDefinition plus what ODM needs beyond msct's item types. */
export interface RecordItem extends ItemDefinition {
  /** ODM DataType when it is not the one of `type` (instants are datetimes). */
  odmType?: 'datetime';
  /** Text that is data, not free text (the AE term is the data: kept in de-identified exports). */
  notFreeText?: boolean;
  /** Derived on export, ignored on import. */
  derived?: boolean;
}

export interface RecordForm extends FormDefinitionItems {
  items: readonly RecordItem[];
}

export const INFUSION_FORM: RecordForm = {
  formCode: 'INFUSION',
  title: 'MSC infusion',
  items: [
    { code: 'CYCLE', label: 'Treatment cycle', type: 'integer', min: 1, max: 20 },
    { code: 'INFUSION_NUMBER', label: 'Infusion number within the cycle', type: 'integer', min: 1, max: 10 },
    { code: 'PLANNED_DATE', label: 'Planned date', type: 'date' },
    { code: 'STARTED_AT', label: 'Infusion started (UTC)', type: 'text', odmType: 'datetime' },
    { code: 'ENDED_AT', label: 'Infusion ended (UTC)', type: 'text', odmType: 'datetime' },
    { code: 'PRODUCT_LOT', label: 'Product lot', type: 'text', notFreeText: true },
    { code: 'TOTAL_CELLS', label: 'Total cells infused', type: 'decimal', min: 0, max: 1e12 },
    {
      code: 'CELLS_PER_KG',
      label: 'Cells per kg body weight (derived: total cells / weight)',
      type: 'decimal',
      derived: true,
    },
    { code: 'VIABILITY_PCT', label: 'Cell viability (%)', type: 'decimal', min: 0, max: 100 },
    { code: 'VOLUME_ML', label: 'Volume (mL)', type: 'decimal', min: 0, max: 5000 },
    { code: 'WEIGHT_KG', label: 'Body weight (kg)', type: 'decimal', min: 0, max: 400 },
    { code: 'VITALS', label: 'Vital signs (JSON)', type: 'text' },
    { code: 'REACTIONS', label: 'Infusion reactions', type: 'text' },
    {
      code: 'STATUS',
      label: 'Infusion status',
      type: 'code',
      codes: INFUSION_STATUS_CODE_LIST.codes,
    },
  ],
};

/** ICH E2A seriousness criteria, one boolean each, named as the SDTM AE flags: [flag, criterion, label]. */
export const SERIOUSNESS_ITEMS = SERIOUSNESS.map(
  (criterion) =>
    [
      SERIOUSNESS_SDTM_FLAGS[criterion],
      criterion,
      SERIOUSNESS_CODE_LIST.codes.find((c) => c.code === criterion)!.label,
    ] as const,
);

export const AE_FORM: RecordForm = {
  formCode: 'AE',
  title: 'Adverse event',
  items: [
    { code: 'TERM', label: 'Reported term', type: 'text', notFreeText: true },
    { code: 'ONSET_DATE', label: 'Onset date', type: 'date' },
    { code: 'RESOLUTION_DATE', label: 'Resolution date', type: 'date' },
    {
      code: 'CTCAE_GRADE',
      label: 'CTCAE grade',
      type: 'integer',
      min: 1,
      max: 5,
      source: 'CTCAE v5.0',
    },
    { code: 'AESER', label: 'Serious (any ICH E2A criterion; derived)', type: 'boolean', derived: true },
    ...SERIOUSNESS_ITEMS.map(([code, , label]): RecordItem => ({ code, label, type: 'boolean' })),
    {
      code: 'RELATEDNESS',
      label: RELATEDNESS_CODE_LIST.label,
      type: 'code',
      codes: RELATEDNESS_CODE_LIST.codes,
    },
    { code: 'ACTION_TAKEN', label: 'Action taken', type: 'text' },
    {
      code: 'OUTCOME',
      label: AE_OUTCOME_CODE_LIST.label,
      type: 'code',
      codes: AE_OUTCOME_CODE_LIST.codes,
    },
    { code: 'INFUSION_CYCLE', label: 'Linked infusion: cycle', type: 'integer', min: 1, max: 20 },
    { code: 'INFUSION_NUMBER', label: 'Linked infusion: number', type: 'integer', min: 1, max: 10 },
    { code: 'DEATH_DATE', label: 'Date of death', type: 'date' },
    { code: 'DEATH_CAUSE', label: 'Cause of death', type: 'text' },
    // The SAE detail (migration 010, issue #21): the dates the ICH E2A reporting clock runs on, the
    // narrative and the sponsor's assessment (causality and expectedness, ICH E2A §II.C).
    { code: 'SERIOUS_DATE', label: 'Date the event became serious', type: 'date' },
    { code: 'SITE_AWARE_AT', label: 'Site became aware (UTC)', type: 'text', odmType: 'datetime' },
    { code: 'SPONSOR_NOTIFIED_AT', label: 'Sponsor notified (UTC)', type: 'text', odmType: 'datetime' },
    { code: 'REPORTED_DATE', label: 'Reported to the authorities', type: 'date' },
    { code: 'NARRATIVE', label: 'SAE narrative', type: 'text' },
    {
      code: 'SPONSOR_RELATEDNESS',
      label: `${RELATEDNESS_CODE_LIST.label} (sponsor)`,
      type: 'code',
      codes: RELATEDNESS_CODE_LIST.codes,
    },
    {
      code: 'EXPECTEDNESS',
      label: 'Expectedness (sponsor)',
      type: 'code',
      codes: EXPECTEDNESS.map((code) => ({ code, label: code === 'expected' ? 'Expected' : 'Unexpected' })),
    },
  ],
};

/** Item of each SAE detail column (migration 010) in the AE form. */
const SAE_ITEMS: readonly (readonly [string, SaeDetailColumn])[] = [
  ['SERIOUS_DATE', 'serious_date'],
  ['SITE_AWARE_AT', 'site_aware_at'],
  ['SPONSOR_NOTIFIED_AT', 'sponsor_notified_at'],
  ['REPORTED_DATE', 'reported_date'],
  ['NARRATIVE', 'narrative'],
  ['SPONSOR_RELATEDNESS', 'sponsor_relatedness'],
  ['EXPECTEDNESS', 'expectedness'],
];

export const RECORD_FORMS = [INFUSION_FORM, AE_FORM] as const;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): string | null => (v === null || v === undefined ? null : String(Number(v)));

/** An infusion row as item values (null = no value). */
export function infusionValues(r: InfusionTable): Record<string, string | null> {
  const total = r.total_cells === null ? null : Number(r.total_cells);
  const weight = r.weight_kg === null ? null : Number(r.weight_kg);
  return {
    CYCLE: num(r.cycle),
    INFUSION_NUMBER: num(r.infusion_number),
    PLANNED_DATE: str(r.planned_date),
    STARTED_AT: str(r.started_at),
    ENDED_AT: str(r.ended_at),
    PRODUCT_LOT: str(r.product_lot),
    TOTAL_CELLS: num(r.total_cells),
    CELLS_PER_KG: total !== null && weight ? String(Math.round(total / weight)) : null,
    VIABILITY_PCT: num(r.viability_pct),
    VOLUME_ML: num(r.volume_ml),
    WEIGHT_KG: num(r.weight_kg),
    VITALS: str(r.vitals_json),
    REACTIONS: str(r.reactions),
    STATUS: str(r.status),
  };
}

/** An adverse event row as item values; `linked` is the linked infusion's cycle and number. */
export function aeValues(
  r: AdverseEventTable,
  linked: { cycle: number; number: number } | undefined,
): Record<string, string | null> {
  const criteria = new Set(JSON.parse(r.seriousness_json) as string[]);
  const out: Record<string, string | null> = {
    TERM: r.term,
    ONSET_DATE: r.onset_date,
    RESOLUTION_DATE: str(r.resolution_date),
    CTCAE_GRADE: num(r.ctcae_grade),
    AESER: Number(r.serious) === 1 ? '1' : '0',
  };
  for (const [code, criterion] of SERIOUSNESS_ITEMS) out[code] = criteria.has(criterion) ? '1' : '0';
  return {
    ...out,
    RELATEDNESS: r.relatedness,
    ACTION_TAKEN: str(r.action_taken),
    OUTCOME: str(r.outcome),
    INFUSION_CYCLE: linked ? String(linked.cycle) : null,
    INFUSION_NUMBER: linked ? String(linked.number) : null,
    DEATH_DATE: str(r.death_date),
    DEATH_CAUSE: str(r.death_cause),
    ...Object.fromEntries(SAE_ITEMS.map(([code, column]) => [code, str(r[column])])),
  };
}

export type InfusionColumns = Omit<InfusionTable, 'id' | 'subject_id' | 'created_at' | 'version'>;
/** The ODM carries the AE as reported and, when the file has them, the SAE detail of migration 010. */
export type AeColumns = Omit<
  AdverseEventTable,
  'id' | 'subject_id' | 'created_at' | 'version' | SaeDetailColumn
> &
  Partial<Pick<AdverseEventTable, SaeDetailColumn>>;

const n = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));
const s = (v: string | null | undefined) => (v === undefined ? null : v);

export function infusionColumns(v: Record<string, string | null>): InfusionColumns {
  return {
    cycle: Number(v.CYCLE),
    infusion_number: Number(v.INFUSION_NUMBER),
    planned_date: s(v.PLANNED_DATE),
    started_at: s(v.STARTED_AT),
    ended_at: s(v.ENDED_AT),
    product_lot: s(v.PRODUCT_LOT),
    total_cells: n(v.TOTAL_CELLS),
    viability_pct: n(v.VIABILITY_PCT),
    volume_ml: n(v.VOLUME_ML),
    weight_kg: n(v.WEIGHT_KG),
    vitals_json: s(v.VITALS),
    reactions: s(v.REACTIONS),
    status: v.STATUS ?? 'planned',
  };
}

/** AE columns without the infusion link (resolved by the caller from INFUSION_CYCLE/NUMBER). */
export function aeColumns(v: Record<string, string | null>): Omit<AeColumns, 'infusion_id'> {
  const seriousness = SERIOUSNESS_ITEMS.filter(([code]) => v[code] === '1').map(([, c]) => c);
  return {
    term: v.TERM!,
    onset_date: v.ONSET_DATE!,
    resolution_date: s(v.RESOLUTION_DATE),
    ctcae_grade: n(v.CTCAE_GRADE),
    serious: seriousness.length > 0 ? 1 : 0,
    seriousness_json: JSON.stringify(seriousness),
    relatedness: v.RELATEDNESS!,
    action_taken: s(v.ACTION_TAKEN),
    outcome: s(v.OUTCOME),
    death_date: s(v.DEATH_DATE),
    death_cause: s(v.DEATH_CAUSE),
    // Only the SAE detail the file carries: a file without it (an older export, a de-identified
    // one) leaves what is recorded alone.
    ...Object.fromEntries(
      SAE_ITEMS.filter(([code]) => v[code] !== undefined).map(([code, column]) => [column, v[code]]),
    ),
  };
}

const REQUIRED: Record<string, readonly string[]> = {
  INFUSION: ['CYCLE', 'INFUSION_NUMBER'],
  AE: ['TERM', 'ONSET_DATE', 'RELATEDNESS'],
};
/** The longest text of a record item, as the API accepts it (routes/safety.ts); others: 2000. */
const MAX_CHARS: Record<string, number> = {
  TERM: 200,
  PRODUCT_LOT: 60,
  ACTION_TAKEN: 500,
  DEATH_CAUSE: 500,
  NARRATIVE: 10_000,
  VITALS: 100_000,
};
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** One value of a record form: the item check of entry, plus datetimes (which msct's item types lack). */
export function checkRecordValue(
  form: RecordForm,
  itemCode: string,
  value: string | null,
  unit: string | null,
): { rule: ImportRule; message: string } | undefined {
  if (value !== null) {
    // The text rule and the field lengths of the API (http/text.ts, routes/safety.ts).
    const text = textIssue(value, MAX_CHARS[itemCode] ?? 2000);
    if (text) return { rule: text.rule, message: `${itemCode} ${text.message}` };
  }
  const issue = checkItemValue(form, itemCode, value, unit);
  if (issue) return { rule: issue.code, message: issue.message };
  const def = form.items.find((i) => i.code === itemCode)!;
  if (
    def.odmType === 'datetime' &&
    value !== null &&
    !(INSTANT.test(value) && !Number.isNaN(Date.parse(value)))
  )
    return {
      rule: 'value-invalid',
      message: `${def.label}: "${value}" is not an instant YYYY-MM-DDThh:mm:ssZ`,
    };
  return undefined;
}

/** The items a record cannot be created without. */
export function missingRequired(form: RecordForm, values: Record<string, string | null>): string[] {
  return (REQUIRED[form.formCode] ?? []).filter((c) => values[c] === undefined || values[c] === null);
}
