/**
 * The expedited-reporting clock of a serious adverse event (issue #21, "Safety").
 *
 * Sources:
 * - ICH E2A (1994) "Clinical Safety Data Management: Definitions and Standards for Expedited
 *   Reporting", §II.B (serious = death, life-threatening, hospitalisation or its prolongation,
 *   persistent or significant disability, congenital anomaly, or other medically important event),
 *   §III.A.1 (reportable: serious AND unexpected AND a reasonable possibility of a causal
 *   relationship), §III.B.1 (fatal or life-threatening unexpected ADRs: "as soon as possible but no
 *   later than 7 calendar days after first knowledge by the sponsor"), §III.B.2 (all other serious
 *   unexpected ADRs: "no later than 15 calendar days"). Day 0 is the date the sponsor first knows.
 * - Regulation (EU) No 536/2014 Art. 41(2): the investigator reports a serious adverse event to the
 *   sponsor "without undue delay but not later than within 24 hours of obtaining knowledge" (ICH E6
 *   4.11.1: "immediately"): the site's initial notice.
 * - Causality: endpoints.md "Safety (primary)" — "transplantation-related" = possible, probable or
 *   definite; the event counts as related when the investigator OR the sponsor so judges (EU "CT-3"
 *   guidance, OJ 2011/C 172/01, on causality: the sponsor should not downgrade the investigator's
 *   assessment).
 * - Expectedness is the sponsor's judgement against the reference safety information; while it is
 *   not assessed the clock runs as if the event were unexpected (the conservative reading, flagged).
 *
 * Pure: instants are ISO-8601 UTC strings, dates ISO calendar dates; calendar days are counted on
 * UTC dates. "Now" is an argument.
 */

import { RELATED_ASSESSMENTS } from './vocabulary.js';

/** Calendar days after day 0 (sponsor's first knowledge): ICH E2A §III.B.1 and §III.B.2. */
export const FATAL_OR_LIFE_THREATENING_DAYS = 7;
export const OTHER_SERIOUS_DAYS = 15;
/** Hours from the site's awareness to its initial notice to the sponsor: Reg. (EU) 536/2014 Art. 41(2). */
export const SITE_NOTICE_HOURS = 24;

export interface SaeClockInput {
  /** ICH E2A seriousness criteria met (empty = not serious). */
  seriousness: readonly string[];
  /** Investigator's causality (not_related … definite). */
  relatedness: string;
  /** Sponsor's causality, null = not yet assessed. */
  sponsorRelatedness: string | null;
  /** 'expected' | 'unexpected' | null (not yet assessed). */
  expectedness: string | null;
  /** When the site learnt of the event being serious (instant). */
  siteAwareAt: string | null;
  /** When the site's initial notice reached the sponsor (instant): the sponsor's first knowledge. */
  sponsorNotifiedAt: string | null;
  /** When the expedited report was submitted (date). */
  reportedDate: string | null;
}

export type ClockState = 'not_applicable' | 'pending' | 'on_time' | 'due' | 'overdue' | 'late';

export interface SaeClock {
  serious: boolean;
  related: boolean;
  /** True when expectedness is not yet assessed and the clock assumes "unexpected". */
  expectednessAssumed: boolean;
  /** Serious, unexpected (or unassessed) and related: reportable on the expedited timeline. */
  expedited: boolean;
  /** 7 or 15 calendar days, null when not expedited. */
  deadlineDays: 7 | 15 | null;
  /** Day 0 + deadlineDays (date), null until the sponsor knows. */
  reportDueDate: string | null;
  /**
   * Regulatory report: `not_applicable` (not expedited), `pending` (the sponsor does not know yet:
   * the clock has not started), `due` (running, `daysLeft` ≥ 0), `overdue` (past due, not reported),
   * `on_time` / `late` (reported on or before / after the due date).
   */
  report: ClockState;
  /** Calendar days from today to the due date (negative when overdue); null when not running. */
  daysLeft: number | null;
  /** Site awareness + 24 h, null when awareness is not recorded. */
  siteNoticeDueAt: string | null;
  /** Initial notice: `not_applicable` (not serious), `pending` (awareness unknown), `due`, `overdue`, `on_time`, `late`. */
  siteNotice: ClockState;
  /** Any deadline passed without the action (overdue), for the listing's flag. */
  overdue: boolean;
  /** Why, in words, for the screen and the CIOMS page. */
  reasons: string[];
}

