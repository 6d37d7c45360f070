/**
 * Adjudication of a patient's response endpoints per treatment cycle: MCR, PCR (routes 1–3), NR,
 * month of first response, relapse after response, the re-treatment flag, with non-responder
 * imputation (NRI) for death, withdrawal, re-treatment and missing assessments (endpoints.md "No
 * response"). Every verdict carries its trace.
 */
import type { RetreatmentRuleParameters } from '../protocol/study-definition.js';
import { type Assessment, type CycleStart, gradeProfile, type PatientHistory } from './assessment.js';
import type { CycleAssessment } from './relapse.js';
import { type CandidateResponse, type CycleContext, evaluateResponseAt, type PcrRoute } from './response.js';
import { type RetreatmentFlag, retreatmentFlag } from './retreatment.js';
import { type EndpointRuleSet, msctSleBilag2014 } from './rule-set.js';
import { listSystems, step, type TraceStep } from './trace.js';

export type ResponseOutcome = 'MCR' | 'PCR' | 'NR' | 'pending';

export type ImputationReason =
  | 'death'
  | 'withdrawal'
  | 'retreated'
  | 'missing-visit'
  | 'incomplete-assessment';

export interface VisitRef {
  visitCode: string;
  studyDay: number;
  date: string;
}

export interface CycleVerdict<S extends string = string> {
  cycle: number;
  outcome: ResponseOutcome;
  /** 'MCR', 'PCR', 'NR', 'pending', or 'MCR → relapse' / 'PCR → relapse'. */
  label: string;
  /** PCR routes met at the response assessment (empty unless PCR). */
  pcrRoutes: PcrRoute[];
  /** Earliest month (6, 9 or 12) at which MCR or PCR criteria were met and confirmed. */
  firstResponseMonth: number | null;
  /** The assessment of that first response (time to first response ends here). */
  firstResponseAt: VisitRef | null;
  /** Last assessment used in this cycle's follow-up (censoring point for response and relapse). */
  lastAssessment: VisitRef | null;
  /** The assessment that established the reported response (relapse is measured from it). */
  response: (VisitRef & { month: number }) | null;
  relapse: (VisitRef & { rule: 'relapse.bilag-flare' | 'relapse.sledai-rise'; systems: S[] }) | null;
  /** Set when the outcome is NR by non-responder imputation rather than observed. */
  imputation: { reason: ImputationReason; text: string } | null;
  /** Criteria met at an assessment but not confirmed (follow-up ended or still ongoing). */
  provisional: (VisitRef & { month: number; outcome: 'MCR' | 'PCR' }) | null;
  retreatment: RetreatmentFlag;
  trace: TraceStep[];
  summary: string;
}

export interface Adjudication<S extends string = string> {
  subjectId?: string;
  ruleSet: { id: string; version: string };
  /** Cycle 1: the primary endpoint of the trial. */
  primary: CycleVerdict<S>;
  cycles: CycleVerdict<S>[];
  death: { studyDay: number; date: string; cause?: string } | null;
  /** Assessments ignored and why (after death or withdrawal, before a cycle's day 0, …). */
  dataIssues: TraceStep[];
}

export interface AdjudicateOptions {
  ruleSet?: EndpointRuleSet;
  /** Overrides the rule set's default re-treatment rule (a study definition's `retreatment`). */
  retreatment?: RetreatmentRuleParameters;
}

interface Termination {
  reason: 'death' | 'withdrawal' | 'retreated';
  cycleDay: number;
  studyDay: number;
}

const ref = (a: Assessment<string>): VisitRef => ({
  visitCode: a.visitCode,
  studyDay: a.studyDay,
  date: a.date,
});

