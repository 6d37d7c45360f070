/**
 * Reading a study's definition back from storage (or from the API, in the browser): once through the
 * one schema, never cast. An ad-hoc study, created without a definition, stores `{}` and reads as
 * `{}` (no visits, no forms: every visit and form is free).
 */
import type { StudyDefinition } from './study-definition.js';
import {
  type DefinitionIssue,
  formatDefinitionIssue,
  type ValidateOptions,
  validateStudyDefinition,
} from './validate-definition.js';

/** A study's definition: a validated one, or `{}` for an ad-hoc study. */
export type StoredDefinition = Partial<StudyDefinition>;

export type StoredDefinitionRead =
  | { ok: true; definition: StoredDefinition }
  | { ok: false; issues: DefinitionIssue[] };

const isEmptyObject = (v: unknown) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;

/** Whether a definition as posted or stored is the ad-hoc study's empty one. */
export const isAdHocDefinition = (v: unknown): boolean => v === undefined || v === null || isEmptyObject(v);

/** Reads a stored definition (JSON text or an already parsed value). Never throws. */
export function readStoredDefinition(stored: unknown, options?: ValidateOptions): StoredDefinitionRead {
  let value = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch {
      return { ok: false, issues: [{ path: [], code: 'invalid_type', message: 'is not JSON' }] };
    }
  }
  if (isAdHocDefinition(value)) return { ok: true, definition: {} };
  const r = validateStudyDefinition(value, options);
  return r.ok ? { ok: true, definition: r.value } : { ok: false, issues: r.issues };
}

/**
 * A stored definition that no longer validates (stored before definitions were validated, or by
 * hand): the study's data cannot be read against it until it is corrected.
 */
export class InvalidDefinitionError extends Error {
  constructor(
    readonly issues: readonly DefinitionIssue[],
    /** The study, when the definition is a stored one. */
    readonly studyCode?: string,
  ) {
    super(
      `${studyCode ? `the stored definition of study ${studyCode}` : 'the study definition'} is invalid: ${issues
        .map(formatDefinitionIssue)
        .join('; ')}`,
    );
    this.name = 'InvalidDefinitionError';
  }
}

/** `readStoredDefinition` for callers that cannot go on without it: throws InvalidDefinitionError. */
export function storedDefinition(stored: unknown, studyCode?: string): StoredDefinition {
  const r = readStoredDefinition(stored);
  if (!r.ok) throw new InvalidDefinitionError(r.issues, studyCode);
  return r.definition;
}
