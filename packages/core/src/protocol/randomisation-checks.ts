/**
 * Cross-checks of a definition's arms and randomisation (issue #24), run by
 * crossCheckStudyDefinition on the raw input like the others: references to forms, items and visits,
 * block sizes that fit the ratio, minimisation's probability above 1/K, levels that are codes of the
 * factor item's code list. The engine (@msct/core/randomisation) checks the same design again when
 * it runs; these say where in the definition a problem is.
 */
import type { DefinitionIssue } from './definition-issue.js';

type Path = Array<string | number>;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Array<[number, Obj]> =>
  Array.isArray(v) ? v.flatMap((o, i): Array<[number, Obj]> => (isObj(o) ? [[i, o]] : [])) : [];
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const quote = (v: unknown) => JSON.stringify(v);

function duplicates(out: DefinitionIssue[], values: unknown[], path: (i: number) => Path, what: string) {
  const seen = new Set<unknown>();
  values.forEach((v, i) => {
    if (v === undefined) return;
    if (seen.has(v)) out.push({ path: path(i), code: 'duplicate', message: `duplicate ${what} ${quote(v)}` });
    seen.add(v);
  });
}

/** The form with its items and visits, as the raw input has it. */
interface RawForm {
  visitCodes: string[];
  repeating: boolean;
  items?: Map<string, Obj>;
}

