// SLEDAI-2K total, clinical SLEDAI and the scoring window (Gladman 2002; instruments.md §1.1–1.3).
import {
  EMPTY_TRACE,
  fail,
  type Issue,
  issue,
  ok,
  type Result,
  type ScoreOptions,
  type TraceEntry,
} from '../result.js';
import {
  SLEDAI2K_DESCRIPTORS,
  SLEDAI2K_INDEX,
  SLEDAI2K_WEIGHTS,
  type Sledai2kDescriptorId,
  type Sledai2kDescriptorState,
} from './descriptors.js';
import { deriveLabDescriptors, type Sledai2kLabs, type UpcrEquivalence } from './lab-rules.js';

/**
 * Look-back window in days. 10 is the SLEDAI-2K definition ("at the visit or in the preceding
 * 10 days", instruments.md §1.1); 30 is the validated SLEDAI-2K 30-day variant (Touma, Urowitz,
 * Gladman, Lupus 2010;19:49-51). It is recorded with every score.
 */
export type Sledai2kWindowDays = 10 | 30;

export interface Sledai2kInput {
  /** Default 10 (instruments.md §1.1). */
  readonly windowDays?: Sledai2kWindowDays;
  /**
   * The assessor's state of each descriptor (endpoints.md Clarification 5): 'present' (and due to
   * SLE) scores its weight on its own; 'absent' (or not given) leaves lab- and measurement-derived
   * descriptors to their rules; 'not-sle' (present but not due to SLE, e.g. pyuria from a urinary
   * infection, fever from an infection — instruments.md §1.1 pitfalls) scores nothing and vetoes a
   * derived positive. Nothing else vetoes: an entered absent never overrides a lab rule.
   */
  readonly descriptors?: Partial<Record<Sledai2kDescriptorId, Sledai2kDescriptorState>>;
  /** Raw lab values and the measured temperature, from which derivable descriptors are derived. */
  readonly labs?: Sledai2kLabs;
}

export interface Sledai2kOptions extends ScoreOptions {
  /** How UPCR in mg/mmol stands in for g/24 h; default 'molar' (see lab-rules.ts). */
  readonly upcrEquivalence?: UpcrEquivalence;
}

export interface Sledai2kValue {
  /** SLEDAI-2K total, 0–105. */
  readonly score: number;
  /** Clinical SLEDAI: the total without low complement and increased DNA binding (instruments.md §1.3). */
  readonly clinicalScore: number;
  readonly windowDays: Sledai2kWindowDays;
  /** Bit i set = descriptor SLEDAI2K_DESCRIPTOR_IDS[i] counted; see sledai2kPresent(). */
  readonly presentMask: number;
}

/** low_complement and increased_dna_binding: the bits clinical SLEDAI leaves out. */
export const SLEDAI2K_SEROLOGY_MASK: number = SLEDAI2K_DESCRIPTORS.reduce(
  (m, d, i) => (d.serological ? m | (1 << i) : m),
  0,
);
const SEROLOGY_MASK = SLEDAI2K_SEROLOGY_MASK;

/**
 * Scores SLEDAI-2K. Each descriptor present within the window scores its full weight; the total
 * is the sum (instruments.md §1.1). Lab and measurement descriptors are derived from raw values
 * where given; an assessor's 'present' counts on its own, 'not-sle' excludes the descriptor (a
 * derived positive included), 'absent' excludes nothing (Clarification 5).
 *
 * @example sledai2kScore({ descriptors: { arthritis: 'present' }, labs: { c3: { value: 0.6, unit: 'g/L', lowerLimitOfNormal: 0.9 } } })
 *   // → { ok: true, value: { score: 6, clinicalScore: 4, windowDays: 10, presentMask }, trace: [...] }
 */
