import { describe, expect, it } from 'vitest';
import { bilag2004Score } from '../instruments/bilag2004/score.js';
import { BILAG2004_SYSTEMS } from '../instruments/bilag2004/types.js';
import { msctSleTrial } from '../protocol/msct-sle-trial.js';
import { BILAG2004_WORKED_CASES } from '../testing/bilag2004-worked-examples.js';
import {
  BILAG2004_FORM,
  BILAG2004_FORM_GROUPS,
  BILAG2004_SYSTEM_ITEMS,
  dueToSleItemCode,
  historyItemCode,
} from './bilag2004-form.js';
import { deriveVisitScores, type RawItem } from './derive.js';
import { bilag2004FromItems, bilag2004InputFromItems, bilag2004SystemGrades } from './derive-bilag2004.js';
import { itemFormsFor } from './forms.js';
import { checkItemValue } from './item-definition.js';

const item = (value: string | null, unit: string | null = null): RawItem => ({ value, unit });

/** The raw form items a scorer input would have been entered as. */
function rawItems(input: Record<string, unknown>): Record<string, RawItem> {
  const out: Record<string, RawItem> = {};
  for (const system of BILAG2004_SYSTEMS) {
    const rec = (input[system] ?? {}) as Record<string, unknown>;
    for (const [id, v] of Object.entries(rec)) {
      if (id === 'due_to_sle') {
        for (const [lab, b] of Object.entries(v as Record<string, boolean>))
          out[dueToSleItemCode(lab as never)] = item(b ? '1' : '0');
      } else if (typeof v === 'boolean') out[id] = item(v ? '1' : '0');
      else if (typeof v === 'object' && v !== null) {
        const q = v as { value: number; unit: string };
        out[id] = item(String(q.value), q.unit);
      } else out[id] = item(String(v));
    }
  }
  return out;
}

const neverInvolved = Object.fromEntries(BILAG2004_SYSTEMS.map((s) => [historyItemCode(s), item('0')]));