export function crossCheckRandomisation(input: Obj): DefinitionIssue[] {
  const out: DefinitionIssue[] = [];
  const arms = objects(input.arms);
  duplicates(
    out,
    arms.map(([, a]) => str(a.id)),
    (i) => ['arms', arms[i]![0], 'id'],
    'arm id',
  );
  const r = input.randomisation;
  if (r === undefined) return out;
  if (!isObj(r)) return out;
  if (arms.length < 2)
    out.push({
      path: ['arms'],
      code: 'required',
      message: `a randomised study needs at least 2 arms, found ${arms.length}`,
    });
  const ratios = arms
    .map(([, a]) => a.ratio)
    .filter((x): x is number => Number.isInteger(x) && Number(x) > 0);
  const total = ratios.length === arms.length ? ratios.reduce((s, x) => s + x, 0) : undefined;

  if (r.method === 'blocks') {
    if (r.blockSizes === undefined)
      out.push({
        path: ['randomisation', 'blockSizes'],
        code: 'required',
        message: 'permuted blocks need block sizes',
      });
    if (Array.isArray(r.blockSizes)) {
      r.blockSizes.forEach((b, i) => {
        if (total !== undefined && Number.isInteger(b) && Number(b) % total !== 0)
          out.push({
            path: ['randomisation', 'blockSizes', i],
            code: 'invalid_value',
            message: `block size ${b} is not a multiple of the ratio total ${total} (${ratios.join(':')})`,
          });
      });
      duplicates(out, r.blockSizes, (i) => ['randomisation', 'blockSizes', i], 'block size');
    }
    if (r.minimisation !== undefined)
      out.push({
        path: ['randomisation', 'minimisation'],
        code: 'invalid_value',
        message: "minimisation settings apply only to method 'minimisation'",
      });
  }
  if (r.method === 'minimisation') {
    if (r.blockSizes !== undefined)
      out.push({
        path: ['randomisation', 'blockSizes'],
        code: 'invalid_value',
        message: "block sizes apply only to method 'blocks'",
      });
    if (Array.isArray(r.factors) && r.factors.length === 0)
      out.push({
        path: ['randomisation', 'factors'],
        code: 'invalid_value',
        message: 'minimisation needs at least one factor',
      });
    const p = isObj(r.minimisation) ? r.minimisation.probability : undefined;
    if (typeof p === 'number' && arms.length >= 2 && !(p > 1 / arms.length))
      out.push({
        path: ['randomisation', 'minimisation', 'probability'],
        code: 'invalid_value',
        message: `the probability of the preferred arm must exceed 1/${arms.length} (Pocock & Simon 1975), got ${p}`,
      });
  }

  const forms = new Map<string, RawForm>();
  const codeLists = new Map<string, string[]>();
  for (const [, l] of objects(input.codeLists)) {
    const id = str(l.id);
    if (id)
      codeLists.set(
        id,
        objects(l.codes).flatMap(([, c]) => (typeof c.code === 'string' ? [c.code] : [])),
      );
  }
  for (const [, f] of objects(input.forms)) {
    const id = str(f.id);
    if (!id) continue;
    forms.set(id, {
      repeating: f.repeating === true,
      visitCodes: Array.isArray(f.visitCodes)
        ? f.visitCodes.filter((c): c is string => typeof c === 'string')
        : [],
      ...(Array.isArray(f.items)
        ? {
            items: new Map(
              objects(f.items).flatMap(([, it]) => (str(it.code) ? [[it.code as string, it]] : [])),
            ),
          }
        : {}),
    });
  }
  const formList = `(${[...forms.keys()].join(', ')})`;
  /** The item a reference names, or an issue; undefined when the form's items come from elsewhere. */
  const checkItemRef = (form: unknown, item: unknown, path: Path): Obj | undefined => {
    if (typeof form !== 'string') return undefined;
    const f = forms.get(form);
    if (!f) {
      out.push({
        path: [...path, 'form'],
        code: 'unknown_reference',
        message: `unknown form ${quote(form)} ${formList}`,
      });
      return undefined;
    }
    if (typeof item !== 'string' || !f.items) return undefined;
    const it = f.items.get(item);
    if (!it)
      out.push({
        path: [...path, 'item'],
        code: 'unknown_reference',
        message: `form ${quote(form)} has no item ${quote(item)} (${[...f.items.keys()].join(', ')})`,
      });
    return it;
  };

  const factors = objects(r.factors);
  duplicates(
    out,
    factors.map(([, f]) => str(f.name)),
    (i) => ['randomisation', 'factors', factors[i]![0], 'name'],
    'factor name',
  );
  let siteFactors = 0;
  for (const [i, f] of factors) {
    const path: Path = ['randomisation', 'factors', i];
    if (f.source === 'site') {
      siteFactors++;
      if (f.levels !== undefined)
        out.push({
          path: [...path, 'levels'],
          code: 'invalid_value',
          message: "a site factor's levels are the study's sites; do not list them",
        });
      continue;
    }
    if (!isObj(f.source)) continue;
    if (f.levels === undefined)
      out.push({ path: [...path, 'levels'], code: 'required', message: 'an item factor lists its levels' });
    if (Array.isArray(f.levels)) duplicates(out, f.levels, (k) => [...path, 'levels', k], 'level');
    const item = checkItemRef(f.source.form, f.source.item, [...path, 'source']);
    const form = typeof f.source.form === 'string' ? forms.get(f.source.form) : undefined;
    const visit = f.source.visit;
    if (form && typeof visit === 'string' && !form.visitCodes.includes(visit))
      out.push({
        path: [...path, 'source', 'visit'],
        code: 'unknown_reference',
        message: `form ${quote(f.source.form)} is not collected at visit ${quote(visit)} (${form.visitCodes.join(', ')})`,
      });
    // A repeating form holds several records per visit: a factor could not say which one it reads.
    if (form?.repeating)
      out.push({
        path: [...path, 'source', 'form'],
        code: 'invalid_value',
        message: `form ${quote(f.source.form)} is repeating: a stratification factor reads a form with one record per visit`,
      });
    const codes = item && typeof item.codeList === 'string' ? codeLists.get(item.codeList) : undefined;
    if (codes && Array.isArray(f.levels))
      f.levels.forEach((level, k) => {
        if (typeof level === 'string' && !codes.includes(level))
          out.push({
            path: [...path, 'levels', k],
            code: 'unknown_reference',
            message: `level ${quote(level)} is not a code of list ${quote(item?.codeList)} (${codes.join(', ')})`,
          });
      });
  }
  if (siteFactors > 1)
    out.push({
      path: ['randomisation', 'factors'],
      code: 'duplicate',
      message: 'site is named as a factor twice',
    });

  if (Array.isArray(r.blindedRoles))
    duplicates(out, r.blindedRoles, (i) => ['randomisation', 'blindedRoles', i], 'blinded role');
  if (isObj(r.armRevealing)) {
    const a = r.armRevealing;
    if (Array.isArray(a.forms))
      a.forms.forEach((form, i) => {
        if (typeof form === 'string' && !forms.has(form))
          out.push({
            path: ['randomisation', 'armRevealing', 'forms', i],
            code: 'unknown_reference',
            message: `unknown form ${quote(form)} ${formList}`,
          });
      });
    for (const [i, it] of objects(a.items))
      checkItemRef(it.form, it.item, ['randomisation', 'armRevealing', 'items', i]);
  }
  return out;
}
