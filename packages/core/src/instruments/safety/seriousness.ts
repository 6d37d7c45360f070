// ICH E2A seriousness (instruments.md §5.3): an adverse event is serious if it results in death,
// is life-threatening (immediate risk of death at the time), requires or prolongs inpatient
// hospitalisation, results in persistent or significant disability/incapacity, is a congenital
// anomaly/birth defect, or is another medically important event. Seriousness (reporting) is not
// severity (CTCAE grade). The criteria and their SDTM flags (AESDTH, AESLIFE, AESHOSP, AESDISAB,
// AESCONG, AESMIE) are the one vocabulary of safety/vocabulary.ts; here each is a camel-cased key.
import { SERIOUSNESS, SERIOUSNESS_SDTM_FLAGS, type Seriousness } from '../../safety/vocabulary.js';

/** `life_threatening` → `lifeThreatening`: the vocabulary's code as an object key. */
type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
const camel = <S extends string>(s: S) =>
  s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) as Camel<S>;

export type SeriousnessCriteria = { readonly [K in Seriousness as Camel<K>]?: boolean };

export type SdtmSeriousnessFlag = (typeof SERIOUSNESS_SDTM_FLAGS)[Seriousness];

export function assessSeriousness(c: SeriousnessCriteria): {
  serious: boolean;
  criteria: SdtmSeriousnessFlag[];
} {
  const criteria = SERIOUSNESS.filter((k) => c[camel(k)] === true).map((k) => SERIOUSNESS_SDTM_FLAGS[k]);
  return { serious: criteria.length > 0, criteria };
}

/**
 * Expedited reporting clock for a SUSAR (serious, unexpected, suspected related; ICH E2A):
 * 7 calendar days if fatal or life-threatening, else 15; undefined when not a SUSAR.
 */
export function expeditedReportingDays(
  c: SeriousnessCriteria,
  unexpected: boolean,
  suspectedRelated: boolean,
): 7 | 15 | undefined {
  if (!assessSeriousness(c).serious || !unexpected || !suspectedRelated) return undefined;
  return c.death === true || c.lifeThreatening === true ? 7 : 15;
}
