// From the raw items of the BILAG-2004 form to the scorer's input, and its grades. The raw values
// are passed on as they are read (a code outside ND/0–4, an unreadable number), so the scorer's own
// checks refuse them with typed issues rather than this file guessing.
import {
  type Bilag2004Input,
  type Bilag2004Options,
  type Bilag2004Value,
  bilag2004Score,
} from '../instruments/bilag2004/score.js';
import { BILAG2004_SYSTEMS, type Bilag2004System, type BilagGrade } from '../instruments/bilag2004/types.js';
import { fail, issue, ok, type Result } from '../instruments/result.js';
import {
  BILAG2004_HAEM_LABS,
  BILAG2004_SYSTEM_ITEMS,
  dueToSleItemCode,
  historyItemCode,
} from './bilag2004-form.js';
import type { RawItem } from './raw-items.js';

type Items = Readonly<Record<string, RawItem>>;

const present = (it: RawItem | undefined): it is RawItem & { value: string } =>
  it !== undefined && it.value !== null && it.value.trim() !== '';

function code(raw: string): unknown {
  const v = raw.trim();
  return /^[0-4]$/.test(v) ? Number(v) : v;
}

function yesNo(raw: string): unknown {
  const v = raw.trim();
  return v === '1' ? true : v === '0' ? false : v;
}

const number = (raw: string): number => {
  const v = raw.trim();
  return v === '' ? Number.NaN : Number(v);
};

/** The renal values of a form (for `previous.renal`) and the value items of any system. */
function quantityOf(id: string, it: RawItem & { value: string }): unknown {
  if (id === 'systolic_bp' || id === 'diastolic_bp' || id === 'dipstick_protein') return number(it.value);
  return { value: number(it.value), unit: it.unit ?? '' };
}

/**
 * The scorer's input from the form's raw items: coded items as ND/0–4, Y/N as booleans, values as
 * `{ value, unit }` (blood pressures and dipstick as plain numbers), `history_<system>` as history.
 * `previous`: the previous assessment's BILAG-2004 items, for the renal change rules.
 */
export function bilag2004InputFromItems(form: Items, previous?: Items): Bilag2004Input {
  const input: Record<string, unknown> = {};
  const history: Partial<Record<Bilag2004System, boolean>> = {};
  for (const system of BILAG2004_SYSTEMS) {
    const rec: Record<string, unknown> = {};
    for (const d of BILAG2004_SYSTEM_ITEMS[system]) {
      const it = form[d.id];
      if (!present(it)) continue;
      rec[d.id] =
        d.kind === 'ordinal' ? code(it.value) : d.kind === 'yes-no' ? yesNo(it.value) : quantityOf(d.id, it);
    }
    if (system === 'haematological') {
      const due: Record<string, unknown> = {};
      for (const lab of BILAG2004_HAEM_LABS) {
        const it = form[dueToSleItemCode(lab)];
        if (present(it)) due[lab] = yesNo(it.value);
      }
      if (Object.keys(due).length > 0) rec.due_to_sle = due;
    }
    if (Object.keys(rec).length > 0) input[system] = rec;
    const h = form[historyItemCode(system)];
    if (present(h)) {
      const v = yesNo(h.value);
      if (typeof v === 'boolean') history[system] = v;
    }
  }
  if (Object.keys(history).length > 0) input.history = history;
  if (previous) {
    const renal: Record<string, unknown> = {};
    for (const d of BILAG2004_SYSTEM_ITEMS.renal) {
      const it = previous[d.id];
      if (d.kind === 'value' && present(it)) renal[d.id] = quantityOf(d.id, it);
    }
    if (Object.keys(renal).length > 0) input.previous = { renal };
  }
  return input as Bilag2004Input;
}

/** Scores the BILAG-2004 form from its raw items (with the trace unless `options.trace` is false). */
export function bilag2004FromItems(
  form: Items,
  previous?: Items,
  options?: Bilag2004Options,
): Result<Bilag2004Value> {
  return bilag2004Score(bilag2004InputFromItems(form, previous), options);
}

/**
 * Each system graded on its own, for a form still being filled in: a system with activity has its
 * grade whatever the others say; an inactive one needs its history (D or E). The total needs all nine.
 */
export function bilag2004SystemGrades(
  form: Items,
  previous?: Items,
): Record<Bilag2004System, Result<BilagGrade>> {
  const input = bilag2004InputFromItems(form, previous);
  const out = {} as Record<Bilag2004System, Result<BilagGrade>>;
  for (const system of BILAG2004_SYSTEMS) {
    const one: Record<string, unknown> = {};
    if (input[system] !== undefined) one[system] = input[system];
    // The other systems are left out; their history is set only so that they raise no issue.
    const history: Partial<Record<Bilag2004System, boolean>> = {};
    for (const other of BILAG2004_SYSTEMS) if (other !== system) history[other] = false;
    const h = input.history?.[system];
    if (h !== undefined) history[system] = h;
    one.history = history;
    if (system === 'renal' && input.previous) one.previous = input.previous;
    const r = bilag2004Score(one as Bilag2004Input);
    if (!r.ok) {
      out[system] = r;
      continue;
    }
    const grade = r.value.grades[system];
    out[system] =
      grade === undefined
        ? fail([issue('history-missing', ['bilag2004', system], `no grade for ${system}`)])
        : ok(
            grade,
            r.trace.filter((t) => t.item === system || t.item.startsWith(`${system}.`)),
          );
  }
  return out;
}