/** Adjudicate every cycle of a patient's history. Pure; never throws on clinical data. */
export function adjudicate<S extends string>(
  history: PatientHistory<S>,
  options: AdjudicateOptions = {},
): Adjudication<S> {
  const ruleSet = options.ruleSet ?? msctSleBilag2014;
  const retreatment = options.retreatment ?? ruleSet.retreatment;
  const starts: CycleStart<S>[] = [
    { cycle: 1, day0StudyDay: 0, baseline: history.baseline },
    ...[...(history.cycles ?? [])].sort((a, b) => a.day0StudyDay - b.day0StudyDay),
  ];
  const dataIssues: TraceStep[] = [];
  const cycleOf = (a: Assessment<S>) =>
    a.cycle ?? [...starts].reverse().find((c) => c.day0StudyDay <= a.studyDay)?.cycle ?? 1;

  const cycles = starts.map((start, i) => {
    const next = starts[i + 1];
    const own = history.assessments
      .filter((a) => cycleOf(a) === start.cycle)
      .map((a): CycleAssessment<S> => ({ ...a, cycleDay: a.studyDay - start.day0StudyDay }))
      .sort((a, b) => a.studyDay - b.studyDay);
    const usable: CycleAssessment<S>[] = [];
    for (const a of own) {
      const why =
        a.cycleDay <= 0
          ? `on or before cycle ${start.cycle} day 0`
          : history.death && a.studyDay > history.death.studyDay
            ? `after death (day ${history.death.studyDay})`
            : history.withdrawal && a.studyDay > history.withdrawal.studyDay
              ? `after withdrawal (day ${history.withdrawal.studyDay})`
              : next && a.studyDay >= next.day0StudyDay
                ? `after cycle ${next.cycle} started (day ${next.day0StudyDay})`
                : history.asOfStudyDay !== undefined && a.studyDay > history.asOfStudyDay
                  ? `after the data cut (day ${history.asOfStudyDay})`
                  : null;
      if (why) {
        dataIssues.push(
          step('data.ignored-assessment', 'info', `${a.visitCode} (day ${a.studyDay}) ignored: ${why}.`, a),
        );
      } else {
        usable.push(a);
      }
    }
    const endVisit = usable.find((a) => a.visitCode === ruleSet.endOfFollowUp.visitCode);
    const endDay = endVisit ? endVisit.cycleDay : ruleSet.endOfFollowUp.latestDay;
    const inFollowUp = usable.filter((a) => a.cycleDay <= endDay);

    const terminations: Termination[] = [];
    const toCycle = (studyDay: number) => studyDay - start.day0StudyDay;
    if (history.death && toCycle(history.death.studyDay) <= endDay && toCycle(history.death.studyDay) >= 0) {
      terminations.push({
        reason: 'death',
        cycleDay: toCycle(history.death.studyDay),
        studyDay: history.death.studyDay,
      });
    }
    if (
      history.withdrawal &&
      toCycle(history.withdrawal.studyDay) <= endDay &&
      toCycle(history.withdrawal.studyDay) >= 0
    ) {
      terminations.push({
        reason: 'withdrawal',
        cycleDay: toCycle(history.withdrawal.studyDay),
        studyDay: history.withdrawal.studyDay,
      });
    }
    if (next && toCycle(next.day0StudyDay) <= endDay) {
      terminations.push({
        reason: 'retreated',
        cycleDay: toCycle(next.day0StudyDay),
        studyDay: next.day0StudyDay,
      });
    }
    terminations.sort((a, b) => a.cycleDay - b.cycleDay);
    const ongoing =
      terminations.length === 0 &&
      !endVisit &&
      history.asOfStudyDay !== undefined &&
      toCycle(history.asOfStudyDay) < ruleSet.endOfFollowUp.latestDay;

    return adjudicateCycle(
      {
        cycle: start.cycle,
        systems: history.systems,
        baseline: start.baseline,
        assessments: inFollowUp,
        ruleSet,
      },
      terminations[0] ?? null,
      ongoing,
      retreatment,
    );
  });

  const death = history.death ? { ...history.death } : null;
  const result: Adjudication<S> = {
    ruleSet: { id: ruleSet.id, version: ruleSet.version },
    primary: cycles[0]!,
    cycles,
    death,
    dataIssues,
  };
  if (history.subjectId !== undefined) result.subjectId = history.subjectId;
  return result;
}

