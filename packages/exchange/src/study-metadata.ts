// What a study looks like to the outside world: its visits, forms and items with stable OIDs. Both
// the ODM writer and the importers read this one value, so an OID means the same thing in and out.
import { type FormDefinitionItems, type ItemDefinition, itemFormsFor } from '@msct/core/crf';
import { type StoredDefinition, storedDefinition } from '@msct/core/protocol';
import { type Db, getStudy } from '@msct/store';

/** A visit as an ODM StudyEventDef. */
export interface ExchangeVisit {
  code: string;
  label: string;
  oid: string;
  /** Repeats in re-treatment cycles: StudyEventRepeatKey carries the cycle. */
  repeating: boolean;
  type: 'Scheduled' | 'Unscheduled';
  formCodes: string[];
}

export interface ExchangeMetadata {
  studyId: string;
  studyCode: string;
  studyTitle: string;
  definitionVersion: string;
  visits: ExchangeVisit[];
  /** Forms with item definitions (the catalog's), in the definition's order. */
  forms: Map<string, FormDefinitionItems>;
  /** Every unit any item accepts, with its MeasurementUnit OID. */
  units: Map<string, string>;
  /** The study's largest number of treatment cycles (definition: infusion plan maxCycles; none without one). */
  maxCycles: number | undefined;
  /** The definition itself: the entry rules (core protocol/entry-rules.ts) are applied against it. */
  definition: StoredDefinition;
}

export const UNSCHEDULED = 'UNSCHEDULED';

// OIDs: one prefix per kind, then msct's own codes, so an OID is readable and reversible.
export const oid = {
  study: (code: string) => `S.${safe(code)}`,
  metaDataVersion: (version: string) => `MDV.${safe(version)}`,
  visit: (code: string) => `SE.${safe(code)}`,
  form: (code: string) => `F.${safe(code)}`,
  itemGroup: (code: string) => `IG.${safe(code)}`,
  item: (form: string, item: string) => `I.${safe(form)}.${safe(item)}`,
  codeList: (form: string, item: string) => `CL.${safe(form)}.${safe(item)}`,
  unit: (n: number) => `MU.${n}`,
  location: (siteCode: string) => `LOC.${safe(siteCode)}`,
  user: (name: string) => `USR.${safe(name)}`,
  /** The n-th meaning of a signature given in the study (AdminData SignatureDef). */
  signatureDef: (n: number) => `SD.${n}`,
} as const;

/** The code list every boolean item shares: msct stores 1 (present/yes) and 0 (absent/no). */
export const BOOLEAN_CODE_LIST = 'CL.BOOLEAN';

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * The subject and visit facts that are not CRF items (sex, birth date, day 0, status; visit date)
 * travel in two reserved forms, so a file imported elsewhere keeps them and msct can rebuild its
 * own records from its own export. Their codes cannot clash with a catalog form (upper case).
 */
export const SUBJECT_FORM: FormDefinitionItems = {
  formCode: 'SUBJECT',
  title: 'Subject record',
  items: [
    { code: 'SEX', label: 'Sex', type: 'text' },
    { code: 'BIRTH_DATE', label: 'Birth date', type: 'date' },
    { code: 'DAY0_DATE', label: 'Study day 0 (first infusion)', type: 'date' },
    { code: 'STATUS', label: 'Subject status', type: 'text' },
  ],
};
export const SUBJECT_EVENT = 'SUBJECT';
export const VISIT_FORM: FormDefinitionItems = {
  formCode: 'VISIT',
  title: 'Visit record',
  items: [
    { code: 'VISIT_DATE', label: 'Visit date', type: 'date' },
    { code: 'STUDY_DAY', label: 'Study day of the visit (de-identified exports)', type: 'integer' },
  ],
};

export function buildMetadata(
  study: { id: string; code: string; title: string },
  definition: StoredDefinition,
): ExchangeMetadata {
  const forms = itemFormsFor(definition);
  const formDefs = definition.forms ?? [];
  const formsAt = (visitCode: string) =>
    formDefs.filter((f) => f.visitCodes.includes(visitCode) && forms.has(f.id)).map((f) => f.id);
  const visits: ExchangeVisit[] = (definition.visits ?? []).map((v) => ({
    code: v.code,
    label: v.label,
    oid: oid.visit(v.code),
    repeating: v.repeatsInCycles,
    type: 'Scheduled',
    formCodes: formsAt(v.code),
  }));
  if (formDefs.some((f) => f.visitCodes.includes(UNSCHEDULED)))
    visits.push({
      code: UNSCHEDULED,
      label: 'Unscheduled visit',
      oid: oid.visit(UNSCHEDULED),
      repeating: true,
      type: 'Unscheduled',
      formCodes: formsAt(UNSCHEDULED),
    });
  const units = new Map<string, string>();
  for (const f of forms.values())
    for (const it of f.items)
      for (const u of it.units ?? []) if (!units.has(u)) units.set(u, oid.unit(units.size + 1));
  return {
    studyId: study.id,
    studyCode: study.code,
    studyTitle: study.title,
    definitionVersion: definition.version ?? '1',
    visits,
    forms,
    units,
    maxCycles: definition.infusion?.maxCycles,
    definition,
  };
}

export async function loadMetadata(db: Db, studyId: string): Promise<ExchangeMetadata> {
  const study = await getStudy(db, studyId);
  return buildMetadata(study, storedDefinition(study.definition_json, study.code));
}

/** Free text could name a person or a place: de-identified exports leave it out. */
export function isFreeText(def: ItemDefinition): boolean {
  return def.type === 'text';
}

/** Resolves `form.item` against the catalog; undefined when either is unknown. */
export function findItem(meta: ExchangeMetadata, formCode: string, itemCode: string) {
  const form = meta.forms.get(formCode);
  const item = form?.items.find((i) => i.code === itemCode);
  return form && item ? { form, item } : undefined;
}

/** Whole days from day 0 to an ISO date (day 0 = first infusion; DESIGN.md conventions). */
export function studyDay(date: string | null, day0: string | null): number | null {
  if (!date || !day0) return null;
  const d = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
  const z = Date.parse(`${day0.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d) || Number.isNaN(z)) return null;
  return Math.round((d - z) / 86_400_000);
}
