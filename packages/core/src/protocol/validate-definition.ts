/**
 * Validates an untrusted (JSON-parsed) study definition against the one schema (definition-schema.ts)
 * and its cross-value rules (cross-checks.ts). Never throws: returns the typed definition or every
 * problem found, each with the path to the offending value (STYLE.md item 8), e.g.
 * `forms[3].items[7].codeList: unknown code list "yn2"`. The API, the CLI and every reader of a
 * stored definition call this one function, so they list the same problems.
 */
import type { z } from 'zod';
import { MEASURES } from '../analysis/measures.js';
import { endpointRuleSets } from '../endpoints/rule-set.js';
import { type CrossCheckOptions, crossCheckStudyDefinition, type DefinitionIssue } from './cross-checks.js';
import { studyDefinitionSchema } from './definition-schema.js';
import type { StudyDefinition } from './study-definition.js';

export type { CrossCheckOptions, DefinitionIssue, DefinitionIssueCode } from './cross-checks.js';

export type DefinitionValidation =
  | { ok: true; value: StudyDefinition; issues: [] }
  | { ok: false; issues: DefinitionIssue[] };

export type ValidateOptions = CrossCheckOptions;

/** What this platform can run: its endpoint rule sets and the analysis plan's measures. */
export const PLATFORM_DEFINITION_OPTIONS: Required<ValidateOptions> = {
  knownRuleSetIds: Object.keys(endpointRuleSets),
  knownMeasureKeys: MEASURES.map((m) => m.key),
};

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v;
}

/** The best-matching branch of a union: the one whose problems are not just "wrong type here". */
function unionIssues(issue: z.core.$ZodIssueInvalidUnion, outer: PropertyKey[]): DefinitionIssue[] {
  const at = [...outer, ...issue.path];
  const branches = issue.errors.filter(
    (branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  if (branches.length > 0) {
    const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
    return best.flatMap((i) => toDefinitionIssues(i, at));
  }
  const input = 'input' in issue ? issue.input : undefined;
  if ('note' in issue && issue.note === 'No matching discriminator' && issue.discriminator !== undefined) {
    const options = (('options' in issue ? issue.options : undefined) ?? [])
      .map((o) => `'${String(o)}'`)
      .join(', ');
    const value =
      typeof input === 'object' && input !== null ? Reflect.get(input, issue.discriminator) : undefined;
    return [
      {
        path: pathOf(at),
        code: value === undefined ? 'required' : 'invalid_value',
        message: `must be one of ${options}, got ${describe(value)}`,
      },
    ];
  }
  return [
    {
      path: pathOf(at),
      code: input === undefined ? 'required' : 'invalid_type',
      message: input === undefined ? 'is required' : `has the wrong type (${describe(input)})`,
    },
  ];
}

const pathOf = (p: PropertyKey[]): Array<string | number> =>
  p.map((k) => (typeof k === 'number' ? k : String(k)));

/** zod's issue in the definition's words: a stable code and a message naming value and rule. */
function toDefinitionIssues(issue: z.core.$ZodIssue, at: PropertyKey[] = []): DefinitionIssue[] {
  const path = pathOf([...at, ...issue.path]);
  const input = 'input' in issue ? issue.input : undefined;
  switch (issue.code) {
    case 'invalid_union':
      return unionIssues(issue, at);
    case 'invalid_type':
      if (input === undefined) return [{ path, code: 'required', message: 'is required' }];
      if (issue.expected === 'int' && typeof input === 'number')
        return [{ path, code: 'invalid_value', message: `must be an integer, got ${describe(input)}` }];
      return [
        { path, code: 'invalid_type', message: `must be ${article(issue.expected)}, got ${describe(input)}` },
      ];
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      if (issue.origin === 'array')
        return [
          {
            path,
            code: 'invalid_value',
            message:
              issue.code === 'too_small'
                ? `must have at least ${bound} entr${Number(bound) === 1 ? 'y' : 'ies'}`
                : `must have at most ${bound} entries`,
          },
        ];
      const sign = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
      return [{ path, code: 'invalid_value', message: `must be ${sign} ${bound}, got ${describe(input)}` }];
    }
    case 'invalid_value':
      return [
        {
          path,
          code: input === undefined ? 'required' : 'invalid_value',
          message: `must be one of ${issue.values.map((v) => `'${String(v)}'`).join(', ')}, got ${describe(input)}`,
        },
      ];
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({
        path: [...path, k],
        code: 'unknown_key' as const,
        message: `is not a field of the study definition here`,
      }));
    case 'invalid_format':
      return [
        {
          path,
          code: 'invalid_value',
          message:
            issue.message === 'must not be empty'
              ? 'must not be empty'
              : `${issue.message}, got ${describe(input)}`,
        },
      ];
    default:
      return [{ path, code: 'invalid_value', message: issue.message }];
  }
}

const article = (expected: string) =>
  expected === 'object' || expected === 'array'
    ? `an ${expected}`
    : `a ${expected === 'number' ? 'finite number' : expected}`;

/**
 * Validate an untrusted study definition. Options default to what this platform can run
 * (PLATFORM_DEFINITION_OPTIONS); pass `{}` to check the definition alone.
 */
export function validateStudyDefinition(
  input: unknown,
  options: ValidateOptions = PLATFORM_DEFINITION_OPTIONS,
): DefinitionValidation {
  const parsed = studyDefinitionSchema.safeParse(input, { reportInput: true });
  const issues = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap((i) => toDefinitionIssues(i))),
    ...crossCheckStudyDefinition(input, options),
  ];
  if (parsed.success && issues.length === 0) return { ok: true, value: parsed.data, issues: [] };
  return { ok: false, issues };
}

/** A path as a reader writes it: `forms[3].items[7].codeList`; the root is `(definition)`. */
export function definitionPathText(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return '(definition)';
  return path.reduce<string>(
    (s, k) => (typeof k === 'number' ? `${s}[${k}]` : s === '' ? k : `${s}.${k}`),
    '',
  );
}

/** One problem as one line: `forms[3].items[7].codeList: unknown code list "yn2"`. */
export const formatDefinitionIssue = (issue: DefinitionIssue): string =>
  `${definitionPathText(issue.path)}: ${issue.message}`;