describe('the BILAG-2004 form', () => {
  it('holds every scorer item, with its kind as the item type, and a history item per system', () => {
    const byCode = new Map(BILAG2004_FORM.items.map((i) => [i.code, i]));
    let n = 0;
    for (const system of BILAG2004_SYSTEMS) {
      expect(byCode.get(historyItemCode(system))?.type).toBe('boolean');
      for (const d of BILAG2004_SYSTEM_ITEMS[system]) {
        n++;
        const f = byCode.get(d.id);
        expect(f, d.id).toBeDefined();
        if (d.kind === 'ordinal')
          expect(f?.codes?.map((c) => c.code)).toEqual(['ND', '0', '1', '2', '3', '4']);
        if (d.kind === 'yes-no') expect(f?.type).toBe('boolean');
        if (d.kind === 'value' && d.units) {
          expect(f?.type).toBe('decimal');
          expect(f?.units).toEqual(d.units);
        }
      }
    }
    expect(n).toBe(97);
    expect(BILAG2004_FORM.formCode).toBe('bilag2004');
    expect(new Set(BILAG2004_FORM.items.map((i) => i.code)).size).toBe(BILAG2004_FORM.items.length);
    expect(BILAG2004_FORM_GROUPS.map((g) => g.system)).toEqual([...BILAG2004_SYSTEMS]);
  });

  it('is a catalog form only for a study whose definition has it', () => {
    expect(itemFormsFor(msctSleTrial).has('bilag2004')).toBe(false);
    const def = {
      ...msctSleTrial,
      forms: [...msctSleTrial.forms, { id: 'bilag2004', title: 'BILAG-2004', visitCodes: ['D0'] }],
    };
    expect(itemFormsFor(def).get('bilag2004')).toBe(BILAG2004_FORM);
  });

  it.each([
    ['skin_eruption_severe', '4', null, undefined],
    ['skin_eruption_severe', 'ND', null, undefined],
    ['skin_eruption_severe', '5', null, 'code-invalid'],
    ['skin_eruption_severe', 'A', null, 'code-invalid'],
    ['active_nephritis', '1', null, undefined],
    ['active_nephritis', 'Y', null, 'code-invalid'],
    ['upcr', '300', 'mg/mmol', undefined],
    ['upcr', '300', 'mmol/L', 'unit-invalid'],
    ['platelets', '40', null, 'unit-missing'],
    ['haemoglobin', '300', 'g/dL', 'value-out-of-range'],
    ['dipstick_protein', '4', null, 'code-invalid'],
    ['history_renal', '0', null, undefined],
  ])('%s = %s %s → %s', (code, value, unit, expected) => {
    expect(checkItemValue(BILAG2004_FORM, code, value, unit)?.code).toBe(expected);
  });

  it.each(BILAG2004_WORKED_CASES)(
    'worked example "%s" entered as raw items gives the scorer’s grades',
    (_name, input, grades, numeric) => {
      const raw = { ...rawItems(input as Record<string, unknown>), ...neverInvolved };
      for (const [code, it] of Object.entries(raw)) {
        if (code.startsWith('history_')) continue;
        expect(checkItemValue(BILAG2004_FORM, code, it.value, it.unit), code).toBeUndefined();
      }
      const expected = bilag2004Score({
        ...input,
        history: Object.fromEntries(BILAG2004_SYSTEMS.map((s) => [s, false])),
      });
      const r = bilag2004FromItems(raw);
      expect(r.ok).toBe(true);
      expect(expected.ok).toBe(true);
      if (!r.ok || !expected.ok) return;
      expect(r.value.grades).toEqual(expected.value.grades);
      expect(r.value.grades).toMatchObject(grades);
      expect(r.value.numeric).toBe(numeric);
      expect(r.trace).toEqual(expected.trace);
      // The same through the visit derivation.
      const v = deriveVisitScores({ bilag2004: raw }).bilag2004;
      expect(v?.ok && v.value.numeric).toBe(numeric);
    },
  );

  it('refuses a bad code through the scorer too, naming the item', () => {
    const r = bilag2004FromItems({ ...neverInvolved, skin_eruption_severe: item('7') });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]?.code).toBe('code-invalid');
    expect(r.issues[0]?.path).toEqual(['bilag2004', 'mucocutaneous', 'skin_eruption_severe']);
  });

  it('grades a system live before the history of the others is known', () => {
    const g = bilag2004SystemGrades({ skin_eruption_severe: item('4'), history_renal: item('1') });
    expect(g.mucocutaneous.ok && g.mucocutaneous.value).toBe('A');
    expect(g.renal.ok && g.renal.value).toBe('D');
    expect(g.ophthalmic.ok).toBe(false);
    expect(deriveVisitScores({ bilag2004: { skin_eruption_severe: item('4') } }).bilag2004?.ok).toBe(false);
  });

  it('reads history, SLE attribution and the previous renal values', () => {
    const input = bilag2004InputFromItems(
      {
        history_renal: item('1'),
        haemoglobin: item('7.5', 'g/dL'),
        due_to_sle_haemoglobin: item('1'),
        creatinine: item('200', 'µmol/L'),
        systolic_bp: item('150', 'mmHg'),
      },
      { creatinine: item('120', 'µmol/L') },
    );
    expect(input.history).toEqual({ renal: true });
    expect(input.haematological).toEqual({
      haemoglobin: { value: 7.5, unit: 'g/dL' },
      due_to_sle: { haemoglobin: true },
    });
    expect(input.renal).toEqual({ creatinine: { value: 200, unit: 'µmol/L' }, systolic_bp: 150 });
    expect(input.previous).toEqual({ renal: { creatinine: { value: 120, unit: 'µmol/L' } } });
    const g = bilag2004SystemGrades(
      { creatinine: item('200', 'µmol/L'), history_renal: item('1') },
      { creatinine: item('120', 'µmol/L') },
    );
    expect(g.renal.ok && g.renal.value).toBe('B');
  });

  it('leaves the other derived scores as they were', () => {
    const v = deriveVisitScores({ bilag: { renal: item('A') } });
    expect(v.bilag2004).toBeUndefined();
  });
});
