import { describe, expect, it } from 'vitest';
import {
  SLEDAI2K_ARTHRITIS_MIN_JOINTS,
  SLEDAI2K_DESCRIPTOR_IDS,
} from '../instruments/sledai2k/descriptors.js';
import { msctSleEligibilityCriteria } from '../protocol/msct-sle-eligibility.js';
import { BILAG2004_FORM } from './bilag2004-form.js';
import { canonicalLabs, deriveVisitScores, sledai2kDescriptorState, type VisitItems } from './derive.js';
import {
  CLASSIC_BILAG_FORM,
  eligibilityForm,
  LABS_FORM,
  MSCT_SLE_FORMS,
  SLEDAI2K_DESCRIPTOR_ITEMS,
  SLEDAI2K_FORM,
  VITAL_SIGNS_FORM,
} from './forms.js';
import { checkItemValue } from './item-definition.js';

const item = (value: string | null, unit: string | null = null) => ({ value, unit });

describe('item checks', () => {
  it.each([
    [LABS_FORM, 'c3', '0.45', 'g/L', undefined],
    [LABS_FORM, 'c3', '45', 'mg/dL', undefined],
    [LABS_FORM, 'c3', '0.45', null, 'unit-missing'],
    [LABS_FORM, 'c3', '0.45', 'mmol/L', 'unit-invalid'],
    [LABS_FORM, 'c3', 'low', 'g/L', 'value-invalid'],
    [LABS_FORM, 'albumin', '300', 'g/L', 'value-out-of-range'],
    [LABS_FORM, 'albumin', '-3', 'g/dL', 'value-out-of-range'],
    [LABS_FORM, 'nonsense', '1', null, 'item-unknown'],
    [LABS_FORM, 'ana_titre', '320', null, undefined],
    [LABS_FORM, 'ana_titre', '320.5', null, 'value-invalid'],
    [SLEDAI2K_FORM, 'arthritis', '1', null, undefined],
    [SLEDAI2K_FORM, 'arthritis', 'yes', null, 'code-invalid'],
    [SLEDAI2K_FORM, 'arthritis', '1', 'points', 'unit-invalid'],
    [SLEDAI2K_FORM, 'arthritis_not_sle', '1', null, undefined],
    [SLEDAI2K_FORM, 'arthritis_not_sle', '2', null, 'code-invalid'],
    [VITAL_SIGNS_FORM, 'temperature', '38.4', '°C', undefined],
    [VITAL_SIGNS_FORM, 'temperature', '101.1', '°F', undefined],
    [VITAL_SIGNS_FORM, 'temperature', '38.4', 'K', 'unit-invalid'],
    [VITAL_SIGNS_FORM, 'temperature', '500', '°F', 'value-out-of-range'],
    [VITAL_SIGNS_FORM, 'temperature', '80', '°F', 'value-out-of-range'],
    [CLASSIC_BILAG_FORM, 'renal', 'A', null, undefined],
    [CLASSIC_BILAG_FORM, 'renal', 'F', null, 'code-invalid'],
    [CLASSIC_BILAG_FORM, 'renal', null, null, undefined],
  ])('%s.%s = %s %s → %s', (form, code, value, unit, expected) => {
    expect(checkItemValue(form, code, value, unit)?.code).toBe(expected);
  });

  it('every SLEDAI-2K descriptor is on the form with its definition as help, and its own attribution item', () => {
    expect(SLEDAI2K_DESCRIPTOR_ITEMS.map((i) => i.code)).toEqual([...SLEDAI2K_DESCRIPTOR_IDS]);
    expect(SLEDAI2K_FORM.items).toHaveLength(48);
    expect(SLEDAI2K_FORM.items.every((i) => (i.help ?? '').length > 10)).toBe(true);
    for (const id of SLEDAI2K_DESCRIPTOR_IDS)
      expect(SLEDAI2K_FORM.items.find((i) => i.code === `${id}_not_sle`)?.type).toBe('boolean');
  });

  it('help texts are clinician glossary text only, no developer notes (issue #18 item 3)', () => {
    for (const f of [...MSCT_SLE_FORMS, BILAG2004_FORM])
      for (const i of f.items)
        expect(i.help ?? '', `${f.formCode}.${i.code}`).not.toMatch(
          /instruments\.md|§|sources differ|protocol glossary|\.md\b|PROVISIONAL/i,
        );
    // Arthritis: "more than 2 joints" (SLEDAI2K_ARTHRITIS_MIN_JOINTS = 3, Gladman 2002 glossary).
    expect(SLEDAI2K_FORM.items.find((i) => i.code === 'arthritis')?.help).toBe(
      'More than 2 joints with pain and signs of inflammation (tenderness, swelling or effusion).',
    );
    expect(SLEDAI2K_ARTHRITIS_MIN_JOINTS).toBe(3);
  });

  it('the screening form holds every item the eligibility criteria read', () => {
    const form = eligibilityForm(msctSleEligibilityCriteria());
    const codes = form.items.map((i) => i.code);
    expect(codes).toContain('age_years');
    expect(codes).toContain('urine_protein_24h_g');
    expect(form.items.find((i) => i.code === 'informed_consent_signed')?.type).toBe('boolean');
    // Readable labels for the built-in trial's items; a code the table does not know keeps its words.
    expect(form.items.find((i) => i.code === 'urine_protein_24h_g')?.label).toBe('24-h urine protein');
    const other = eligibilityForm([
      { id: 'x', kind: 'inclusion', label: 'X', condition: { op: 'is', item: 'some_flag', value: true } },
    ] as never);
    expect(other.items[0]?.label).toBe('Some flag');
  });
});

