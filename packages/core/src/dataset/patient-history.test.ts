import { describe, expect, it } from 'vitest';
import type { VisitItems } from '../crf/derive.js';
import { adjudicate } from '../endpoints/adjudicate.js';
import { deriveSubject } from './patient-history.js';
import type { DatasetSubject, DatasetVisit } from './trial-dataset.js';

const SYSTEMS = [
  'general',
  'mucocutaneous',
  'neurological',
  'musculoskeletal',
  'cardiorespiratory',
  'vasculitis',
  'renal',
  'haematological',
] as const;

function bilag(grades: Partial<Record<(typeof SYSTEMS)[number], string>>): VisitItems['bilag'] {
  return Object.fromEntries(SYSTEMS.map((s) => [s, { value: grades[s] ?? 'E', unit: null }]));
}

const visit = (visitCode: string, date: string, items: VisitItems, cycle = 1): DatasetVisit => ({
  visitId: `${visitCode}-${cycle}`,
  visitCode,
  cycle,
  date,
  items,
});

function subject(visits: DatasetVisit[], extra: Partial<DatasetSubject> = {}): DatasetSubject {
  return {
    subjectId: 's1',
    subjectCode: 'NJ-001',
    siteId: 'x',
    siteCode: 'NJ',
    status: 'enrolled',
    sex: 'female',
    birthDate: null,
    day0Date: '2013-01-10',
    visits,
    infusions: [],
    adverseEvents: [],
    ...extra,
  };
}

describe('deriveSubject', () => {
  it('turns raw items into an endpoint history with study days from day 0, and adjudicates MCR', () => {
    const active = { renal: 'A', musculoskeletal: 'B' } as const;
    const quiet = { renal: 'C', musculoskeletal: 'D' } as const;
    const s = subject([
      visit('SCR', '2013-01-02', { demographics: { lupus_nephritis: { value: '1', unit: null } } }),
      visit('D0', '2013-01-10', {
        bilag: bilag(active),
        sledai2k: { arthritis: { value: '1', unit: null } },
        labs: { c3: { value: '0.4', unit: 'g/L' } },
      }),
      visit('D7', '2013-01-17', {}),
      ...(
        [
          ['M1', '2013-02-09'],
          ['M3', '2013-04-11'],
          ['M6', '2013-07-11'],
          ['M9', '2013-10-10'],
          ['M12', '2014-01-10'],
        ] as const
      ).map(([code, date]) =>
        visit(code, date, { bilag: bilag(code === 'M1' ? active : quiet), sledai2k: {} }),
      ),
    ]);
    const d = deriveSubject(s);
    expect(d.problems).toEqual([]);
    expect(d.history?.baseline.studyDay).toBe(0);
    expect(d.history?.baseline.sledai).toBe(4);
    expect(d.history?.baseline.c3).toBe(0.4);
    expect(d.history?.assessments.map((a) => [a.visitCode, a.studyDay])).toEqual([
      ['M1', 30],
      ['M3', 91],
      ['M6', 182],
      ['M9', 273],
      ['M12', 365],
    ]);
    expect(d.history?.lastContact?.studyDay).toBe(365);
    expect(adjudicate(d.history!).primary.outcome).toBe('MCR');
  });

  it('reads a death from the end-of-study form and reports an unscored baseline', () => {
    const s = subject([
      visit('D0', '2013-01-10', { bilag: bilag({ renal: 'A' }) }),
      visit('M3', '2013-04-11', {
        'end-of-study': {
          status: { value: 'died', unit: null },
          date: { value: '2013-04-20', unit: null },
          death_cause: { value: 'sepsis', unit: null },
        },
      }),
    ]);
    const d = deriveSubject(s);
    expect(d.history?.death).toEqual({ studyDay: 100, date: '2013-04-20', cause: 'sepsis' });
    expect(adjudicate(d.history!).primary.outcome).toBe('NR');
    const incomplete = deriveSubject(
      subject([visit('D0', '2013-01-10', { bilag: { renal: { value: 'A', unit: null } } })]),
    );
    expect(incomplete.history).toBeNull();
    expect(incomplete.problems.join(' ')).toMatch(/BILAG not scored/);
  });
});
