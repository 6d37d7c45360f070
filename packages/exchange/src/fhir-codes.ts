// The codes a FHIR lab Observation carries and what they are in msct (issue #23, FHIR R4 lab import):
// LOINC codes of the catalog's labs form (core crf/forms.ts LABS_FORM) and UCUM unit codes of the
// units its items accept. A study definition may name its own items' LOINC codes (item `loinc`), and
// a mapping file may map any code (fhir-mapping.ts); these are the defaults for the catalog form.

/** The LOINC system URI (FHIR R4 terminologies: http://hl7.org/fhir/R4/loinc.html). */
export const LOINC_SYSTEM = 'http://loinc.org';
/** The UCUM system URI (FHIR R4 datatypes §2.24.0.16 Quantity: http://unitsofmeasure.org). */
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

/**
 * LOINC codes → the catalog labs form's item (LOINC 2.78, https://loinc.org/<code>, each code's long
 * common name in the comment). Only codes whose property (mass or substance concentration, count,
 * rate) the item holds in one of its units, and the ANA titre (read as its reciprocal, TITRE_ITEMS); a
 * code in another scale (e.g. an ordinal "positive") is left to a mapping file.
 */
export const CATALOG_LAB_LOINC: Readonly<Record<string, string>> = {
  '718-7': 'labs.haemoglobin', // Hemoglobin [Mass/volume] in Blood
  '6690-2': 'labs.wbc', // Leukocytes [#/volume] in Blood by Automated count
  '26464-8': 'labs.wbc', // Leukocytes [#/volume] in Blood
  '751-8': 'labs.neutrophils', // Neutrophils [#/volume] in Blood by Automated count
  '26499-4': 'labs.neutrophils', // Neutrophils [#/volume] in Blood
  '731-0': 'labs.lymphocytes', // Lymphocytes [#/volume] in Blood by Automated count
  '26474-7': 'labs.lymphocytes', // Lymphocytes [#/volume] in Blood
  '777-3': 'labs.platelets', // Platelets [#/volume] in Blood by Automated count
  '26515-7': 'labs.platelets', // Platelets [#/volume] in Blood
  '2889-4': 'labs.proteinuria_24h', // Protein [Mass/time] in 24 hour Urine
  '2890-2': 'labs.upcr', // Protein/Creatinine [Mass Ratio] in Urine
  '13945-1': 'labs.urine_rbc_hpf', // Erythrocytes [#/area] in Urine sediment by Microscopy high power field
  '5821-4': 'labs.urine_wbc_hpf', // Leukocytes [#/area] in Urine sediment by Microscopy high power field
  '2160-0': 'labs.creatinine', // Creatinine [Mass/volume] in Serum or Plasma
  '14682-9': 'labs.creatinine', // Creatinine [Moles/volume] in Serum or Plasma
  '3094-0': 'labs.urea', // Urea nitrogen [Mass/volume] in Serum or Plasma
  '1751-7': 'labs.albumin', // Albumin [Mass/volume] in Serum or Plasma
  '4485-9': 'labs.c3', // Complement C3 [Mass/volume] in Serum or Plasma
  '4498-2': 'labs.c4', // Complement C4 [Mass/volume] in Serum or Plasma
  '5130-0': 'labs.anti_dsdna', // DNA double strand Ab [Units/volume] in Serum
  '5048-4': 'labs.ana_titre', // Nuclear Ab [Titer] in Serum by Immunofluorescence (a titre: TITRE_ITEMS)
};

/**
 * The items holding the testing lab's own limits of a lab item of the same form (form item → its
 * limit items), taken from an Observation's referenceRange (low: lower limit of normal, high: upper):
 * the SLEDAI-2K judges low complement and raised DNA binding against the testing lab's limits
 * (../shared/protocol/instruments.md §1.2 descriptors 20–21; core crf/derive.ts reads them so), and
 * the catalog labs form (core crf/forms.ts LABS_FORM) holds them beside each value.
 */
export const LAB_LIMIT_ITEMS: Readonly<Record<string, { low?: string; high?: string }>> = {
  c3: { low: 'c3_lln' },
  c4: { low: 'c4_lln' },
  anti_dsdna: { high: 'anti_dsdna_uln' },
};

/**
 * Items holding a titre as its reciprocal (`ana_titre`: "ANA titre (reciprocal, e.g. 320 for
 * 1:320)", core crf/forms.ts LABS_FORM). ANA titres are written as the dilution 1:N (ANA ≥1:80 is the
 * entry criterion of the 2019 EULAR/ACR classification, ../shared/protocol/instruments.md §4.2;
 * ../shared/protocol/trial.md "Schedule" lists the ANA titre among the labs), so a FHIR value 1:320
 * (valueString "1:320", or valueRatio 1/320) is the item's 320.
 */
export const TITRE_ITEMS: ReadonlySet<string> = new Set(['labs.ana_titre']);

/** The reciprocal of a titre written "1:N" (N a positive whole number), else undefined. */
export function titreReciprocal(text: string): number | undefined {
  const m = /^1\s*:\s*(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return n > 0 && Number.isSafeInteger(n) ? n : undefined;
}

/**
 * UCUM codes (The Unified Code for Units of Measure, https://ucum.org/ucum) → msct's spelling of the
 * same unit. Each pair is the same unit, only written differently (10*3/uL is 10^9/L: 10³ per 10⁻⁶ L);
 * conversions between different units are the core's (convertUnit), applied after this.
 */
export const UCUM_TO_MSCT: Readonly<Record<string, string>> = {
  'g/L': 'g/L',
  'g/dL': 'g/dL',
  'mg/dL': 'mg/dL',
  'mg/L': 'mg/L',
  'umol/L': 'µmol/L',
  'mmol/L': 'mmol/L',
  '10*9/L': '10^9/L',
  '10*3/uL': '10^9/L',
  '10*3/mm3': '10^9/L',
  '/uL': '/µL',
  '/mm3': '/mm3',
  'g/(24.h)': 'g/24h',
  'g/24.h': 'g/24h',
  'g/d': 'g/24h',
  'mg/(24.h)': 'mg/24h',
  'mg/24.h': 'mg/24h',
  'mg/d': 'mg/24h',
  'mg/mmol': 'mg/mmol',
  'mg/g': 'mg/g',
  '/[HPF]': '/hpf',
  '[IU]/mL': 'IU/mL',
  kg: 'kg',
  '[lb_av]': 'lb',
  Cel: '°C',
  '[degF]': '°F',
};

/** A Quantity's unit in msct's spelling: its UCUM code when it has one, else its unit as written. */
export function msctUnit(q: { code?: string; system?: string; unit?: string }): string | null {
  if (q.code && (q.system === UCUM_SYSTEM || q.system === undefined) && Object.hasOwn(UCUM_TO_MSCT, q.code))
    return UCUM_TO_MSCT[q.code]!;
  const written = q.unit ?? q.code;
  if (written === undefined || written.trim() === '') return null;
  return Object.hasOwn(UCUM_TO_MSCT, written) ? UCUM_TO_MSCT[written]! : written.trim();
}