describe('deriving a visit', () => {
  it('scores SLEDAI-2K from ticked descriptors plus lab-derived ones, with the trace', () => {
    const items: VisitItems = {
      sledai2k: { arthritis: item('1'), rash: item('1'), seizure: item('0') },
      // proteinuria 1.2 g/24 h > 0.5 (4); C3 0.5 < LLN 0.9 (2); platelets 80 < 100 (1): instruments.md §1.2
      labs: {
        proteinuria_24h: item('1.2', 'g/24h'),
        c3: item('0.5', 'g/L'),
        c3_lln: item('0.9', 'g/L'),
        platelets: item('80', '10^9/L'),
      },
    };
    const r = deriveVisitScores(items, { trace: true }).sledai!;
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.score).toBe(4 + 2 + 4 + 2 + 1);
    expect(r.value.clinicalScore).toBe(4 + 2 + 4 + 1);
    expect(r.trace.map((t) => t.item)).toEqual(
      expect.arrayContaining(['arthritis', 'rash', 'proteinuria', 'low_complement', 'thrombocytopenia']),
    );
  });

  // endpoints.md Clarification 5 (binding): three states stored explicitly; a stored 0 or an empty
  // value is absent; only the explicit attribution ("present but not due to SLE") vetoes a lab- or
  // measurement-derived descriptor. Fever is derived from the measured temperature (> 38 °C,
  // instruments.md §1.2 #22). Each row: descriptor items, labs, vital signs → total.
  const c3Low = { c3: item('0.6', 'g/L'), c3_lln: item('0.9', 'g/L') };
  it.each<
    [
      string,
      Record<string, ReturnType<typeof item>>,
      Record<string, ReturnType<typeof item>>,
      Record<string, ReturnType<typeof item>> | undefined,
      number,
    ]
  >([
    [
      'issue #18: imported 0 with C3 below normal scores 7, not 5',
      { arthritis: item('1'), low_complement: item('0'), fever: item('1') },
      c3Low,
      undefined,
      4 + 2 + 1,
    ],
    ['0 = absent: low complement still derived', { low_complement: item('0') }, c3Low, undefined, 2],
    ['empty = absent', { low_complement: item('') }, c3Low, undefined, 2],
    ['null = absent', { low_complement: item(null) }, c3Low, undefined, 2],
    ['attribution vetoes the lab rule', { low_complement_not_sle: item('1') }, c3Low, undefined, 0],
    [
      'attribution 0 = not recorded: lab rule counts',
      { low_complement_not_sle: item('0') },
      c3Low,
      undefined,
      2,
    ],
    [
      'present + attribution = present but not due to SLE',
      { seizure: item('1'), seizure_not_sle: item('1') },
      {},
      undefined,
      0,
    ],
    [
      'pyuria 20/hpf, attributed to a urinary infection',
      { pyuria_not_sle: item('1') },
      { urine_wbc_hpf: item('20', '/hpf') },
      undefined,
      0,
    ],
    [
      'pyuria 20/hpf, stored 0 (REDCap absent)',
      { pyuria: item('0') },
      { urine_wbc_hpf: item('20', '/hpf') },
      undefined,
      4,
    ],
    [
      'casts in the sediment, stored 0',
      { urinary_casts: item('0') },
      { urine_casts: item('1') },
      undefined,
      4,
    ],
    [
      'casts in the sediment, attributed',
      { urinary_casts_not_sle: item('1') },
      { urine_casts: item('1') },
      undefined,
      0,
    ],
    ['fever: 38.0 °C is not > 38 °C', { fever: item('0') }, {}, { temperature: item('38.0', '°C') }, 0],
    ['fever: 38.1 °C > 38 °C, stored 0', { fever: item('0') }, {}, { temperature: item('38.1', '°C') }, 1],
    ['fever: 100.4 °F = 38.0 °C is not fever', {}, {}, { temperature: item('100.4', '°F') }, 0],
    ['fever: 100.5 °F > 100.4 °F', {}, {}, { temperature: item('100.5', '°F') }, 1],
    [
      'fever 38.9 °C attributed to infection',
      { fever_not_sle: item('1') },
      {},
      { temperature: item('38.9', '°C') },
      0,
    ],
    ['fever entered without a temperature', { fever: item('1') }, {}, undefined, 1],
  ])('Clarification 5: %s', (_, sledai2k, labs, vitals, total) => {
    const r = deriveVisitScores({ sledai2k, labs, ...(vitals ? { 'vital-signs': vitals } : {}) }).sledai!;
    expect(r.ok && r.value.score).toBe(total);
  });

  it('the three states are read the same from every value spelling', () => {
    for (const [descriptor, attribution, want] of [
      ['1', null, 'present'],
      ['1', '0', 'present'],
      ['0', null, 'absent'],
      ['', null, 'absent'],
      [null, null, 'absent'],
      [' 1 ', null, 'present'],
      ['0', '1', 'not-sle'],
      ['1', '1', 'not-sle'],
      [null, '1', 'not-sle'],
    ] as const)
      expect(
        sledai2kDescriptorState({ rash: item(descriptor), rash_not_sle: item(attribution) }, 'rash'),
      ).toBe(want);
  });

  it('a not-due-to-SLE clinical descriptor is traced, scoring 0', () => {
    const r = deriveVisitScores({ sledai2k: { seizure_not_sle: item('1') } }, { trace: true }).sledai!;
    expect(r.ok && r.trace).toEqual([
      {
        item: 'seizure',
        source: 'excluded',
        detail: 'recorded by the assessor as present but not due to SLE',
        contributes: 0,
      },
    ]);
  });
  it('C3 limit in another unit is compared in g/L', () => {
    const r = deriveVisitScores({
      sledai2k: {},
      labs: { c3: item('50', 'mg/dL'), c3_lln: item('0.9', 'g/L') },
    }).sledai!;
    expect(r.ok && r.value.score).toBe(2);
  });

  it('totals classic BILAG: Table 1 patient 10 has 7 = B + B + C (trial.md)', () => {
    const grades = {
      general: 'E',
      mucocutaneous: 'E',
      neurological: 'E',
      musculoskeletal: 'B',
      cardiorespiratory: 'E',
      vasculitis: 'C',
      renal: 'B',
      haematological: 'E',
    };
    const r = deriveVisitScores({
      bilag: Object.fromEntries(Object.entries(grades).map(([k, v]) => [k, item(v)])),
    }).bilag!;
    expect(r.ok && r.value.total).toBe(7);
  });

  it('an incomplete BILAG form gives typed issues, never a number', () => {
    const r = deriveVisitScores({ bilag: { renal: item('A') } }).bilag!;
    expect(r.ok).toBe(false);
  });

  it('puts labs in canonical units', () => {
    const labs = canonicalLabs({
      creatinine: item('1.0', 'mg/dL'),
      albumin: item('3.5', 'g/dL'),
      c3: item('90', 'mg/dL'),
      proteinuria_24h: item('800', 'mg/24h'),
      urea: item('14', 'mg/dL'),
      ana_titre: item('320'),
      haemoglobin: item('12.5', 'g/dL'),
    });
    expect(labs.haemoglobinGL).toBeCloseTo(125, 12);
    expect(canonicalLabs({ haemoglobin: item('118', 'g/L') }).haemoglobinGL).toBe(118);
    expect(labs.creatinineUmolL).toBeCloseTo(88.4, 12);
    expect(labs.albuminGL).toBeCloseTo(35, 12);
    expect(labs.c3GL).toBeCloseTo(0.9, 12);
    expect(labs.proteinuriaG24h).toBeCloseTo(0.8, 12);
    expect(labs.ureaMmolL).toBeCloseTo(14 / 6.006, 3);
    expect(labs.anaLog2).toBeCloseTo(Math.log2(320), 12);
  });
});

