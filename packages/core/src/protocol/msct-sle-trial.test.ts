import { describe, expect, test } from 'vitest';
import { itemFormsFor, MSCT_SLE_FORMS } from '../crf/forms.js';
import { LAB_ENTRY_ITEMS, LAB_SIGNIFICANCE_CODE_LIST } from '../crf/lab-entry-items.js';
import {
  BILAG2004_PROVISIONAL_SYSTEMS,
  isProvisionalBilag2004Grade,
} from '../instruments/bilag2004/provisional.js';
import { sha256, toHex, utf8 } from '../randomisation/sha256.js';
import { msctSleEligibilityCriteria } from './msct-sle-eligibility.js';
import { msctSleTrial } from './msct-sle-trial.js';
import definitionFile from './studies/msct-sle.json' with { type: 'json' };
import { endpointBilagStatement, visitWindowDays } from './study-definition.js';
import { validateStudyDefinition } from './validate-definition.js';

describe('msctSleTrial pins trial.md', () => {
  test('four Jiangsu centres (trial.md Design)', () => {
    expect(msctSleTrial.centres.map((c) => c.city)).toEqual(['Nanjing', 'Zhenjiang', 'Yangzhou', 'Nanjing']);
  });

  test('schedule: target days and windows (trial.md Schedule)', () => {
    const rows = msctSleTrial.visits.map((v) => [v.code, v.targetDay, visitWindowDays(v)]);
    expect(rows).toEqual([
      ['SCR', -1, { earliestDay: -28, latestDay: -1 }],
      ['D0', 0, { earliestDay: 0, latestDay: 0 }],
      ['D7', 7, { earliestDay: 6, latestDay: 8 }],
      ['M1', 30, { earliestDay: 23, latestDay: 37 }],
      ['M3', 91, { earliestDay: 77, latestDay: 105 }],
      ['M6', 182, { earliestDay: 168, latestDay: 196 }],
      ['M9', 273, { earliestDay: 259, latestDay: 287 }],
      ['M12', 365, { earliestDay: 351, latestDay: 379 }],
    ]);
  });

  test('endpoint rule set, re-treatment rule, BILAG version and SLEDAI window', () => {
    expect(msctSleTrial.endpointRuleSetId).toBe('msct-sle-bilag-2014');
    // endpoints.md Re-treatment rule: after month 6, SLEDAI rise ≥ 3, two consecutive assessments.
    expect(msctSleTrial.retreatment).toEqual({
      afterVisitCode: 'M6',
      afterStudyDay: 196,
      flagOnRelapse: true,
      sledaiRise: 3,
      consecutiveAssessments: 2,
    });
    // trial.md Published results: classic BILAG weights reproduce Table 1 totals.
    expect(msctSleTrial.bilagVersion).toBe('classic');
    expect(msctSleTrial.sledaiWindowDays).toBe(10);
  });

  test('issue #18 item 13: the study definition states that classic BILAG (verified) drives endpoints', () => {
    expect(msctSleTrial.endpointBilagVersion).toBe('classic');
    expect(endpointBilagStatement(msctSleTrial)).toMatch(/classic BILAG system grades \(verified\)/);
    // A definition written before the field existed reads as classic, which the adjudication uses.
    expect(endpointBilagStatement({})).toBe(endpointBilagStatement(msctSleTrial));
  });

  test('issue #18 item 13: BILAG-2004 A/B/C grades of systems with provisional rules are marked', () => {
    // The six item-set systems (instruments.md §2.2.2 "not obtained") plus constitutional and
    // haematological (instruments/README.md PROVISIONAL rules 2–3); renal follows §2.2.3.
    expect([...BILAG2004_PROVISIONAL_SYSTEMS].sort()).toEqual(
      [
        'cardiorespiratory',
        'constitutional',
        'gastrointestinal',
        'haematological',
        'mucocutaneous',
        'musculoskeletal',
        'neuropsychiatric',
        'ophthalmic',
      ].sort(),
    );
    expect(isProvisionalBilag2004Grade('mucocutaneous', 'B')).toBe(true);
    expect(isProvisionalBilag2004Grade('mucocutaneous', 'E')).toBe(false);
    expect(isProvisionalBilag2004Grade('renal', 'A')).toBe(false);
  });

  test('eligibility thresholds (trial.md Population)', () => {
    const byId = Object.fromEntries(msctSleTrial.eligibility.map((c) => [c.id, c.condition]));
    expect(byId['inc-age']).toMatchObject({ op: 'between', min: 15, max: 60 });
    expect(byId['inc-sledai']).toMatchObject({ op: 'gte', value: 8 });
    expect(JSON.stringify(byId['inc-lupus-nephritis'])).toContain(
      '"op":"gte","item":"urine_protein_24h_g","value":1',
    );
    const refractory = JSON.stringify(byId['inc-refractory']);
    expect(refractory).toContain('"op":"gt","item":"failed_prednisone_mg_day","value":20');
    expect(refractory).toContain('"min":0.4,"max":0.6');
    expect(refractory).toContain('"item":"failed_mmf_g_day","value":2');
    expect(msctSleTrial.eligibility.filter((c) => c.kind === 'exclusion')).toHaveLength(6);
  });

  test('the definition survives a JSON round trip (a study is data)', () => {
    expect(JSON.parse(JSON.stringify(msctSleTrial))).toEqual(msctSleTrial);
  });
});

