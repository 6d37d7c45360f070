/**
 * Adjudication of a patient's response endpoints per treatment cycle: MCR, PCR (routes 1–3), NR,
 * month of first response, relapse after response, the re-treatment flag, with non-responder
 * imputation (NRI) for death, withdrawal, re-treatment and missing assessments (endpoints.md "No
 * response"). Every verdict carries its trace.
 */
import type { RetreatmentRuleParameters } from '../protocol/study-definition.js';
import { type Assessment, type CycleStart, gradeProfile, type PatientHistory } from './assessment.js';
import type { CycleAssessment } from './relapse.js';
import {
  type CandidateResponse,
  type CycleContext,
  evaluateResponseAt,
  evaluateUpgradeAt,
  type PcrRoute,
  responseCriteriaAt,
} from './response.js';
import { type RetreatmentFlag, retreatmentFlag } from './retreatment.js';
import { type EndpointRuleSet, msctSleBilag2014 } from './rule-set.js';
import { CLARIFICATION, listSystems, step, type TraceStep } from './trace.js';

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
  /**
   * Month (6, 9 or 12) at which the response was first established (Clarification 1); later than
   * `response.month` never, earlier when a PCR was upgraded to MCR (Clarification 3).
   */
  firstResponseMonth: number | null;
  /** The assessment of that first response (time to first response ends here). */
  firstResponseAt: VisitRef | null;
  /** Last assessment used in this cycle's follow-up (censoring point for response and relapse). */
  lastAssessment: VisitRef | null;
  /** The assessment that established the reported response (relapse is measured from it). */
  response: (VisitRef & { month: number }) | null;
  relapse: (VisitRef & { rule: 'relapse.bilag-flare' | 'relapse.sledai-rise'; systems: S[] }) | null;
  /**
   * After a relapse, the first later response visit at which response criteria are met again
   * (endpoints.md Clarification 3): shown with its month; the category and the relapse stand.
   */
  reResponse: (VisitRef & { month: number; outcome: 'MCR' | 'PCR' }) | null;
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
      // Clarification 4: a death within follow-up decides the category even after another way
      // follow-up ended (withdrawal, then death), so it is looked for first.
      terminations.find((t) => t.reason === 'death') ?? terminations[0] ?? null,
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
    reResponse: null,
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

  // The response visits present with every system graded, in order.
  const available: Array<{ month: number; r: CycleAssessment<S> }> = [];
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
    available.push({ month, r });
  }

  // Clarification 1: until a response is established, "new" is judged against baseline. The response
  // is established at the first response visit whose MCR or PCR criteria are met (maintenance aside);
  // from there on "new", maintenance and relapse are judged against that assessment.
  let first: CandidateResponse<S> | null = null;
  for (const { month, r } of available) {
    const c = evaluateResponseAt(ctx, month, r);
    trace.push(...c.trace);
    if (c.state.mcr || c.state.pcr2 || c.state.pcr3) {
      first = c;
      break;
    }
  }
  const confirmed = first && (first.mcr || first.pcrRoutes.length > 0) ? first : null;

  // Clarification 3: before any relapse, a PCR is upgraded to MCR when MCR criteria are met at a later
  // response visit (month 9 or 12); the response is then re-established there.
  let chosen = confirmed;
  if (confirmed && !confirmed.mcr) {
    for (const { month, r } of available) {
      if (r.cycleDay <= confirmed.at.cycleDay) continue;
      if (confirmed.relapse && r.cycleDay >= confirmed.relapse.cycleDay) break;
      const u = evaluateUpgradeAt(ctx, confirmed, month, r);
      trace.push(...u.trace);
      if (u.mcr) {
        chosen = u;
        break;
      }
    }
  }
  const provisionalCandidate = confirmed ? null : first;
  const responseAt = chosen?.at ?? provisionalCandidate?.at ?? null;

  // Clarification 4: death within follow-up is NR for the primary analysis, whatever came before; any
  // earlier response (even one a relapse confirmed) is shown as provisional.
  if (termination?.reason === 'death') {
    const earlier = chosen ?? provisionalCandidate;
    const provisional = earlier
      ? {
          ...ref(earlier.at),
          month: earlier.month,
          outcome: earlier.mcr || (!chosen && earlier.state.mcr) ? ('MCR' as const) : ('PCR' as const),
        }
      : null;
    if (provisional) {
      const relapse = chosen?.relapse ?? null;
      trace.push(
        step(
          'nri.provisional-response',
          'info',
          `${provisional.outcome} ${chosen ? 'established' : 'criteria met'} at ${provisional.visitCode} (month ${provisional.month})${
            relapse ? `, relapse at ${relapse.visitCode} (day ${relapse.studyDay})` : ''
          }: provisional only, the patient died on day ${termination.studyDay} within follow-up.`,
          ref(earlier!.at),
          undefined,
          CLARIFICATION.deathIsNr,
        ),
      );
    }
    const text = `patient died on day ${termination.studyDay}${
      provisional ? `; the ${provisional.outcome} at ${provisional.visitCode} is provisional` : ''
    }`;
    trace.push(
      step(
        'nri.death',
        'met',
        `Non-responder imputation: ${text}.`,
        undefined,
        undefined,
        CLARIFICATION.deathIsNr,
      ),
    );
    return {
      ...empty,
      outcome: 'NR',
      label: 'NR',
      provisional,
      imputation: { reason: 'death', text },
      retreatment: { flagged: false, trace: [] },
      trace,
      summary: `NR by non-responder imputation: ${text}.`,
    };
  }

  const retreatment = retreatmentFlag(responseAt, chosen?.relapse ?? null, ctx.assessments, retreatmentRule);

  if (chosen) {
    const outcome = chosen.mcr ? 'MCR' : 'PCR';
    const relapse = chosen.relapse;
    if (!chosen.mcr && chosen.state.mcr) {
      trace.push(
        step(
          'mcr.turned-pcr',
          'met',
          `MCR criteria met at ${chosen.at.visitCode} but not maintained (a new A or B without a flare): PCR (route ${chosen.pcrRoutes.join(', ')}).`,
          chosen.at,
          undefined,
          CLARIFICATION.mcrMaintained,
        ),
      );
    }
    trace.push(
      step(
        'response.established',
        'met',
        `${outcome}${chosen.mcr ? '' : ` (route ${chosen.pcrRoutes.join(', ')})`} established at ${chosen.at.visitCode} (month ${chosen.month}, day ${chosen.at.studyDay}).`,
        chosen.at,
      ),
    );
    let reResponse: CycleVerdict<S>['reResponse'] = null;
    if (relapse) {
      trace.push(relapse.trace);
      const later = available.find(({ r }) => r.cycleDay > relapse.cycleDay);
      const again = available
        .filter(({ r }) => r.cycleDay > relapse.cycleDay)
        .map(({ month, r }) => ({ month, r, criteria: responseCriteriaAt(ctx, r) }))
        .find((x) => x.criteria !== null);
      if (again?.criteria) {
        reResponse = { ...ref(again.r), month: again.month, outcome: again.criteria };
      }
      trace.push(
        step(
          'relapse.final',
          'met',
          `The relapse at ${relapse.visitCode} is counted and final: the category stays ${outcome} → relapse${
            again
              ? `; ${again.criteria} criteria met again at ${again.r.visitCode} (month ${again.month}), shown as a re-response`
              : later
                ? '; no re-response'
                : ''
          }.`,
          { visitCode: relapse.visitCode, studyDay: relapse.studyDay },
          undefined,
          CLARIFICATION.relapseNeverErased,
        ),
      );
      if (again) {
        trace.push(
          step(
            'response.re-response',
            'info',
            `Re-response at ${again.r.visitCode} (month ${again.month}): ${again.criteria} criteria met after the relapse; not a new category.`,
            again.r,
            undefined,
            CLARIFICATION.relapseNeverErased,
          ),
        );
      }
    }
    trace.push(...retreatment.trace);
    const label = relapse ? `${outcome} → relapse` : outcome;
    return {
      ...empty,
      outcome,
      label,
      pcrRoutes: chosen.pcrRoutes,
      firstResponseMonth: confirmed!.month,
      firstResponseAt: ref(confirmed!.at),
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
      reResponse,
      imputation: null,
      retreatment,
      trace,
      summary: `${label}: response at month ${chosen.month} (${chosen.at.visitCode}, day ${chosen.at.studyDay})${
        relapse ? `, relapse at ${relapse.visitCode} (day ${relapse.studyDay})` : ''
      }${reResponse ? `, re-response at month ${reResponse.month}` : ''}${retreatment.flagged ? '; flagged for re-treatment' : ''}.`,
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
