/**
 * The visit schedule: expected dates from a cycle's day 0, window checks and visit status.
 *
 * Windows come from the study definition (trial.md "Schedule" for MSCT–SLE). A re-treatment cycle
 * has its own day 0 and repeats the visits marked `repeatsInCycles` (not screening). Unscheduled
 * visits are allowed at any time and are reported with their study day but no window.
 */
import { addDays, daysBetween, type IsoDate } from './iso-date.js';
import { type VisitDefinition, type VisitKind, visitWindowDays } from './study-definition.js';

/** Code under which unscheduled visits are recorded. */
export const UNSCHEDULED_VISIT_CODE = 'UNSCHEDULED';

export interface ExpectedVisit {
  code: string;
  label: string;
  kind: VisitKind;
  cycle: number;
  targetDay: number;
  earliestDay: number;
  latestDay: number;
  targetDate: IsoDate;
  earliestDate: IsoDate;
  latestDate: IsoDate;
}

/**
 * Expected dates of every visit of one cycle, from that cycle's day 0 (cycle 1's day 0 = first
 * infusion). Cycles after the first contain only the visits that repeat in cycles.
 */
export function expectedVisits(
  visits: readonly VisitDefinition[],
  day0: IsoDate,
  cycle = 1,
): ExpectedVisit[] {
  return visits
    .filter((v) => cycle === 1 || v.repeatsInCycles)
    .map((v) => {
      const { earliestDay, latestDay } = visitWindowDays(v);
      return {
        code: v.code,
        label: v.label,
        kind: v.kind,
        cycle,
        targetDay: v.targetDay,
        earliestDay,
        latestDay,
        targetDate: addDays(day0, v.targetDay),
        earliestDate: addDays(day0, earliestDay),
        latestDate: addDays(day0, latestDay),
      };
    });
}

export type WindowPosition = 'in_window' | 'early' | 'late';

/**
 * Why a visit has its status, as a code and its parameters (issue 22, "Languages"): the web app
 * words it from its message catalogue; `reason`/`message` beside it keep core's English for the
 * server's answers, reports and exports. Lists (form titles) are joined with ", ".
 */
export interface StatusReason {
  code: StatusReasonCode;
  params: Readonly<Record<string, string | number>>;
}
export type StatusReasonCode =
  // the schedule (visitStatuses)
  | 'visit_early'
  | 'visit_late'
  | 'visit_in_window'
  | 'declared_missed'
  | 'window_opens'
  | 'window_open'
  | 'window_closed_later_done'
  | 'window_closed'
  // the forms (record-status.ts)
  | 'missed_by_site'
  | 'no_form_yet'
  | 'forms_incomplete'
  | 'all_signed_locked'
  | 'all_signed'
  | 'complete_not_signed'
  | 'subject_off_study';

export interface WindowCheck {
  code: string;
  studyDay: number;
  /** Actual minus target day (negative = before target). */
  daysFromTarget: number;
  position: WindowPosition;
  /** Days outside the window (0 when in window). */
  daysOutside: number;
  message: string;
  why: StatusReason;
}

/** Where a recorded visit date falls relative to its window. */
export function checkVisitWindow(
  visit: Pick<VisitDefinition, 'code' | 'targetDay' | 'windowDays'>,
  day0: IsoDate,
  date: IsoDate,
): WindowCheck {
  const day = daysBetween(day0, date);
  const { earliestDay, latestDay } = visitWindowDays(visit);
  const base = { code: visit.code, studyDay: day, daysFromTarget: day - visit.targetDay };
  if (day < earliestDay) {
    const n = earliestDay - day;
    return {
      ...base,
      position: 'early',
      daysOutside: n,
      message: `${visit.code} on day ${day} is ${n} day${n === 1 ? '' : 's'} early (window days ${earliestDay}…${latestDay})`,
      why: { code: 'visit_early', params: { visit: visit.code, day, days: n, earliestDay, latestDay } },
    };
  }
  if (day > latestDay) {
    const n = day - latestDay;
    return {
      ...base,
      position: 'late',
      daysOutside: n,
      message: `${visit.code} on day ${day} is ${n} day${n === 1 ? '' : 's'} late (window days ${earliestDay}…${latestDay})`,
      why: { code: 'visit_late', params: { visit: visit.code, day, days: n, earliestDay, latestDay } },
    };
  }
  return {
    ...base,
    position: 'in_window',
    daysOutside: 0,
    message: `${visit.code} on day ${day} is within its window (days ${earliestDay}…${latestDay})`,
    why: { code: 'visit_in_window', params: { visit: visit.code, day, earliestDay, latestDay } },
  };
}

/** A visit as recorded at the site: done on a date, or declared missed. */
export interface RecordedVisit {
  code: string;
  /** Date the visit took place; absent when `missed`. */
  date?: IsoDate;
  /** Declared not done (with a reason) by the site. */
  missed?: boolean;
  reason?: string;
  /** Treatment cycle (default 1). */
  cycle?: number;
}

export type VisitStatus = 'not_due' | 'due' | 'overdue' | 'done' | 'missed';