describe('the built-in trial under the one definition schema (issue #20)', () => {
  test('validates, also after a round trip through JSON (as stored), with every item and code list', () => {
    const stored = JSON.parse(JSON.stringify(msctSleTrial));
    const r = validateStudyDefinition(stored);
    expect(r.issues).toEqual([]);
    expect(r.ok && r.value).toEqual(msctSleTrial);
    // Declared once: the eight classic BILAG systems share one grade list.
    expect(msctSleTrial.codeLists?.map((l) => l.id)).toEqual([
      'bilag-classic-grade',
      'end-of-study-status',
      'lab_significance',
    ]);
    const bilag = msctSleTrial.forms.find((f) => f.id === 'bilag');
    expect(bilag?.items?.map((i) => i.codeList)).toEqual(Array(8).fill('bilag-classic-grade'));
  });

  test('its forms resolve to exactly the catalog forms that entry checked before', () => {
    const resolved = itemFormsFor(JSON.parse(JSON.stringify(msctSleTrial)));
    for (const form of MSCT_SLE_FORMS) expect(resolved.get(form.formCode)).toEqual(form);
    expect([...resolved.keys()].sort()).toEqual(
      [...MSCT_SLE_FORMS.map((f) => f.formCode), 'eligibility'].sort(),
    );
  });

  test('each form is collected at a visit at most once', () => {
    for (const f of msctSleTrial.forms) expect(new Set(f.visitCodes).size).toBe(f.visitCodes.length);
  });
});

/** JSON with every object's keys sorted: the same value hashes the same whatever its key order. */
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        )
      : v;
const hashOf = (v: unknown) => toHex(sha256(utf8(JSON.stringify(canonical(v)))));

describe('the built-in trial is one definition file, studies/msct-sle.json (issue #20)', () => {
  test('the file passes validateStudyDefinition as it stands', () => {
    const r = validateStudyDefinition(definitionFile);
    expect(r.issues).toEqual([]);
    expect(r.ok && r.value).toEqual(msctSleTrial);
  });

  test('it is the very definition the TypeScript builder produced (hash taken before the builder was deleted)', () => {
    // sha256 of the canonical JSON of `msctSleTrial` as built by msct-sle-trial.ts + withItems(catalog)
    // + msctSleEligibilityCriteria({ maxAgeYears: 60 }) at commit 372f5a0; the edit checks were added to
    // the definition after that commit (issues #20/#21), so they are left out of this comparison.
    // The lab entry items, their code list and the reference ranges (issue #22) came later too, and the
    // eligibility sources (issue #20, session 8: eligibility reads values the study holds).
    const {
      editChecks: _added,
      labReferenceRanges: _ranges,
      eligibilitySources: _held,
      ...rest
    } = msctSleTrial;
    const labEntry = new Set(LAB_ENTRY_ITEMS.map((i) => i.code));
    const asBuilt = {
      ...rest,
      codeLists: rest.codeLists?.filter((l) => l.id !== LAB_SIGNIFICANCE_CODE_LIST.id),
      forms: rest.forms.map((f) =>
        f.id === 'labs' ? { ...f, items: f.items?.filter((i) => !labEntry.has(i.code)) } : f,
      ),
    };
    expect(hashOf(asBuilt)).toBe('a80aebc1012b751641293b2130c61b2d967c8bba3fa95f1ccb90d7970cf712ea');
  });

  test('the 15–70 reading of inclusion 1 changes the age bound and its label only', () => {
    const wide = msctSleEligibilityCriteria({ maxAgeYears: 70 });
    const age = wide.find((c) => c.id === 'inc-age');
    expect(age?.label).toBe('Age 15–70 years');
    expect(age?.condition).toEqual({ op: 'between', item: 'age_years', min: 15, max: 70, unit: 'years' });
    expect(wide.filter((c) => c.id !== 'inc-age')).toEqual(
      msctSleTrial.eligibility.filter((c) => c.id !== 'inc-age'),
    );
    expect(msctSleEligibilityCriteria()).toEqual(msctSleTrial.eligibility);
  });
});
