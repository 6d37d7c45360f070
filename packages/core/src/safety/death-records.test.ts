import { describe, expect, it } from 'vitest';
import type { DatasetAdverseEvent, DatasetSubject } from '../dataset/trial-dataset.js';
import { deathRecordConflicts } from './death-records.js';

const ae = (over: Partial<DatasetAdverseEvent> = {}): DatasetAdverseEvent => ({
  term: 'Sepsis',
  onsetDate: '2026-03-01',
  resolutionDate: null,
  ctcaeGrade: 5,
  serious: true,
  seriousness: ['death'],
  relatedness: 'unlikely',
  outcome: 'fatal',
  deathDate: '2026-03-04',
  deathCause: 'sepsis',
  infusionLinked: false,
  ...over,
});
const subject = (aes: DatasetAdverseEvent[], eos?: { status: string; date?: string }): DatasetSubject => ({
  subjectId: 's',
  subjectCode: 'S-1',
  siteId: 'a',
  siteCode: 'A',
  status: 'enrolled',
  sex: null,
  birthDate: null,
  day0Date: '2026-01-01',
  visits: eos
    ? [
        {
          visitId: 'v',
          visitCode: 'UNSCHEDULED',
          cycle: 1,
          date: eos.date ?? null,
          items: {
            'end-of-study': {
              status: { value: eos.status, unit: null },
              ...(eos.date ? { date: { value: eos.date, unit: null } } : {}),
            },
          },
        },
      ]
    : [],
  infusions: [],
  adverseEvents: aes,
});
const rules = (s: DatasetSubject) => deathRecordConflicts(s).map((c) => c.rule);

describe('deathRecordConflicts', () => {
  it.each([
    [
      'one fatal AE and the end-of-study form agree',
      subject([ae()], { status: 'died', date: '2026-03-04' }),
      [],
    ],
    ['a fatal AE before the end-of-study form is filled', subject([ae()]), []],
    [
      'no death anywhere',
      subject([ae({ outcome: 'recovered', deathDate: null, seriousness: [] })], {
        status: 'completed',
        date: '2026-12-01',
      }),
      [],
    ],
    ['fatal without a date', subject([ae({ deathDate: null })]), ['fatal_without_death_date']],
    [
      'a death date on a recovered AE',
      subject([ae({ outcome: 'recovered' })]),
      ['death_date_without_fatal_outcome'],
    ],
    [
      'fatal without the death criterion',
      subject([ae({ seriousness: ['hospitalisation'] })]),
      ['fatal_not_serious_death'],
    ],
    [
      'two deaths on different dates',
      subject([ae(), ae({ term: 'Stroke', deathDate: '2026-03-06' })]),
      ['several_death_dates'],
    ],
    [
      'a fatal AE, end of study "completed"',
      subject([ae()], { status: 'completed', date: '2026-12-01' }),
      ['end_of_study_not_died'],
    ],
    [
      'end of study "died", no fatal AE',
      subject([], { status: 'died', date: '2026-03-04' }),
      ['died_without_fatal_event'],
    ],
    [
      'end of study died on another date',
      subject([ae()], { status: 'died', date: '2026-03-05' }),
      ['death_date_mismatch'],
    ],
  ] as const)('%s', (_name, s, expected) => {
    expect(rules(s)).toEqual(expected);
  });

  it('names the records in its messages', () => {
    const [c] = deathRecordConflicts(subject([ae()], { status: 'died', date: '2026-03-05' }));
    expect(c!.message).toMatch(/2026-03-05.*2026-03-04/);
  });
});