export interface VisitStatusEntry extends ExpectedVisit {
  status: VisitStatus;
  /** Why, in core's English (server answers, exports); `why` is the same as a code and parameters. */
  reason: string;
  why: StatusReason;
  /** For a done visit: the window check of its date. */
  window?: WindowCheck;
  date?: IsoDate;
}

export interface UnscheduledVisitEntry {
  code: string;
  cycle: number;
  date: IsoDate;
  studyDay: number;
}

export interface ScheduleStatus {
  visits: VisitStatusEntry[];
  unscheduled: UnscheduledVisitEntry[];
}

/**
 * Status of each visit of a cycle on `today`:
 * - `done`: recorded with a date (its window check says early / late / in window);
 * - `missed`: declared missed, or its window has passed and a later scheduled visit is done;
 * - `overdue`: its window has passed and it is neither done nor superseded;
 * - `due`: today is inside its window; `not_due`: the window has not opened.
 */
export function visitStatuses(input: {
  visits: readonly VisitDefinition[];
  day0: IsoDate;
  today: IsoDate;
  recorded: readonly RecordedVisit[];
  cycle?: number;
}): ScheduleStatus {
  const cycle = input.cycle ?? 1;
  const expected = expectedVisits(input.visits, input.day0, cycle);
  const known = new Set(expected.map((v) => v.code));
  const inCycle = input.recorded.filter((r) => (r.cycle ?? 1) === cycle);
  const todayDay = daysBetween(input.day0, input.today);
  const doneDays = new Map<string, number>();
  for (const r of inCycle) {
    if (r.date && !r.missed && known.has(r.code)) doneDays.set(r.code, daysBetween(input.day0, r.date));
  }

  const visits = expected.map((e): VisitStatusEntry => {
    const definition = input.visits.find((v) => v.code === e.code)!;
    const record = inCycle.find((r) => r.code === e.code);
    if (record?.date && !record.missed) {
      const window = checkVisitWindow(definition, input.day0, record.date);
      return { ...e, status: 'done', date: record.date, window, reason: window.message, why: window.why };
    }
    if (record?.missed) {
      return {
        ...e,
        status: 'missed',
        reason: `declared missed${record.reason ? `: ${record.reason}` : ''}`,
        why: { code: 'declared_missed', params: { reason: record.reason ?? '' } },
      };
    }
    if (todayDay < e.earliestDay) {
      return {
        ...e,
        status: 'not_due',
        reason: `window opens ${e.earliestDate}`,
        why: { code: 'window_opens', params: { date: e.earliestDate } },
      };
    }
    if (todayDay <= e.latestDay) {
      return {
        ...e,
        status: 'due',
        reason: `window ${e.earliestDate}…${e.latestDate}`,
        why: { code: 'window_open', params: { from: e.earliestDate, to: e.latestDate } },
      };
    }
    const later = expected.find((x) => x.targetDay > e.targetDay && doneDays.has(x.code));
    if (later) {
      return {
        ...e,
        status: 'missed',
        reason: `window closed ${e.latestDate} and ${later.code} is already done`,
        why: { code: 'window_closed_later_done', params: { closed: e.latestDate, later: later.code } },
      };
    }
    return {
      ...e,
      status: 'overdue',
      reason: `window closed ${e.latestDate}; not recorded`,
      why: { code: 'window_closed', params: { closed: e.latestDate } },
    };
  });

  const unscheduled = inCycle
    .filter((r) => !known.has(r.code) && r.date && !r.missed)
    .map((r) => ({ code: r.code, cycle, date: r.date!, studyDay: daysBetween(input.day0, r.date!) }));
  return { visits, unscheduled };
}

/**
 * How many visits of a cycle {@link visitStatuses} calls `overdue` on `today`, without building the
 * entries: the same rules (a visit done on a date or declared missed is not overdue; one whose window
 * has not closed is not; one superseded by a later scheduled visit already done is missed, not
 * overdue) on day numbers only. The study home counts this over every subject of a trial (issue 16);
 * visit-schedule.test.ts pins it to `visitStatuses` over random schedules.
 */
export function countOverdueVisits(input: {
  visits: readonly VisitDefinition[];
  day0: IsoDate;
  today: IsoDate;
  recorded: readonly RecordedVisit[];
  cycle?: number;
}): number {
  const cycle = input.cycle ?? 1;
  const todayDay = daysBetween(input.day0, input.today);
  const first = new Map<string, RecordedVisit>();
  const done = new Set<string>();
  for (const r of input.recorded) {
    if ((r.cycle ?? 1) !== cycle) continue;
    if (!first.has(r.code)) first.set(r.code, r);
    if (r.date && !r.missed) done.add(r.code);
  }
  const expected = input.visits.filter((v) => cycle === 1 || v.repeatsInCycles);
  let latestDone = Number.NEGATIVE_INFINITY;
  for (const v of expected) if (done.has(v.code) && v.targetDay > latestDone) latestDone = v.targetDay;
  let overdue = 0;
  for (const v of expected) {
    const r = first.get(v.code);
    if (r && (r.date || r.missed)) continue;
    if (todayDay <= visitWindowDays(v).latestDay) continue;
    if (latestDone > v.targetDay) continue;
    overdue++;
  }
  return overdue;
}
