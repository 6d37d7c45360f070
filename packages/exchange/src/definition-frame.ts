// What a study definition read from another system's file is made of (issue #20 "Build without
// code"): the forms, items, code lists and (when the file has them) visits come from the file; the
// parts of an msct definition that neither a REDCap data dictionary nor ODM metadata can say
// (centres, infusion plan, eligibility, endpoint rule set, re-treatment rule, BILAG version, SLEDAI
// window, title, version) come from a "study frame": a JSON object with those fields of the
// definition, given beside the file (CLI --frame FILE, API `frame`).
// Decision: nothing of the frame is invented. What neither the file nor the frame gives is left out,
// and validateStudyDefinition names each missing field by its path (`centres: is required`), so the
// user learns exactly what to add to the frame.
import {
  definitionPathText,
  type StudyDefinition,
  studyDefinitionSchema,
  type VisitDefinition,
} from '@msct/core/protocol';

/** Thrown when a file is not what it should be (wrong header, not XML, not JSON): nothing converted. */
export class DefinitionFileError extends Error {}

/** One construct of the source file that the definition does not hold as the source meant it. */
export interface UnmappedConstruct {
  /** Where it is: the CSV line (header = 1) or the ODM element's OID / path. */
  row: number | string;
  /** The field (REDCap variable), ItemDef OID or element it belongs to. */
  field: string;
  /** The construct: `branching logic [sex] = '1'`, `field type calc`, `redcap:FieldType`… */
  what: string;
  /** Why it is not in the definition, or how it was approximated. */
  why: string;
  /** `unmapped`: left out of the definition. `approximated`: kept, but not exactly as in the source. */
  kind: 'unmapped' | 'approximated';
}

/** The definition fields a study frame may give (everything but forms and code lists). */
export type StudyFrame = Partial<Omit<StudyDefinition, 'forms' | 'codeLists'>>;

/** The result of a conversion: a candidate definition (validate it) and every unmapped construct. */
export interface DefinitionConversion {
  /** The definition as converted: pass it to validateStudyDefinition, which lists what is missing. */
  definition: Record<string, unknown>;
  unmapped: UnmappedConstruct[];
  /**
   * ODM only: where the file's own ClinicalData goes in the converted definition (ItemOID →
   * `form.item`, StudyEventOID → visit code; '' → the visit of FormData outside any event), so the
   * file's data can follow its metadata (odm-metadata-mapping.ts).
   */
  oidMap?: Record<string, string>;
  /** Counts of what the file gave, for reports and tests. */
  counts: { forms: number; items: number; codeLists: number; visits: number };
}

/** The frame's shape: the definition's fields but forms and code lists, each optional. */
const frameSchema = studyDefinitionSchema.omit({ forms: true, codeLists: true }).partial();

/**
 * A study frame from an untrusted value (JSON body or file), checked against the definition's schema
 * field by field; throws DefinitionFileError naming every wrong field (`frame.centres[0].city: …`).
 */
export function studyFrameFrom(value: unknown, source = 'the study frame'): StudyFrame {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DefinitionFileError(`${source} must be a JSON object with fields of a study definition`);
  for (const key of ['forms', 'codeLists'])
    if (key in value)
      throw new DefinitionFileError(`${source} must not hold "${key}": they come from the converted file`);
  const r = frameSchema.safeParse(value);
  if (!r.success)
    throw new DefinitionFileError(
      `${source} is not part of a study definition: ${r.error.issues
        .map(
          (i) =>
            `${definitionPathText(['frame', ...i.path.map((k) => (typeof k === 'number' ? k : String(k)))])}: ${i.message}`,
        )
        .join('; ')}`,
    );
  return r.data;
}

/** Reads a study frame from JSON text. */
export function parseStudyFrame(text: string, source = 'the study frame'): StudyFrame {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DefinitionFileError(`${source} is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return studyFrameFrom(v, source);
}

/**
 * The visits of a converted file: one per event of the source, in the source's order. The source
 * gives the code, label and (REDCap scheduling) day offset; what msct also needs is taken from the
 * frame's visit of the same code when the frame has one, else derived and listed as approximated:
 * the first event is the baseline (day 0), the others assessments; day offsets count from the first
 * event's; without a day offset an event's target day is its position (day 0, 1, 2…, one day apart
 * so that the schedule's order holds);
 * windows 0; no re-treatment cycles.
 */
export function eventsToVisits(
  events: ReadonlyArray<{
    code: string;
    label: string;
    dayOffset?: number;
    window?: { before: number; after: number };
    /** The whole visit, when the source says it (msct's own export). */
    visit?: VisitDefinition;
    row: number | string;
  }>,
  frame: StudyFrame,
  unmapped: UnmappedConstruct[],
): VisitDefinition[] {
  const framed = new Map((frame.visits ?? []).map((v) => [v.code, v]));
  return events.map((e, i) => {
    const given = framed.get(e.code) ?? e.visit;
    if (given) return given;
    // msct's day 0 is the baseline: offsets count from the first event's (REDCap's may start at 1).
    const targetDay = e.dayOffset !== undefined ? e.dayOffset - (events[0]?.dayOffset ?? 0) : i;
    const shifted = e.dayOffset !== undefined && e.dayOffset !== targetDay;
    unmapped.push({
      row: e.row,
      field: e.code,
      what: `event ${JSON.stringify(e.label)} as a visit`,
      why: `the source has no visit kind${e.window ? '' : ', window'} or cycle rule: taken as ${i === 0 ? 'the baseline' : 'an assessment'} on day ${targetDay}${e.dayOffset === undefined ? ' (its position; the source gives no day offset)' : shifted ? ` (day offset ${e.dayOffset}, counted from the first event's)` : ''}${e.window ? '' : ', window 0'}, not repeated in cycles; give the visit in the study frame to set them`,
      kind: 'approximated',
    });
    return {
      code: e.code,
      label: e.label,
      kind: i === 0 ? 'baseline' : 'assessment',
      targetDay,
      windowDays: e.window ?? 0,
      repeatsInCycles: false,
    };
  });
}

/** The converted parts laid over the frame: file parts win for forms and code lists. */
export function assembleDefinition(
  frame: StudyFrame,
  parts: {
    id?: string;
    title?: string;
    visits?: VisitDefinition[];
    forms: StudyDefinition['forms'];
    codeLists: NonNullable<StudyDefinition['codeLists']>;
  },
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...frame };
  if (out.id === undefined && parts.id) out.id = parts.id;
  if (out.title === undefined && parts.title) out.title = parts.title;
  if (parts.visits && parts.visits.length > 0) out.visits = parts.visits;
  if (parts.codeLists.length > 0) out.codeLists = parts.codeLists;
  out.forms = parts.forms;
  return out;
}
