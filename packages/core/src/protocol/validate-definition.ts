/**
 * Hand-written validator for a study definition read from JSON (core has no runtime dependencies,
 * so no zod here). Never throws: returns the typed definition or every issue found, each with the
 * path to the offending value (zod-style, STYLE.md item 8).
 */
import type { EligibilityCondition } from './eligibility.js';
import type { StudyDefinition } from './study-definition.js';

export type DefinitionIssueCode =
  | 'required'
  | 'invalid_type'
  | 'invalid_value'
  | 'duplicate'
  | 'unknown_reference'
  | 'out_of_order';

export interface DefinitionIssue {
  path: Array<string | number>;
  code: DefinitionIssueCode;
  message: string;
}

export type DefinitionValidation =
  | { ok: true; value: StudyDefinition; issues: [] }
  | { ok: false; issues: DefinitionIssue[] };

export interface ValidateOptions {
  /** Endpoint rule set ids the platform knows; when given, `endpointRuleSetId` must be one of them. */
  knownRuleSetIds?: readonly string[];
}

type Path = Array<string | number>;
type Obj = Record<string, unknown>;

const VISIT_KINDS = ['screening', 'baseline', 'infusion', 'assessment'];
const CRITERION_KINDS = ['inclusion', 'exclusion'];
const NUMERIC_OPS: ReadonlyArray<EligibilityCondition['op']> = ['gt', 'gte', 'lt', 'lte', 'eq'];
const CONDITION_OPS: ReadonlyArray<EligibilityCondition['op']> = [
  ...NUMERIC_OPS,
  'between',
  'is',
  'all',
  'any',
];

class Checker {
  readonly issues: DefinitionIssue[] = [];

  add(path: Path, code: DefinitionIssueCode, message: string): void {
    this.issues.push({ path, code, message });
  }

  fail(path: Path, code: DefinitionIssueCode, message: string): null {
    this.add(path, code, message);
    return null;
  }