describe('screening items', () => {
  it('become typed eligibility data, and a waiver reason turns a not-met criterion into waived', async () => {
    const { screeningFromItems } = await import('./screening.js');
    const { evaluateEligibility } = await import('../protocol/eligibility.js');
    const criteria = msctSleEligibilityCriteria();
    const yes = item('1');
    const no = item('0');
    const items = {
      acr_sle_classification: yes,
      age_years: item('17'),
      sledai2k_screening: item('7'),
      lupus_nephritis: yes,
      urine_protein_24h_g: item('1.5'),
      failed_prednisone_mg_day: item('30'),
      informed_consent_signed: yes,
      contraception_agreed: yes,
      active_uncontrolled_infection: no,
      pregnant_or_lactating: no,
      malignancy: no,
      severe_heart_failure: no,
      severe_liver_failure: no,
      egfr_ml_min_1_73m2: item('90'),
      on_dialysis: no,
      other_trial_within_3_months: no,
    };
    const { data, waivers } = screeningFromItems(criteria, items);
    expect(data.age_years).toBe(17);
    expect(data.informed_consent_signed).toBe(true);
    // Table 1 patient 13 had baseline SLEDAI 7 < 8 (trial.md "Population").
    expect(evaluateEligibility(criteria, data, waivers).overall).toBe('not_eligible');
    const waived = screeningFromItems(criteria, {
      ...items,
      waiver_inc_sledai: item('Refractory thrombocytopenia; PI approved deviation'),
    });
    const r = evaluateEligibility(criteria, waived.data, waived.waivers);
    expect(r.overall).toBe('eligible');
    expect(r.waived.map((w) => w.id)).toEqual(['inc-sledai']);
  });
});

describe('urine casts', () => {
  it('count as the SLEDAI-2K casts descriptor unless attributed to another cause (instruments.md §1.2 descriptor 11; Clarification 5)', () => {
    const withCasts = deriveVisitScores({ sledai2k: {}, labs: { urine_casts: item('1') } }, { trace: true })
      .sledai!;
    expect(withCasts.ok && withCasts.value.score).toBe(4);
    expect(withCasts.ok && withCasts.trace[0]?.source).toBe('derived');
    const attributed = deriveVisitScores({
      sledai2k: { urinary_casts: item('0'), urinary_casts_not_sle: item('1') },
      labs: { urine_casts: item('1') },
    }).sledai!;
    expect(attributed.ok && attributed.value.score).toBe(0);
  });
});
