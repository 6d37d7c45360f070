import { describe, expect, test } from 'vitest';
import {
  type AmendmentReport,
  amendmentReport,
  amendmentScope,
  type DefinitionChange,
  type StoredValue,
} from './amendment-report.js';
import { msctSleTrial } from './msct-sle-trial.js';
import type { StudyDefinition } from './study-definition.js';
import { validateStudyDefinition } from './validate-definition.js';

const clone = (): StudyDefinition => JSON.parse(JSON.stringify(msctSleTrial));
const form = (d: StudyDefinition, id: string) => d.forms.find((f) => f.id === id)!;
const item = (d: StudyDefinition, formId: string, code: string) =>
  form(d, formId).items!.find((i) => i.code === code)!;

const value = (
  v: Partial<StoredValue> & Pick<StoredValue, 'formCode' | 'itemCode' | 'value'>,
): StoredValue => ({
  subjectCode: 'S-001',
  visitCode: 'M3',
  cycle: 1,
  unit: null,
  ...v,
});
const c3 = (v: string, visitCode = 'M3') =>
  value({ visitCode, formCode: 'labs', itemCode: 'c3', value: v, unit: 'g/L' });
const eos = (v: string) =>
  value({ visitCode: 'M12', formCode: 'end-of-study', itemCode: 'status', value: v });
const bp = (v: string, visitCode = 'D7') =>
  value({ visitCode, formCode: 'vital-signs', itemCode: 'systolic_bp', value: v, unit: 'mmHg' });

const weight = (v: string) =>
  value({ visitCode: 'D7', formCode: 'vital-signs', itemCode: 'weight_kg', value: v, unit: 'kg' });

interface Row {
  name: string;
  amend: (d: StudyDefinition) => void;
  values: StoredValue[];
  /** Changes expected, as `kind target [form.item|visit] [detail]`. */
  changes: string[];
  /** Invalid values expected, as `subject visit form.item value rule`. */
  invalid: string[];
  scope?: { formCodes?: string[]; visitCodes?: string[]; all?: boolean };
}

const changeKey = (c: DefinitionChange) =>
  [
    c.kind,
    c.target,
    c.formCode && c.itemCode ? `${c.formCode}.${c.itemCode}` : (c.formCode ?? ''),
    c.visitCode ?? '',
    c.detail ?? '',
  ]
    .filter(Boolean)
    .join(' ');
const allChanges = (r: AmendmentReport) =>
  [...r.added, ...r.removed, ...r.narrowed, ...r.changed].map(changeKey).sort();