const DAY_MS = 86_400_000;
const dateOf = (instant: string) => new Date(instant).toISOString().slice(0, 10);
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

export function saeReportingClock(ae: SaeClockInput, now: Date): SaeClock {
  const serious = ae.seriousness.length > 0;
  const isRelated = (r: string | null) =>
    r !== null && (RELATED_ASSESSMENTS as readonly string[]).includes(r);
  const related = isRelated(ae.relatedness) || isRelated(ae.sponsorRelatedness);
  const expectednessAssumed = serious && related && ae.expectedness === null;
  const expedited = serious && related && ae.expectedness !== 'expected';
  const fatalOrLifeThreatening =
    ae.seriousness.includes('death') || ae.seriousness.includes('life_threatening');
  const deadlineDays = !expedited
    ? null
    : fatalOrLifeThreatening
      ? FATAL_OR_LIFE_THREATENING_DAYS
      : OTHER_SERIOUS_DAYS;
  const reasons: string[] = [];
  const today = now.toISOString().slice(0, 10);

  // Site's initial notice (every SAE, related or not).
  let siteNotice: ClockState = 'not_applicable';
  let siteNoticeDueAt: string | null = null;
  if (serious) {
    if (ae.siteAwareAt === null) {
      siteNotice = 'pending';
      reasons.push('site awareness not recorded: the 24 h notice clock cannot start');
    } else {
      const due = Date.parse(ae.siteAwareAt) + SITE_NOTICE_HOURS * 3_600_000;
      siteNoticeDueAt = new Date(due).toISOString();
      if (ae.sponsorNotifiedAt !== null)
        siteNotice = Date.parse(ae.sponsorNotifiedAt) <= due ? 'on_time' : 'late';
      else siteNotice = now.getTime() <= due ? 'due' : 'overdue';
      if (siteNotice === 'late') reasons.push('the site notified the sponsor more than 24 h after awareness');
      if (siteNotice === 'overdue')
        reasons.push('the site has not notified the sponsor within 24 h of awareness');
    }
  }

  let report: ClockState = 'not_applicable';
  let reportDueDate: string | null = null;
  let daysLeft: number | null = null;
  if (!serious) reasons.push('not serious: no expedited report');
  else if (!related) reasons.push('not related (investigator and sponsor): no expedited report');
  else if (ae.expectedness === 'expected')
    reasons.push('expected: reported in the periodic safety report, not expedited');
  if (expedited && deadlineDays !== null) {
    reasons.push(
      `${fatalOrLifeThreatening ? 'fatal or life-threatening' : 'serious'}, ${
        expectednessAssumed ? 'expectedness not yet assessed (treated as unexpected)' : 'unexpected'
      } and related: expedited report within ${deadlineDays} calendar days of the sponsor's first knowledge`,
    );
    if (ae.sponsorNotifiedAt === null) report = 'pending';
    else {
      const day0 = dateOf(ae.sponsorNotifiedAt);
      reportDueDate = addDays(day0, deadlineDays);
      if (ae.reportedDate !== null) report = ae.reportedDate <= reportDueDate ? 'on_time' : 'late';
      else {
        daysLeft = daysBetween(today, reportDueDate);
        report = daysLeft >= 0 ? 'due' : 'overdue';
      }
      // Reasons carry no calendar date (the answer's dates are shifted for pseudonymised readers).
      if (report === 'overdue') reasons.push('expedited report overdue: past its due date');
      if (report === 'late') reasons.push('expedited report submitted after its due date');
    }
  }
  return {
    serious,
    related,
    expectednessAssumed,
    expedited,
    deadlineDays,
    reportDueDate,
    report,
    daysLeft,
    siteNoticeDueAt,
    siteNotice,
    overdue: report === 'overdue' || siteNotice === 'overdue',
    reasons,
  };
}