const TERMINATION_TEXT: Record<Termination['reason'], string> = {
  death: 'died',
  withdrawal: 'withdrew',
  retreated: 'started a re-treatment cycle',
};

function adjudicateCycle<S extends string>(
  ctx: CycleContext<S>,
  termination: Termination | null,
  ongoing: boolean,
  retreatmentRule: RetreatmentRuleParameters,
): CycleVerdict<S> {
  const { systems, baseline, ruleSet } = ctx;
  const trace: TraceStep[] = [];
  const baselineProfile = gradeProfile(baseline, systems);
  const empty = {
    cycle: ctx.cycle,
    pcrRoutes: [],
    firstResponseMonth: null,
    firstResponseAt: null,
    lastAssessment: ctx.assessments.length > 0 ? ref(ctx.assessments.at(-1)!) : null,
    response: null,
    relapse: null,
    provisional: null,
    retreatment: { flagged: false, trace: [] },
  };

  if (baselineProfile.missing.length > 0) {
    trace.push(
      step(
        'baseline.complete',
        'missing',
        `Baseline lacks grades for ${listSystems(baselineProfile.missing)}: response cannot be assessed.`,
        baseline,
        baselineProfile.missing,
      ),
    );
    const text = `baseline BILAG incomplete (${listSystems(baselineProfile.missing)})`;
    return {
      ...empty,
      outcome: 'NR',
      label: 'NR',
      imputation: { reason: 'incomplete-assessment', text },
      trace,
      summary: `NR by non-responder imputation: ${text}.`,
    };
  }

  const candidates: CandidateResponse<S>[] = [];
  let missingVisit: ImputationReason | null = null;
  for (const { month, visitCode } of ruleSet.responseVisits) {
    const r = ctx.assessments.find((a) => a.visitCode === visitCode);
    if (!r) {
      const text = termination
        ? `${visitCode} not done: patient ${TERMINATION_TEXT[termination.reason]} on day ${termination.studyDay}.`
        : ongoing
          ? `${visitCode} not yet done.`
          : `${visitCode} missing.`;
      trace.push(step('response.visit-missing', 'missing', text));
      missingVisit ??= 'missing-visit';
      continue;
    }
    const missing = gradeProfile(r, systems).missing;
    if (missing.length > 0) {
      trace.push(
        step(
          'response.visit-incomplete',
          'missing',
          `${visitCode} lacks grades for ${listSystems(missing)}.`,
          r,
          missing,
        ),
      );
      missingVisit ??= 'incomplete-assessment';
      continue;
    }
    const c = evaluateResponseAt(ctx, month, r);
    candidates.push(c);
    trace.push(...c.trace);
    if (c.mcr) break; // MCR is the best outcome; later months cannot change the verdict.
  }

  const mcr = candidates.find((c) => c.mcr);
  const pcr = candidates.find((c) => c.pcrRoutes.length > 0);
  const chosen = mcr ?? pcr ?? null;
  const confirmed = candidates.filter((c) => c.mcr || c.pcrRoutes.length > 0);
  const first = confirmed.reduce<CandidateResponse<S> | null>(
    (a, c) => (a && a.month <= c.month ? a : c),
    null,
  );
  const provisionalCandidate =
    chosen === null
      ? (candidates.find((c) => !c.reachedEnd && (c.state.mcr || c.state.pcr2 || c.state.pcr3)) ?? null)
      : null;
  const responseAt = chosen?.at ?? provisionalCandidate?.at ?? null;
  const retreatment = retreatmentFlag(responseAt, chosen?.relapse ?? null, ctx.assessments, retreatmentRule);

  if (chosen) {
    const outcome = chosen.mcr ? 'MCR' : 'PCR';
    const relapse = chosen.relapse;
    trace.push(
      step(
        'response.established',
        'met',
        `${outcome}${chosen.mcr ? '' : ` (route ${chosen.pcrRoutes.join(', ')})`} established at ${chosen.at.visitCode} (month ${chosen.month}, day ${chosen.at.studyDay}).`,
        chosen.at,
      ),
    );
    if (relapse) trace.push(relapse.trace);
    trace.push(...retreatment.trace);
    const label = relapse ? `${outcome} → relapse` : outcome;
    return {
      ...empty,
      outcome,
      label,
      pcrRoutes: chosen.pcrRoutes,
      firstResponseMonth: first?.month ?? null,
      firstResponseAt: first ? ref(first.at) : null,
      response: { ...ref(chosen.at), month: chosen.month },
      relapse: relapse
        ? {
            visitCode: relapse.visitCode,
            studyDay: relapse.studyDay,
            date: relapse.date,
            rule: relapse.rule,
            systems: [...relapse.newA, ...relapse.newB],
          }
        : null,
      imputation: null,
      retreatment,
      trace,
      summary: `${label}: response at month ${chosen.month} (${chosen.at.visitCode}, day ${chosen.at.studyDay})${
        relapse ? `, relapse at ${relapse.visitCode} (day ${relapse.studyDay})` : ''
      }${retreatment.flagged ? '; flagged for re-treatment' : ''}.`,
    };
  }

  const provisional = provisionalCandidate
    ? {
        ...ref(provisionalCandidate.at),
        month: provisionalCandidate.month,
        outcome: provisionalCandidate.state.mcr ? ('MCR' as const) : ('PCR' as const),
      }
    : null;
  trace.push(...retreatment.trace);

  if (ongoing) {
    trace.push(
      step('pending.follow-up-ongoing', 'info', 'Follow-up to month 12 is not complete at the data cut.'),
    );
    return {
      ...empty,
      outcome: 'pending',
      label: 'pending',
      provisional,
      imputation: null,
      retreatment,
      trace,
      summary: provisional
        ? `Pending: ${provisional.outcome} criteria met at ${provisional.visitCode}, to be confirmed through month 12.`
        : 'Pending: follow-up to month 12 is not complete.',
    };
  }

  // Non-responder: observed, or imputed when the data needed to show a response are absent.
  let imputation: CycleVerdict<S>['imputation'] = null;
  if (termination && (provisional || missingVisit)) {
    const text = `patient ${TERMINATION_TEXT[termination.reason]} on day ${termination.studyDay}${
      provisional
        ? `, before the ${provisional.outcome} met at ${provisional.visitCode} could be confirmed`
        : ''
    }`;
    imputation = { reason: termination.reason, text };
    trace.push(step(`nri.${termination.reason}` as const, 'met', `Non-responder imputation: ${text}.`));
  } else if (provisional || missingVisit) {
    const reason: ImputationReason = provisional ? 'missing-visit' : (missingVisit ?? 'missing-visit');
    const text = provisional
      ? `${provisional.outcome} met at ${provisional.visitCode} but no assessment confirms it through month 12`
      : reason === 'incomplete-assessment'
        ? 'a response assessment has incomplete BILAG grades'
        : 'a response assessment is missing';
    imputation = { reason, text };
    trace.push(step(`nri.${reason}` as const, 'met', `Non-responder imputation: ${text}.`));
  } else {
    trace.push(step('nr.no-response', 'met', 'Neither MCR nor PCR at any response assessment.'));
  }
  return {
    ...empty,
    outcome: 'NR',
    label: 'NR',
    provisional,
    imputation,
    retreatment,
    trace,
    summary: imputation
      ? `NR by non-responder imputation: ${imputation.text}.`
      : `NR: no response at month ${ruleSet.responseVisits.map((v) => v.month).join(', ')}.`,
  };
}
