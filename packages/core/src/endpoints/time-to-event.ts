/**
 * Time-to-event data for the analysis (endpoints.md "Derived time-to-event data"), in days:
 * - time to first response (MCR/PCR) from cycle-1 day 0; non-responders censored at their last
 *   assessment in the 12-month follow-up (day 0 if none);
 * - response → relapse from the assessment that established the response; censored at the last
 *   assessment of follow-up (month 12 or earlier); only for responders;
 * - overall survival from day 0 to death, censored at last contact (the latest of `lastContact`,
 *   any assessment and withdrawal), optionally cut at a horizon (e.g. day 379 for "within 12 months").
 */
import type { Adjudication } from './adjudicate.js';
import type { PatientHistory } from './assessment.js';

export interface TimeToEvent {
  /** Days from origin to event or censoring. */
  time: number;
  /** 1 = event observed, 0 = censored. */
  event: 0 | 1;
  /** What ended the interval, in words (for the listing beside the analysis). */
  reason: string;
}

export interface TimeToEventData {
  firstResponse: TimeToEvent;
  /** Null for non-responders (no origin). */
  responseToRelapse: TimeToEvent | null;
  overallSurvival: TimeToEvent;
}

export interface TimeToEventOptions {
  /** Administrative censoring of overall survival at this study day. */
  survivalHorizonDay?: number;
}

export function deriveTimeToEvent<S extends string>(
  history: PatientHistory<S>,
  adjudication: Adjudication<S>,
  options: TimeToEventOptions = {},
): TimeToEventData {
  const v = adjudication.primary;
  const lastDay = v.lastAssessment?.studyDay ?? 0;
  const responder = v.outcome === 'MCR' || v.outcome === 'PCR';

  const firstResponse: TimeToEvent =
    responder && v.firstResponseAt
      ? {
          time: v.firstResponseAt.studyDay,
          event: 1,
          reason: `first response at ${v.firstResponseAt.visitCode} (month ${v.firstResponseMonth})`,
        }
      : {
          time: lastDay,
          event: 0,
          reason: v.lastAssessment
            ? `censored at last assessment ${v.lastAssessment.visitCode}`
            : 'no assessment after day 0',
        };

  let responseToRelapse: TimeToEvent | null = null;
  if (responder && v.response) {
    responseToRelapse = v.relapse
      ? {
          time: v.relapse.studyDay - v.response.studyDay,
          event: 1,
          reason: `relapse at ${v.relapse.visitCode} after response at ${v.response.visitCode}`,
        }
      : {
          time: Math.max(0, lastDay - v.response.studyDay),
          event: 0,
          reason: `censored at last assessment ${v.lastAssessment?.visitCode ?? v.response.visitCode}`,
        };
  }

  const contactDays = [
    0,
    history.lastContact?.studyDay,
    history.withdrawal?.studyDay,
    ...history.assessments.map((a) => a.studyDay),
    ...(history.cycles ?? []).map((c) => c.day0StudyDay),
  ].filter((d): d is number => d !== undefined);
  let overallSurvival: TimeToEvent = history.death
    ? { time: history.death.studyDay, event: 1, reason: `death on day ${history.death.studyDay}` }
    : { time: Math.max(...contactDays), event: 0, reason: 'censored at last contact' };
  const horizon = options.survivalHorizonDay;
  if (horizon !== undefined && overallSurvival.time > horizon) {
    overallSurvival = { time: horizon, event: 0, reason: `administratively censored at day ${horizon}` };
  }
  return { firstResponse, responseToRelapse, overallSurvival };
}
