// The mapping of another system's ODM file to msct, in the format the wide CSV import uses
// (csv-import.ts WideMapping): `visits` maps the file's StudyEventOIDs to visit codes, `columns` its
// ItemOIDs to `form.item` (or `{ item, unit }` when the file's values of that item are in a fixed unit
// it does not declare), and `forms` its FormOIDs to msct's special forms (`F.AE`, `F.INFUSION`).
// `sites` maps the file's sites (SiteRef LocationOID, REDCap data access group, OpenClinica site) to
// msct site codes, and `defaultSite` is the site of subjects the file gives none (odm-subject.ts).
// The CSV-only keys (`subject`, `visit`, `cycle`, `visitDate`: column names) have no meaning for ODM,
// whose SubjectKey, StudyEventOID and StudyEventRepeatKey say the same, and are refused.
import type { ImportProblem } from './import-check.js';

export interface OdmMapping {
  visits?: Record<string, string>;
  columns: Record<string, string | { item: string; unit?: string }>;
  forms?: Record<string, string>;
  sites?: Record<string, string>;
  defaultSite?: string;
}

/** What the import uses: one OID map (odm-subject.ts) and the units of items whose values carry none. */
export interface ResolvedOdmMapping {
  oidMap: Record<string, string>;
  itemUnits: Record<string, string>;
  /** The file's site (LocationOID, data access group) → msct site code. */
  sites: Record<string, string>;
  /** The msct site of subjects the file gives no site. */
  defaultSite?: string;
}

const CSV_ONLY = ['subject', 'visit', 'cycle', 'visitDate'];

/** The mapping resolved, or the problems of a malformed one (rule mapping-invalid, column = its key). */
export function resolveOdmMapping(
  m: unknown,
): { ok: true; value: ResolvedOdmMapping } | { ok: false; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const bad = (column: string, message: string) =>
    problems.push({ row: 0, column, rule: 'mapping-invalid', message });
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(m)) {
    bad(
      'mapping',
      'the mapping must be a JSON object with "columns" (and optionally "visits", "forms", "sites", "defaultSite")',
    );
    return { ok: false, problems };
  }
  for (const k of Object.keys(m))
    if (CSV_ONLY.includes(k))
      bad(
        k,
        `"${k}" names a CSV column; an ODM file says it itself (SubjectKey, StudyEventOID, repeat keys)`,
      );
    else if (!['visits', 'columns', 'forms', 'sites', 'defaultSite'].includes(k))
      bad(k, `unknown key "${k}" (visits, columns, forms, sites, defaultSite)`);
  const oidMap: Record<string, string> = {};
  const itemUnits: Record<string, string> = {};
  if (!isObject(m.columns))
    bad('columns', '"columns" must be an object: ItemOID → "form.item" or { item, unit }');
  else
    for (const [oid, target] of Object.entries(m.columns)) {
      const item = typeof target === 'string' ? target : isObject(target) ? target.item : undefined;
      const unit = isObject(target) ? target.unit : undefined;
      if (typeof item !== 'string' || !/^[^.]+\.[^.]+$/.test(item))
        bad(`columns.${oid}`, `ItemOID ${oid} must map to "form.item" or { "item": "form.item", "unit": … }`);
      else oidMap[oid] = item;
      if (unit !== undefined)
        if (typeof unit === 'string' && unit.trim()) itemUnits[oid] = unit;
        else bad(`columns.${oid}.unit`, `the unit of ItemOID ${oid} must be a non-empty text`);
    }
  for (const key of ['visits', 'forms'] as const) {
    const map = m[key];
    if (map === undefined) continue;
    if (!isObject(map)) {
      bad(key, `"${key}" must be an object of OID → ${key === 'visits' ? 'visit code' : 'msct FormOID'}`);
      continue;
    }
    for (const [oid, to] of Object.entries(map))
      if (typeof to !== 'string' || !to) bad(`${key}.${oid}`, `${oid} must map to a text`);
      else oidMap[oid] = to;
  }
  const sites: Record<string, string> = {};
  if (m.sites !== undefined) {
    if (!isObject(m.sites)) bad('sites', '"sites" must be an object: the file\'s site → msct site code');
    else
      for (const [from, to] of Object.entries(m.sites))
        if (typeof to !== 'string' || !to.trim())
          bad(`sites.${from}`, `site ${from} must map to a site code`);
        else sites[from] = to;
  }
  const defaultSite = m.defaultSite;
  if (defaultSite !== undefined && (typeof defaultSite !== 'string' || !defaultSite.trim()))
    bad('defaultSite', '"defaultSite" must be a site code');
  return problems.length
    ? { ok: false, problems }
    : {
        ok: true,
        value: {
          oidMap,
          itemUnits,
          sites,
          ...(typeof defaultSite === 'string' ? { defaultSite } : {}),
        },
      };
}
