// The mapping of a FHIR R4 lab Bundle to a study (issue #23): `loinc` maps LOINC codes to `form.item`
// (or `{ item, unit }` for a code whose values carry no unit), `encounters` maps an Observation's
// encounter (its reference as written, or `system|value` of its identifier) to a visit (`"M3"` or
// `{ "visit": "M3", "cycle": 2 }`), and `subjectSystem` names the identifier system that holds the
// msct subject code. Everything the mapping leaves out comes from the study definition (an item's
// `loinc` codes, the catalog labs form's: fhir-codes.ts) and the visit windows (fhir-import.ts).
import type { ImportProblem } from './import-check.js';

export interface FhirMapping {
  loinc?: Record<string, string | { item: string; unit?: string }>;
  encounters?: Record<string, string | { visit: string; cycle?: number }>;
  subjectSystem?: string;
}

export interface ResolvedFhirMapping {
  loinc: Map<string, { form: string; item: string; unit?: string }>;
  encounters: Map<string, { visit: string; cycle: number }>;
  subjectSystem?: string;
}

const KEYS = ['loinc', 'encounters', 'subjectSystem'];

/** The mapping resolved, or the problems of a malformed one (rule mapping-invalid, column = its key). */
export function resolveFhirMapping(
  m: unknown,
): { ok: true; value: ResolvedFhirMapping } | { ok: false; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const bad = (column: string, message: string) =>
    problems.push({ row: 0, column, rule: 'mapping-invalid', message });
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x);
  const value: ResolvedFhirMapping = { loinc: new Map(), encounters: new Map() };
  if (!isObject(m)) {
    bad('mapping', 'the mapping must be a JSON object with "loinc", "encounters" and/or "subjectSystem"');
    return { ok: false, problems };
  }
  for (const k of Object.keys(m)) if (!KEYS.includes(k)) bad(k, `unknown key "${k}" (${KEYS.join(', ')})`);
  if (m.loinc !== undefined) {
    if (!isObject(m.loinc))
      bad('loinc', '"loinc" must be an object: LOINC code → "form.item" or { item, unit }');
    else
      for (const [code, target] of Object.entries(m.loinc)) {
        const item = typeof target === 'string' ? target : isObject(target) ? target.item : undefined;
        const unit = isObject(target) ? target.unit : undefined;
        const dot = typeof item === 'string' ? item.indexOf('.') : -1;
        if (typeof item !== 'string' || dot <= 0 || dot === item.length - 1)
          bad(
            `loinc.${code}`,
            `maps to ${JSON.stringify(target)}, which is not "form.item" or { "item": "form.item", "unit": … }`,
          );
        else if (unit !== undefined && typeof unit !== 'string')
          bad(`loinc.${code}.unit`, 'the unit must be text');
        else
          value.loinc.set(code, {
            form: item.slice(0, dot),
            item: item.slice(dot + 1),
            ...(typeof unit === 'string' ? { unit } : {}),
          });
      }
  }
  if (m.encounters !== undefined) {
    if (!isObject(m.encounters))
      bad(
        'encounters',
        '"encounters" must be an object: encounter reference or system|value → visit code or { visit, cycle }',
      );
    else
      for (const [ref, target] of Object.entries(m.encounters)) {
        const visit = typeof target === 'string' ? target : isObject(target) ? target.visit : undefined;
        const cycle = isObject(target) && target.cycle !== undefined ? target.cycle : 1;
        if (typeof visit !== 'string' || visit === '')
          bad(
            `encounters.${ref}`,
            `maps to ${JSON.stringify(target)}, which is not a visit code or { "visit": …, "cycle": … }`,
          );
        else if (typeof cycle !== 'number' || !Number.isInteger(cycle) || cycle < 1)
          bad(`encounters.${ref}.cycle`, `cycle ${JSON.stringify(cycle)} is not a whole number from 1`);
        else value.encounters.set(ref, { visit, cycle });
      }
  }
  if (m.subjectSystem !== undefined) {
    if (typeof m.subjectSystem !== 'string' || m.subjectSystem === '')
      bad('subjectSystem', '"subjectSystem" must be the identifier system (a URI) holding the subject code');
    else value.subjectSystem = m.subjectSystem;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}