  object(v: unknown, path: Path): Obj | null {
    if (v === undefined) return this.fail(path, 'required', 'is required');
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      return this.fail(path, 'invalid_type', `must be an object, got ${describe(v)}`);
    }
    return v as Obj;
  }

  array(v: unknown, path: Path, minLength = 0): unknown[] | null {
    if (v === undefined) return this.fail(path, 'required', 'is required');
    if (!Array.isArray(v)) return this.fail(path, 'invalid_type', `must be an array, got ${describe(v)}`);
    if (v.length < minLength)
      this.add(path, 'invalid_value', `must have at least ${minLength} entr${minLength === 1 ? 'y' : 'ies'}`);
    return v;
  }

  string(o: Obj, key: string, path: Path): string | null {
    const v = o[key];
    if (v === undefined) return this.fail([...path, key], 'required', 'is required');
    if (typeof v !== 'string')
      return this.fail([...path, key], 'invalid_type', `must be a string, got ${describe(v)}`);
    if (v.trim() === '') return this.fail([...path, key], 'invalid_value', 'must not be empty');
    return v;
  }

  number(
    o: Obj,
    key: string,
    path: Path,
    rule: { integer?: boolean; min?: number; max?: number; exclusiveMin?: number } = {},
  ): number | null {
    const v = o[key];
    const p = [...path, key];
    if (v === undefined) return this.fail(p, 'required', 'is required');
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      return this.fail(p, 'invalid_type', `must be a finite number, got ${describe(v)}`);
    }
    if (rule.integer && !Number.isInteger(v))
      return this.fail(p, 'invalid_value', `must be an integer, got ${v}`);
    if (rule.min !== undefined && v < rule.min)
      return this.fail(p, 'invalid_value', `must be ≥ ${rule.min}, got ${v}`);
    if (rule.max !== undefined && v > rule.max)
      return this.fail(p, 'invalid_value', `must be ≤ ${rule.max}, got ${v}`);
    if (rule.exclusiveMin !== undefined && v <= rule.exclusiveMin) {
      return this.fail(p, 'invalid_value', `must be > ${rule.exclusiveMin}, got ${v}`);
    }
    return v;
  }

  oneOf(o: Obj, key: string, path: Path, allowed: readonly string[]): string | null {
    const v = o[key];
    const p = [...path, key];
    if (v === undefined) return this.fail(p, 'required', 'is required');
    if (typeof v !== 'string' || !allowed.includes(v)) {
      return this.fail(
        p,
        'invalid_value',
        `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`,
      );
    }
    return v;
  }

  boolean(o: Obj, key: string, path: Path): boolean | null {
    const v = o[key];
    if (v === undefined) return this.fail([...path, key], 'required', 'is required');
    if (typeof v !== 'boolean')
      return this.fail([...path, key], 'invalid_type', `must be a boolean, got ${describe(v)}`);
    return v;
  }

  unique(ids: Array<{ id: string | null; path: Path }>, what: string): void {
    const seen = new Set<string>();
    for (const { id, path } of ids) {
      if (id === null) continue;
      if (seen.has(id)) this.add(path, 'duplicate', `duplicate ${what} '${id}'`);
      seen.add(id);
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v;
}

/** Validate an untrusted (e.g. JSON-parsed) study definition. */
export function validateStudyDefinition(input: unknown, options: ValidateOptions = {}): DefinitionValidation {
  const c = new Checker();
  const root = c.object(input, []);
  if (!root) return { ok: false, issues: c.issues };

  for (const key of ['id', 'title', 'version', 'source']) c.string(root, key, []);

  const centres = c.array(root.centres, ['centres'], 1);
  if (centres) {
    const ids = centres.map((v, i) => {
      const o = c.object(v, ['centres', i]);
      if (!o) return { id: null, path: ['centres', i] };
      for (const key of ['name', 'city', 'country']) c.string(o, key, ['centres', i]);
      return { id: c.string(o, 'id', ['centres', i]), path: ['centres', i, 'id'] };
    });
    c.unique(ids, 'centre id');
  }

  const visitCodes = new Set<string>();
  const visits = c.array(root.visits, ['visits'], 1);
  if (visits) {
    const codes: Array<{ id: string | null; path: Path }> = [];
    let baselines = 0;
    let previousTarget: number | null = null;
    visits.forEach((v, i) => {
      const p = ['visits', i];
      const o = c.object(v, p);
      if (!o) return;
      const code = c.string(o, 'code', p);
      codes.push({ id: code, path: [...p, 'code'] });
      if (code) visitCodes.add(code);
      c.string(o, 'label', p);
      const kind = c.oneOf(o, 'kind', p, VISIT_KINDS);
      const target = c.number(o, 'targetDay', p, { integer: true });
      if (kind === 'baseline') {
        baselines++;
        if (target !== null && target !== 0)
          c.add([...p, 'targetDay'], 'invalid_value', 'the baseline visit is day 0');
      }
      if (target !== null) {
        if (previousTarget !== null && target < previousTarget) {
          c.add(
            [...p, 'targetDay'],
            'out_of_order',
            `visits must be in target-day order (${target} after ${previousTarget})`,
          );
        }
        previousTarget = target;
      }
      const w = o.windowDays;
      if (typeof w === 'number') {
        c.number(o, 'windowDays', p, { integer: true, min: 0 });
      } else if (w === undefined) {
        c.add([...p, 'windowDays'], 'required', 'is required');
      } else {
        const wo = c.object(w, [...p, 'windowDays']);
        if (wo) {
          c.number(wo, 'before', [...p, 'windowDays'], { integer: true, min: 0 });
          c.number(wo, 'after', [...p, 'windowDays'], { integer: true, min: 0 });
        }
      }
      if (o.month !== undefined) c.number(o, 'month', p, { integer: true, min: 0 });
      c.boolean(o, 'repeatsInCycles', p);
    });
    c.unique(codes, 'visit code');
    if (baselines !== 1) {
      c.add(
        ['visits'],
        'invalid_value',
        `exactly one visit of kind 'baseline' (day 0) is needed, found ${baselines}`,
      );
    }
  }
  const knownVisit = (code: unknown) =>
    typeof code === 'string' && (visitCodes.has(code) || code === 'UNSCHEDULED');

  const infusion = c.object(root.infusion, ['infusion']);
  if (infusion) {
    const p = ['infusion'];
    c.string(infusion, 'product', p);
    c.string(infusion, 'route', p);
    c.number(infusion, 'cellsPerKg', p, { exclusiveMin: 0 });
    c.number(infusion, 'doseTolerance', p, { min: 0, max: 1 });
    c.number(infusion, 'minViabilityPercent', p, { min: 0, max: 100 });
    c.number(infusion, 'maxCycles', p, { integer: true, min: 1 });
    const codes = c.array(infusion.infusionVisitCodes, [...p, 'infusionVisitCodes'], 1);
    codes?.forEach((code, i) => {
      if (visits && !knownVisit(code)) {
        c.add([...p, 'infusionVisitCodes', i], 'unknown_reference', `no visit with code ${describe(code)}`);
      }
    });
  }

  const forms = c.array(root.forms, ['forms']);
  if (forms) {
    const ids = forms.map((v, i) => {
      const p = ['forms', i];
      const o = c.object(v, p);
      if (!o) return { id: null, path: p };
      c.string(o, 'title', p);
      c.array(o.visitCodes, [...p, 'visitCodes'], 1)?.forEach((code, j) => {
        if (visits && !knownVisit(code)) {
          c.add([...p, 'visitCodes', j], 'unknown_reference', `no visit with code ${describe(code)}`);
        }
      });
      return { id: c.string(o, 'id', p), path: [...p, 'id'] };
    });
    c.unique(ids, 'form id');
  }

  const criteria = c.array(root.eligibility, ['eligibility']);
  if (criteria) {
    const ids = criteria.map((v, i) => {
      const p = ['eligibility', i];
      const o = c.object(v, p);
      if (!o) return { id: null, path: p };
      c.string(o, 'label', p);
      c.string(o, 'source', p);
      c.oneOf(o, 'kind', p, CRITERION_KINDS);
      checkCondition(c, o.condition, [...p, 'condition']);
      return { id: c.string(o, 'id', p), path: [...p, 'id'] };
    });
    c.unique(ids, 'criterion id');
  }

  const ruleSetId = c.string(root, 'endpointRuleSetId', []);
  if (ruleSetId && options.knownRuleSetIds && !options.knownRuleSetIds.includes(ruleSetId)) {
    c.add(['endpointRuleSetId'], 'unknown_reference', `unknown endpoint rule set '${ruleSetId}'`);
  }

  const retreatment = c.object(root.retreatment, ['retreatment']);
  if (retreatment) {
    const p = ['retreatment'];
    if (retreatment.afterVisitCode !== undefined) {
      const code = c.string(retreatment, 'afterVisitCode', p);
      if (code && visits && !knownVisit(code)) {
        c.add([...p, 'afterVisitCode'], 'unknown_reference', `no visit with code ${describe(code)}`);
      }
    }
    c.number(retreatment, 'afterStudyDay', p, { integer: true, min: 0 });
    c.boolean(retreatment, 'flagOnRelapse', p);
    c.number(retreatment, 'sledaiRise', p, { exclusiveMin: 0 });
    c.number(retreatment, 'consecutiveAssessments', p, { integer: true, min: 1 });
  }
  c.oneOf(root, 'bilagVersion', [], ['classic', '2004']);
  // Optional (definitions written before issue #18 lack it); only classic BILAG drives endpoints.
  if (root.endpointBilagVersion !== undefined) c.oneOf(root, 'endpointBilagVersion', [], ['classic']);
  c.number(root, 'sledaiWindowDays', [], { integer: true, min: 1 });

  if (c.issues.length > 0) return { ok: false, issues: c.issues };
  return { ok: true, value: input as StudyDefinition, issues: [] };
}

function checkCondition(c: Checker, v: unknown, path: Path): void {
  const o = c.object(v, path);
  if (!o) return;
  const op = c.oneOf(o, 'op', path, CONDITION_OPS) as EligibilityCondition['op'] | null;
  if (op === null) return;
  if (op === 'all' || op === 'any') {
    c.array(o.conditions, [...path, 'conditions'], 1)?.forEach((sub, i) => {
      checkCondition(c, sub, [...path, 'conditions', i]);
    });
    return;
  }
  c.string(o, 'item', path);
  if (o.unit !== undefined && typeof o.unit !== 'string')
    c.add([...path, 'unit'], 'invalid_type', 'must be a string');
  if (NUMERIC_OPS.includes(op)) {
    c.number(o, 'value', path);
  } else if (op === 'between') {
    const min = c.number(o, 'min', path);
    const max = c.number(o, 'max', path);
    if (min !== null && max !== null && min > max)
      c.add([...path, 'max'], 'invalid_value', `max ${max} is below min ${min}`);
  } else if (typeof o.value !== 'boolean' && typeof o.value !== 'string') {
    c.add(
      [...path, 'value'],
      o.value === undefined ? 'required' : 'invalid_type',
      'must be a boolean or a string',
    );
  }
}