export function sledai2kScore(input: Sledai2kInput, options?: Sledai2kOptions): Result<Sledai2kValue> {
  const wantTrace = options?.trace !== false;
  const trace: TraceEntry[] | null = wantTrace ? [] : null;
  const issues: Issue[] = [];
  let entered = 0;
  let excluded = 0;

  const windowDays = input.windowDays ?? 10;
  if (windowDays !== 10 && windowDays !== 30) {
    issues.push(
      issue(
        'code-invalid',
        ['sledai2k', 'windowDays'],
        `window ${String(windowDays)} days; allowed 10 or 30`,
      ),
    );
  }

  const ds = input.descriptors;
  if (ds !== undefined) {
    for (const key in ds) {
      const i = SLEDAI2K_INDEX.get(key);
      const v = ds[key as Sledai2kDescriptorId];
      if (i === undefined) {
        issues.push(
          issue('item-unknown', ['sledai2k', 'descriptors', key], `unknown SLEDAI-2K descriptor ${key}`),
        );
      } else if (v === 'present') entered |= 1 << i;
      else if (v === 'not-sle') excluded |= 1 << i;
      else if (v !== 'absent' && v !== undefined) {
        issues.push(
          issue(
            'code-invalid',
            ['sledai2k', 'descriptors', key],
            `descriptor ${key} must be 'absent', 'present' or 'not-sle' (present but not due to SLE), got ${String(v)}`,
          ),
        );
      }
    }
  }

  let derived = 0;
  if (input.labs !== undefined) {
    const labIssues: Issue[] = [];
    const labTrace: TraceEntry[] | null = wantTrace ? [] : null;
    derived = deriveLabDescriptors(input.labs, options?.upcrEquivalence ?? 'molar', labIssues, labTrace);
    if (labIssues.length > 0) issues.push(...labIssues);
    if (labTrace !== null && trace !== null) {
      for (const t of labTrace) {
        const bit = 1 << SLEDAI2K_INDEX.get(t.item)!;
        if (excluded & bit) {
          trace.push({
            item: t.item,
            source: 'excluded',
            detail: `${t.detail}, but the assessor recorded it as present but not due to SLE`,
            contributes: 0,
          });
        } else if (!(entered & bit)) {
          trace.push({ ...t, contributes: SLEDAI2K_WEIGHTS[SLEDAI2K_INDEX.get(t.item)!]! });
        }
      }
    }
  }
  if (issues.length > 0) return fail(issues);

  // 'not-sle' wins: the attribution excludes the descriptor whatever else says it is present.
  const present = (entered | derived) & ~excluded;
  if (trace !== null) {
    for (let i = 0, bits = excluded & ~derived; bits !== 0; i++, bits >>>= 1)
      if (bits & 1)
        trace.push({
          item: SLEDAI2K_DESCRIPTORS[i]!.id,
          source: 'excluded',
          detail: 'recorded by the assessor as present but not due to SLE',
          contributes: 0,
        });
  }
  let score = 0;
  let serology = 0;
  for (let i = 0, bits = present; bits !== 0; i++, bits >>>= 1) {
    if (bits & 1) {
      const w = SLEDAI2K_WEIGHTS[i]!;
      score += w;
      if (SEROLOGY_MASK & (1 << i)) serology += w;
      if (trace !== null && entered & (1 << i)) {
        const d = SLEDAI2K_DESCRIPTORS[i]!;
        trace.push({
          item: d.id,
          source: 'entered',
          detail: derived & (1 << i) ? `entered by assessor (lab rule also positive)` : 'entered by assessor',
          contributes: w,
        });
      }
    }
  }
  trace?.sort((a, b) => SLEDAI2K_INDEX.get(a.item)! - SLEDAI2K_INDEX.get(b.item)!);
  return ok(
    { score, clinicalScore: score - serology, windowDays, presentMask: present },
    trace ?? EMPTY_TRACE,
  );
}

/** The descriptor ids set in a presentMask, in form order. */
export function sledai2kPresent(presentMask: number): Sledai2kDescriptorId[] {
  const out: Sledai2kDescriptorId[] = [];
  for (let i = 0; i < SLEDAI2K_DESCRIPTORS.length; i++)
    if (presentMask & (1 << i)) out.push(SLEDAI2K_DESCRIPTORS[i]!.id);
  return out;
}
