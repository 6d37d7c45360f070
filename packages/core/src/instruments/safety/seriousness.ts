// ICH E2A seriousness (instruments.md §5.3): an adverse event is serious if it results in death,
// is life-threatening (immediate risk of death at the time), requires or prolongs inpatient
// hospitalisation, results in persistent or significant disability/incapacity, is a congenital
// anomaly/birth defect, or is another medically important event. Seriousness (reporting) is not
// severity (CTCAE grade). The SDTM flags are AESDTH, AESLIFE, AESHOSP, AESDISAB, AESCONG, AESMIE.

export interface SeriousnessCriteria {
  readonly death?: boolean;
  readonly lifeThreatening?: boolean;
  readonly hospitalisation?: boolean;
  readonly disability?: boolean;
  readonly congenitalAnomaly?: boolean;
  readonly medicallyImportant?: boolean;
}

const SDTM = Object.freeze({
  death: 'AESDTH',
  lifeThreatening: 'AESLIFE',
  hospitalisation: 'AESHOSP',
  disability: 'AESDISAB',
  congenitalAnomaly: 'AESCONG',
  medicallyImportant: 'AESMIE',
} as const);

export type SdtmSeriousnessFlag = (typeof SDTM)[keyof typeof SDTM];

export function assessSeriousness(c: SeriousnessCriteria): {
  serious: boolean;
  criteria: SdtmSeriousnessFlag[];
} {
  const criteria = (Object.keys(SDTM) as (keyof typeof SDTM)[])
    .filter((k) => c[k] === true)
    .map((k) => SDTM[k]);
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