const ROWS: Row[] = [
  {
    name: 'no change: nothing reported, nothing read',
    amend: () => {},
    values: [c3('4.5')],
    changes: [],
    invalid: [],
    scope: { formCodes: [], visitCodes: [], all: false },
  },
  {
    name: 'range narrowed: the value above the new maximum becomes invalid, the one inside does not',
    amend: (d) => {
      item(d, 'labs', 'c3').max = 3;
    },
    values: [
      c3('4.5'),
      c3('2.1', 'M6'),
      value({ formCode: 'labs', itemCode: 'c4', value: '0.9', unit: 'g/L' }),
    ],
    changes: ['narrowed item-range labs.c3'],
    invalid: ['S-001 M3 labs.c3 4.5 value-out-of-range'],
    scope: { formCodes: ['labs'], visitCodes: [] },
  },
  {
    name: 'range widened: reported as a change, no value becomes invalid',
    amend: (d) => {
      item(d, 'labs', 'c3').max = 10;
    },
    values: [c3('4.5')],
    changes: ['widened item-range labs.c3'],
    invalid: [],
    scope: { formCodes: [] },
  },
  {
    name: 'a value already out of range before is counted, not listed as becoming invalid',
    amend: (d) => {
      item(d, 'labs', 'c3').max = 3;
    },
    values: [c3('7')],
    changes: ['narrowed item-range labs.c3'],
    invalid: [],
  },
  {
    name: 'code list code removed: its stored uses become invalid',
    amend: (d) => {
      const list = d.codeLists!.find((l) => l.id === 'end-of-study-status')!;
      list.codes = list.codes.filter((c) => c.code !== 'lost');
    },
    values: [eos('lost'), eos('completed')],
    changes: ['narrowed item-code end-of-study.status lost'],
    invalid: ['S-001 M12 end-of-study.status lost code-invalid'],
  },
  {
    name: 'code added: widened',
    amend: (d) => {
      const list = d.codeLists!.find((l) => l.id === 'end-of-study-status')!;
      list.codes = [...list.codes, { code: 'transferred', label: 'Transferred' }];
    },
    values: [eos('lost')],
    changes: ['widened item-code end-of-study.status transferred'],
    invalid: [],
  },
  {
    name: 'item type changed: a value of the old type becomes invalid',
    amend: (d) => {
      item(d, 'vital-signs', 'weight_kg').type = 'integer';
    },
    values: [weight('61.5'), weight('62')],
    changes: ['narrowed item-type vital-signs.weight_kg'],
    invalid: ['S-001 D7 vital-signs.weight_kg 61.5 value-invalid'],
  },
  {
    name: 'item removed: reported, its values listed as no longer in the form (kept, never deleted)',
    amend: (d) => {
      const f = form(d, 'labs');
      f.items = f.items!.filter((i) => i.code !== 'c4');
    },
    values: [value({ formCode: 'labs', itemCode: 'c4', value: '0.2', unit: 'g/L' })],
    changes: ['removed item labs.c4'],
    invalid: ['S-001 M3 labs.c4 0.2 item-unknown'],
  },
  {
    name: 'item added: reported, no value affected',
    amend: (d) => {
      form(d, 'labs').items!.push({
        code: 'ferritin',
        label: 'Ferritin',
        type: 'decimal',
        units: ['µg/L'],
        min: 0,
      });
    },
    values: [c3('1')],
    changes: ['added item labs.ferritin'],
    invalid: [],
    scope: { formCodes: [], visitCodes: [] },
  },
  {
    name: 'form removed from a visit: its values at that visit become invalid, at other visits not',
    amend: (d) => {
      const f = form(d, 'vital-signs');
      f.visitCodes = f.visitCodes.filter((v) => v !== 'D7');
    },
    values: [bp('120', 'D7'), bp('120', 'M1')],
    changes: ['narrowed form-at-visit vital-signs D7'],
    invalid: ['S-001 D7 vital-signs.systolic_bp 120 form-not-at-visit'],
    scope: { formCodes: ['vital-signs'], visitCodes: [] },
  },
  {
    name: 'visit removed: every value at it becomes invalid; the forms no longer list it either',
    amend: (d) => {
      d.visits = d.visits.filter((v) => v.code !== 'D7');
      for (const f of d.forms) f.visitCodes = f.visitCodes.filter((v) => v !== 'D7');
      d.infusion.infusionVisitCodes = d.infusion.infusionVisitCodes.filter((v) => v !== 'D7');
    },
    values: [bp('120', 'D7'), bp('120', 'M1')],
    changes: [
      'changed definition infusion',
      'narrowed form-at-visit adverse-events D7',
      'narrowed form-at-visit infusion D7',
      'narrowed form-at-visit vital-signs D7',
      'removed visit D7',
    ],
    invalid: ['S-001 D7 vital-signs.systolic_bp 120 visit-not-in-schedule'],
    scope: { visitCodes: ['D7'] },
  },
  {
    name: 'form removed: reported, its values listed (kept)',
    amend: (d) => {
      d.forms = d.forms.filter((f) => f.id !== 'end-of-study');
      // Its edit checks go with it (a check on an unknown form is refused).
      d.editChecks = d.editChecks?.filter((c) => c.form !== 'end-of-study');
    },
    values: [eos('completed')],
    changes: ['changed definition editChecks', 'removed form end-of-study'],
    invalid: ['S-001 M12 end-of-study.status completed form-not-in-definition'],
  },
  {
    name: 'form and visit added; eligibility and label changes are named',
    amend: (d) => {
      d.visits.push({
        code: 'M18',
        label: 'Month 18',
        kind: 'assessment',
        targetDay: 540,
        windowDays: 30,
        month: 18,
        repeatsInCycles: false,
      });
      form(d, 'labs').visitCodes.push('M18');
      d.forms.push({ id: 'quality-of-life', title: 'Quality of life', visitCodes: ['M12', 'M18'] });
      item(d, 'labs', 'c3').label = 'C3';
      d.title = `${d.title} (amendment 1)`;
    },
    values: [c3('1')],
    changes: [
      'added form quality-of-life',
      'added form-at-visit labs M18',
      'added visit M18',
      'changed definition title',
      'changed item-label labs.c3',
    ],
    invalid: [],
  },
  {
    name: 'fewer treatment cycles: values of a later cycle become invalid; every value is read',
    amend: (d) => {
      d.infusion.maxCycles = 1;
    },
    values: [c3('1', 'M3'), { ...c3('1', 'M3'), cycle: 2, subjectCode: 'S-002' }],
    changes: ['changed definition infusion', 'narrowed definition infusion.maxCycles'],
    invalid: ['S-002 M3 labs.c3 1 cycle-beyond-plan'],
    scope: { all: true },
  },
];

