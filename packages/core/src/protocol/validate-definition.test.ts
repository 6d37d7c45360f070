import { describe, expect, test } from 'vitest';
import { evaluateEligibility } from './eligibility.js';
import { msctSleTrial } from './msct-sle-trial.js';
import type { StudyDefinition } from './study-definition.js';
import {
  formatDefinitionIssue,
  PLATFORM_DEFINITION_OPTIONS,
  validateStudyDefinition,
} from './validate-definition.js';
import { expectedVisits } from './visit-schedule.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests break untyped JSON on purpose.
type Json = any;

const clone = (): Record<string, unknown> => JSON.parse(JSON.stringify(msctSleTrial));

describe('validateStudyDefinition', () => {
  test('the built-in trial is valid', () => {
    const r = validateStudyDefinition(clone(), { knownRuleSetIds: ['msct-sle-bilag-2014'] });
    expect(r).toMatchObject({ ok: true, issues: [] });
  });

  test('another study is definable as data: a small two-visit renal study', () => {
    const other: StudyDefinition = {
      id: 'ln-pilot',
      title: 'Lupus nephritis pilot',
      version: '0.1',
      source: 'example',
      centres: [{ id: 'A', name: 'Centre A', city: 'Oslo', country: 'NO' }],
      visits: [
        {
          code: 'BL',
          label: 'Baseline',
          kind: 'baseline',
          targetDay: 0,
          windowDays: 0,
          repeatsInCycles: true,
        },
        {
          code: 'W24',
          label: 'Week 24',
          kind: 'assessment',
          targetDay: 168,
          windowDays: { before: 7, after: 21 },
          month: 6,
          repeatsInCycles: true,
        },
      ],
      infusion: {
        product: 'BM-MSC',
        route: 'intravenous',
        infusionVisitCodes: ['BL'],
        cellsPerKg: 2e6,
        doseTolerance: 0.2,
        minViabilityPercent: 80,
        maxCycles: 1,
      },
      forms: [{ id: 'labs', title: 'Labs', visitCodes: ['BL', 'W24', 'UNSCHEDULED'] }],
      eligibility: [
        {
          id: 'inc-upcr',
          label: 'UPCR ≥ 100 mg/mmol',
          kind: 'inclusion',
          condition: { op: 'gte', item: 'upcr_mg_mmol', value: 100 },
          source: 'example',
        },
      ],
      endpointRuleSetId: 'renal-response-v1',
      retreatment: { afterStudyDay: 168, flagOnRelapse: false, sledaiRise: 4, consecutiveAssessments: 1 },
      bilagVersion: '2004',
      sledaiWindowDays: 30,
    };
    const r = validateStudyDefinition(JSON.parse(JSON.stringify(other)), {
      knownRuleSetIds: ['renal-response-v1'],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(expectedVisits(r.value.visits, '2024-01-01').map((v) => [v.code, v.latestDate])).toEqual([
      ['BL', '2024-01-01'],
      ['W24', '2024-07-08'],
    ]);
    expect(evaluateEligibility(r.value.eligibility, { upcr_mg_mmol: 120 }).overall).toBe('eligible');
  });

  test.each([
    [
      'negative window',
      (d: Json) => {
        d.visits[2].windowDays = -1;
      },
      ['visits', 2, 'windowDays'],
      'invalid_value',
    ],
    [
      'window as a string',
      (d: Json) => {
        d.visits[3].windowDays = '7';
      },
      ['visits', 3, 'windowDays'],
      'invalid_type',
    ],
    [
      'duplicate visit code',
      (d: Json) => {
        d.visits[4].code = 'M1';
      },
      ['visits', 4, 'code'],
      'duplicate',
    ],
    [
      'visits out of order',
      (d: Json) => {
        d.visits[5].targetDay = 20;
      },
      ['visits', 5, 'targetDay'],
      'out_of_order',
    ],
    [
      'non-integer target day',
      (d: Json) => {
        d.visits[6].targetDay = 273.5;
      },
      ['visits', 6, 'targetDay'],
      'invalid_value',
    ],
    [
      'infusion at an unknown visit',
      (d: Json) => {
        d.infusion.infusionVisitCodes = ['D0', 'D8'];
      },
      ['infusion', 'infusionVisitCodes', 1],
      'unknown_reference',
    ],
    [
      're-treatment "after month 6" names an unknown visit',
      (d: Json) => {
        d.retreatment.afterVisitCode = 'M7';
      },
      ['retreatment', 'afterVisitCode'],
      'unknown_reference',
    ],
    [
      'zero dose',
      (d: Json) => {
        d.infusion.cellsPerKg = 0;
      },
      ['infusion', 'cellsPerKg'],
      'invalid_value',
    ],
    [
      'viability above 100%',
      (d: Json) => {
        d.infusion.minViabilityPercent = 190;
      },
      ['infusion', 'minViabilityPercent'],
      'invalid_value',
    ],
    [
      'form at an unknown visit',
      (d: Json) => {
        d.forms[3].visitCodes.push('M24');
      },
      ['forms', 3, 'visitCodes', 8],
      'unknown_reference',
    ],
    [
      'unknown condition operator',
      (d: Json) => {
        d.eligibility[2].condition.op = 'atLeast';
      },
      ['eligibility', 2, 'condition', 'op'],
      'invalid_value',
    ],
    [
      'nested condition missing its item',
      (d: Json) => {
        delete d.eligibility[3].condition.conditions[1].item;
      },
      ['eligibility', 3, 'condition', 'conditions', 1, 'item'],
      'required',
    ],
    [
      'between with min above max',
      (d: Json) => {
        d.eligibility[1].condition.min = 80;
      },
      ['eligibility', 1, 'condition', 'max'],
      'invalid_value',
    ],
    [
      'duplicate criterion id',
      (d: Json) => {
        d.eligibility[5].id = 'inc-age';
      },
      ['eligibility', 5, 'id'],
      'duplicate',
    ],
    [
      'bad BILAG version',
      (d: Json) => {
        d.bilagVersion = '1993';
      },
      ['bilagVersion'],
      'invalid_value',
    ],
    [
      'BILAG-2004 driving endpoints (its grading is partly provisional; issue #18)',
      (d: Json) => {
        d.endpointBilagVersion = '2004';
      },
      ['endpointBilagVersion'],
      'invalid_value',
    ],
    [
      'missing re-treatment rule',
      (d: Json) => {
        delete d.retreatment;
      },
      ['retreatment'],
      'required',
    ],
    [
      'empty centre list',
      (d: Json) => {
        d.centres = [];
      },
      ['centres'],
      'invalid_value',
    ],
    [
      'unknown rule set',
      (d: Json) => {
        d.endpointRuleSetId = 'sri-4';
      },
      ['endpointRuleSetId'],
      'unknown_reference',
    ],
    [
      'item naming an unknown code list',
      (d: Json) => {
        d.forms[4].items[7].codeList = 'yn2';
      },
      ['forms', 4, 'items', 7, 'codeList'],
      'unknown_reference',
    ],
    [
      'code item without a code list',
      (d: Json) => {
        delete d.forms[10].items[0].codeList;
      },
      ['forms', 10, 'items', 0, 'codeList'],
      'required',
    ],
    [
      'code list on a boolean item',
      (d: Json) => {
        d.forms[3].items[0].codeList = 'bilag-classic-grade';
      },
      ['forms', 3, 'items', 0, 'codeList'],
      'invalid_value',
    ],
    [
      'units on a text item',
      (d: Json) => {
        d.forms[6].items[4].units = ['mg'];
      },
      ['forms', 6, 'items', 4, 'units'],
      'invalid_value',
    ],
    [
      'item range with min above max',
      (d: Json) => {
        // labs: items 0 and 1 are the sample date and time, 2 is haemoglobin (plausible 20–250 g/L).
        d.forms[5].items[2].min = 300;
      },
      ['forms', 5, 'items', 2, 'max'],
      'invalid_value',
    ],
    [
      'unknown item type',
      (d: Json) => {
        d.forms[5].items[2].type = 'float';
      },
      ['forms', 5, 'items', 2, 'type'],
      'invalid_value',
    ],
    [
      'duplicate item code in a form',
      (d: Json) => {
        d.forms[5].items[4].code = 'wbc';
      },
      ['forms', 5, 'items', 4, 'code'],
      'duplicate',
    ],
    [
      'unknown missing-data code',
      (d: Json) => {
        d.forms[5].items[0].missingCodes = ['ND', 'UNK'];
      },
      ['forms', 5, 'items', 0, 'missingCodes', 1],
      'invalid_value',
    ],
    [
      'duplicate code list id',
      (d: Json) => {
        d.codeLists[1].id = d.codeLists[0].id;
      },
      ['codeLists', 1, 'id'],
      'duplicate',
    ],
    [
      'duplicate code within a list',
      (d: Json) => {
        d.codeLists[0].codes[1].code = 'A';
      },
      ['codeLists', 0, 'codes', 1, 'code'],
      'duplicate',
    ],
    [
      'empty code list',
      (d: Json) => {
        d.codeLists[0].codes = [];
      },
      ['codeLists', 0, 'codes'],
      'invalid_value',
    ],
    [
      'windows of consecutive visits overlap',
      (d: Json) => {
        d.visits[4].windowDays = 70;
      },
      ['visits', 4, 'windowDays'],
      'overlap',
    ],
    [
      'UNSCHEDULED used as a scheduled visit',
      (d: Json) => {
        d.visits[7].code = 'UNSCHEDULED';
      },
      ['visits', 7, 'code'],
      'invalid_value',
    ],
    [
      'misspelt field',
      (d: Json) => {
        d.visits[1].repeatInCycles = true;
      },
      ['visits', 1, 'repeatInCycles'],
      'unknown_key',
    ],
    [
      'unknown analysis measure',
      (d: Json) => {
        d.analysisMeasures = ['sledai', 'sri4'];
      },
      ['analysisMeasures', 1],
      'unknown_reference',
    ],
  ])('%s → issue at its path', (_label, breakIt, path, code) => {
    const d = clone();
    breakIt(d);
    const r = validateStudyDefinition(d, {
      knownRuleSetIds: ['msct-sle-bilag-2014'],
      knownMeasureKeys: PLATFORM_DEFINITION_OPTIONS.knownMeasureKeys,
    });
    expect(r.ok).toBe(false);
    expect(r.issues).toContainEqual(expect.objectContaining({ path, code }));
  });

  test('each problem reads as one line naming its path', () => {
    const d = clone() as Json;
    d.forms[4].items[7].codeList = 'yn2';
    d.visits[2].windowDays = -1;
    const r = validateStudyDefinition(d);
    expect(r.issues.map(formatDefinitionIssue)).toEqual([
      'visits[2].windowDays: must be ≥ 0, got -1',
      'forms[4].items[7].codeList: unknown code list "yn2" (bilag-classic-grade, end-of-study-status, lab_significance)',
    ]);
  });

  test('by default the endpoint rule set must be one the platform runs', () => {
    const d = clone() as Json;
    d.endpointRuleSetId = 'sri-4';
    expect(validateStudyDefinition(d).issues.map(formatDefinitionIssue)).toEqual([
      'endpointRuleSetId: unknown endpoint rule set "sri-4" (msct-sle-bilag-2014)',
    ]);
  });

  test('several problems are all reported, and a missing baseline is named', () => {
    const d = clone() as Json;
    d.visits = d.visits.filter((v: { kind: string }) => v.kind !== 'baseline');
    d.title = '';
    d.sledaiWindowDays = 0;
    const r = validateStudyDefinition(d);
    expect(r.ok).toBe(false);
    const paths = r.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['title', 'visits', 'sledaiWindowDays', 'infusion.infusionVisitCodes.0']),
    );
    expect(r.issues.find((i) => i.path.join('.') === 'visits')?.message).toContain(
      "exactly one visit of kind 'baseline'",
    );
  });

  test('a repeating form holds several records per visit, but never a form the analysis reads', () => {
    const d = clone() as Json;
    const visit = d.visits[1].code;
    d.forms.push({
      id: 'conmed',
      title: 'Concomitant medication',
      visitCodes: [visit],
      repeating: true,
      items: [{ code: 'drug', label: 'Drug', type: 'text' }],
    });
    const ok = validateStudyDefinition(JSON.parse(JSON.stringify(d)), PLATFORM_DEFINITION_OPTIONS);
    expect(ok.issues).toEqual([]);
    expect(ok.ok && ok.value.forms.find((f) => f.id === 'conmed')?.repeating).toBe(true);

    const labs = d.forms.findIndex((f: { id: string }) => f.id === 'labs');
    d.forms[labs].repeating = true;
    const conmed = d.forms.length - 1;
    d.forms[conmed].items.push({ code: 'hb_cs', label: 'Hb CS', type: 'text', significanceOf: 'drug' });
    const r = validateStudyDefinition(d, PLATFORM_DEFINITION_OPTIONS);
    expect(r.ok).toBe(false);
    expect(r.issues.map(formatDefinitionIssue)).toEqual(
      expect.arrayContaining([
        `forms[${labs}].repeating: form "labs" carries derived scores or labs the analysis reads, so it cannot be repeating (one record per visit)`,
        `forms[${conmed}].items[1].significanceOf: a repeating form cannot carry lab items (significanceOf on "hb_cs" of form "conmed")`,
      ]),
    );
  });

  test('non-objects are rejected without throwing', () => {
    expect(validateStudyDefinition(null).issues).toEqual([
      { path: [], code: 'invalid_type', message: 'must be an object, got null' },
    ]);
    expect(validateStudyDefinition([]).ok).toBe(false);
  });
});
