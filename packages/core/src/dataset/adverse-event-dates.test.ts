// Issue #18 item 8: an AE's dates against the subject's own dates (rules in adverse-event-dates.ts),
// and the analysis lists every AE it leaves out with the reason (none is dropped silently).
import { describe, expect, test } from 'vitest';
import { analyzeTrial } from '../analysis/analyze-trial.js';
import { buildDataset, buildSubject } from '../testing/test-dataset.js';
import {
  type AdverseEventDates,
  checkAdverseEventDates,
  latestTodayAnywhere,
  type SubjectDateBounds,
  subjectDateBounds,
} from './adverse-event-dates.js';

const TODAY = '2026-12-04';
const FINISHED: SubjectDateBounds = {
  firstStudyDate: '2013-01-03',
  deathDate: null,
  lastContactDate: '2014-01-20',
};
const ONGOING: SubjectDateBounds = { firstStudyDate: '2013-01-03', deathDate: null, lastContactDate: null };
const DIED: SubjectDateBounds = {
  firstStudyDate: '2013-01-03',
  deathDate: '2013-09-14',
  lastContactDate: null,
};

const cases: Array<[string, AdverseEventDates, SubjectDateBounds, Array<[string, string]>]> = [
  ['plausible onset and resolution', { onsetDate: '2013-03-01', resolutionDate: '2013-03-09' }, FINISHED, []],
  [
    'onset in 2030 for a subject who finished in 2014',
    { onsetDate: '2030-01-01' },
    FINISHED,
    [['onsetDate', 'not_in_future']],
  ],
  [
    'onset after the last contact',
    { onsetDate: '2014-02-01' },
    FINISHED,
    [['onsetDate', 'after_last_contact']],
  ],
  ['onset on the last contact day', { onsetDate: '2014-01-20' }, FINISHED, []],
  [
    'onset before the first study date (consent precedes no earlier)',
    { onsetDate: '2013-01-02' },
    FINISHED,
    [['onsetDate', 'before_first_study_date']],
  ],
  ['onset on the first study date', { onsetDate: '2013-01-03' }, FINISHED, []],
  [
    'resolution before onset',
    { onsetDate: '2013-03-01', resolutionDate: '2013-02-28' },
    ONGOING,
    [['resolutionDate', 'before_onset']],
  ],
  [
    'resolution in the future',
    { onsetDate: '2013-03-01', resolutionDate: '2027-01-01' },
    ONGOING,
    [['resolutionDate', 'not_in_future']],
  ],
  ['ongoing subject: onset today is fine', { onsetDate: TODAY }, ONGOING, []],
  ['onset after death', { onsetDate: '2013-09-15' }, DIED, [['onsetDate', 'after_death']]],
  [
    'resolution after death',
    { onsetDate: '2013-09-01', resolutionDate: '2013-09-20' },
    DIED,
    [['resolutionDate', 'after_death']],
  ],
  [
    'fatal AE: death on its own date bounds the resolution',
    { onsetDate: '2013-09-01', resolutionDate: '2013-09-03', deathDate: '2013-09-02' },
    ONGOING,
    [['resolutionDate', 'after_death']],
  ],
  [
    "an AE's later death date does not move the subject's recorded death: onset between them is after death",
    { onsetDate: '2013-09-20', deathDate: '2013-09-25' },
    DIED,
    [['onsetDate', 'after_death']],
  ],
  [
    'death date before onset',
    { onsetDate: '2013-09-01', deathDate: '2013-08-30' },
    ONGOING,
    [
      ['onsetDate', 'after_death'],
      ['deathDate', 'before_onset'],
    ],
  ],
];

describe('checkAdverseEventDates (issue #18 item 8)', () => {
  test.each(cases)('%s', (_name, ae, bounds, want) => {
    expect(checkAdverseEventDates(ae, bounds, TODAY).map((i) => [i.field, i.rule])).toEqual(want);
  });

  test('"today" is the latest calendar date anywhere (UTC+14)', () => {
    expect(latestTodayAnywhere(new Date('2026-12-04T09:59:00Z'))).toBe('2026-12-04');
    expect(latestTodayAnywhere(new Date('2026-12-04T10:00:00Z'))).toBe('2026-12-05');
  });

  test('subject bounds: first study date, death, last contact only once the subject has left', () => {
    const site = () => 'site-A';
    const ongoing = buildSubject({ code: 'P1', site: 'A', visits: { D0: {}, M1: {} } }, site);
    expect(subjectDateBounds(ongoing)).toEqual({
      firstStudyDate: '2013-01-03',
      deathDate: null,
      lastContactDate: null,
    });
    const withdrew = buildSubject(
      { code: 'P2', site: 'A', visits: { D0: {}, M1: {} }, withdrew: { day: 60 } },
      site,
    );
    expect(subjectDateBounds(withdrew).lastContactDate).toBe('2013-03-11');
    const died = buildSubject(
      { code: 'P3', site: 'A', visits: { D0: {} }, died: { day: 100, cause: 'Sepsis' } },
      site,
    );
    expect(subjectDateBounds(died)).toMatchObject({ deathDate: '2013-04-20', lastContactDate: null });
  });
});

describe('the analysis lists every AE it leaves out, and why', () => {
  const ds = buildDataset([
    {
      code: 'P1',
      site: 'A',
      visits: { D0: {}, M1: {} },
      withdrew: { day: 60 },
      adverseEvents: [
        { term: 'Headache', day: 10 },
        { term: 'Rash (before infusion)', day: -3 },
        { term: 'Typo onset', day: 0, onsetDate: '2030-01-01' },
        { term: 'After withdrawal', day: 70 },
      ],
    },
    { code: 'P2', site: 'A', visits: { D0: {}, M12: {} }, adverseEvents: [{ term: 'Late', day: 380 }] },
    {
      code: 'P3',
      site: 'A',
      day0: null,
      visits: {},
      adverseEvents: [{ term: 'Screen failure AE', day: 0, onsetDate: '2013-01-04' }],
    },
  ]);
  const s = analyzeTrial(ds).safety.adverseEvents;

  test('each left-out AE with subject, term, onset, rule and reason', () => {
    expect(s.total).toBe(1);
    expect(s.excludedOutsideWindow).toBe(5);
    expect(s.excluded.map((e) => [e.subject, e.term, e.rule])).toEqual([
      ['P1', 'Rash (before infusion)', 'before_day0'],
      ['P1', 'Typo onset', 'not_in_future'],
      ['P1', 'After withdrawal', 'after_last_contact'],
      ['P2', 'Late', 'after_follow_up'],
      ['P3', 'Screen failure AE', 'not_enrolled'],
    ]);
    expect(s.excluded[1]?.reason).toBe(
      'implausible onset: onset date 2030-01-01 is in the future (today 2014-02-01)',
    );
    expect(s.excluded[3]?.reason).toBe('onset on day 380, after the end of follow-up (day 379)');
  });
});
