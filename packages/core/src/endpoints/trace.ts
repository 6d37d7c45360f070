/**
 * The trace of a verdict: which visits and rules decided it, as data (for the UI and the report)
 * and as a sentence (for a human). DESIGN.md principle 2: verdicts explain themselves.
 */

export type TraceRule =
  | 'baseline.complete'
  | 'baseline.very-high'
  | 'response.visit-missing'
  | 'response.visit-incomplete'
  | 'mcr.c-or-better'
  | 'mcr.no-new-a-or-b'
  | 'mcr.maintained'
  | 'pcr1.maintained-4-months'
  | 'pcr2.at-most-one-b'
  | 'pcr3.at-most-two-b'
  | 'pcr.no-flare'
  | 'response.reaches-month-12'
  | 'response.established'
  | 'response.upgraded'
  | 'response.re-response'
  | 'mcr.turned-pcr'
  | 'relapse.final'
  | 'relapse.bilag-flare'
  | 'relapse.sledai-rise'
  | 'nri.death'
  | 'nri.provisional-response'
  | 'nri.withdrawal'
  | 'nri.retreated'
  | 'nri.missing-visit'
  | 'nri.incomplete-assessment'
  | 'pending.follow-up-ongoing'
  | 'nr.no-response'
  | 'retreatment.relapse'
  | 'retreatment.serology'
  | 'data.ignored-assessment';

export type TraceOutcome = 'met' | 'not_met' | 'missing' | 'info';

export interface TraceStep {
  rule: TraceRule;
  outcome: TraceOutcome;
  visitCode?: string;
  studyDay?: number;
  /** BILAG systems involved (e.g. the new B systems of a flare). */
  systems?: string[];
  text: string;
  /**
   * The protocol text that decided this step when it is one of the binding clarifications, e.g.
   * 'endpoints.md Clarification 3' (also appended to `text`, so a reviewer reading the trace sees it).
   */
  source?: string;
}

/** The binding clarifications at the end of shared/protocol/endpoints.md, by number. */
export const CLARIFICATION = {
  referenceForNew: 'endpoints.md Clarification 1',
  mcrMaintained: 'endpoints.md Clarification 2',
  relapseNeverErased: 'endpoints.md Clarification 3',
  deathIsNr: 'endpoints.md Clarification 4',
} as const;

export function step(
  rule: TraceRule,
  outcome: TraceOutcome,
  text: string,
  at?: { visitCode: string; studyDay: number },
  systems?: readonly string[],
  source?: string,
): TraceStep {
  const s: TraceStep = { rule, outcome, text: source ? `${text.replace(/\.$/, '')} (${source}).` : text };
  if (at) {
    s.visitCode = at.visitCode;
    s.studyDay = at.studyDay;
  }
  if (systems && systems.length > 0) s.systems = [...systems];
  if (source) s.source = source;
  return s;
}

export function listSystems(systems: readonly string[]): string {
  return systems.length === 0 ? 'none' : systems.join(', ');
}