describe('amendmentReport', () => {
  test.each(ROWS)('$name', (row) => {
    const after = clone();
    row.amend(after);
    // Every amended definition of the table is itself a valid definition.
    expect(validateStudyDefinition(after, { knownRuleSetIds: ['msct-sle-bilag-2014'] }).issues).toEqual([]);
    const r = amendmentReport(msctSleTrial, after, row.values, { studyCode: 'MSCT' });
    expect(allChanges(r)).toEqual([...row.changes].sort());
    expect(
      r.invalidValues.map(
        (v) => `${v.subjectCode} ${v.visitCode} ${v.formCode}.${v.itemCode} ${v.value} ${v.rule}`,
      ),
    ).toEqual(row.invalid);
    expect(r.invalidValuesTotal).toBe(row.invalid.length);
    expect(r.valuesChecked).toBe(row.values.length);
    for (const v of r.invalidValues) expect(v.message).not.toBe('');
    if (row.scope) expect(amendmentScope(msctSleTrial, after)).toMatchObject(row.scope);
  });

  test('an ad-hoc study getting its first definition checks every value', () => {
    const values = [
      value({ visitCode: 'BASELINE', formCode: 'labs', itemCode: 'c3', value: '1', unit: 'g/L' }),
    ];
    const r = amendmentReport({}, msctSleTrial, values);
    expect(amendmentScope({}, msctSleTrial).all).toBe(true);
    expect(r.invalidValues.map((v) => v.rule)).toEqual(['visit-not-in-schedule']);
    expect(r.added.filter((c) => c.target === 'visit')).toHaveLength(msctSleTrial.visits.length);
  });

  test('the list is capped, the total is not', () => {
    const after = clone();
    item(after, 'labs', 'c3').max = 3;
    const values = Array.from({ length: 25 }, (_, i) => ({ ...c3('4'), subjectCode: `S-${i}` }));
    const r = amendmentReport(msctSleTrial, after, values, { maxInvalid: 10 });
    expect(r.invalidValues).toHaveLength(10);
    expect(r.invalidValuesTotal).toBe(25);
  });

  test('the messages name the item, the old and the new range', () => {
    const after = clone();
    item(after, 'labs', 'c3').max = 3;
    const r = amendmentReport(msctSleTrial, after, [c3('4.5')]);
    expect(r.narrowed[0]!.message).toBe('item labs.c3: range 0–5 → 0–3 g/L');
    expect(r.invalidValues[0]!.message).toContain('above the plausible maximum 3');
  });
});
