// The labs form's entry items beside the values (issue #22 "Labs"): when the sample was taken, and
// for each lab with a protocol reference range, the investigator's clinical-significance judgement
// of a value outside it (CS / NCS, as CDISC SDTM LBCLSIG records it).
import type { CodeList } from '../protocol/study-definition.js';
import type { ItemDefinition } from './item-definition.js';
import { LAB_SAMPLE_DATE_ITEM, LAB_SAMPLE_TIME_ITEM } from './lab-flags.js';

export const LAB_SIGNIFICANCE_CODE_LIST: CodeList = {
  id: 'lab_significance',
  label: 'Clinical significance of an out-of-range lab value',
  codes: [
    { code: 'CS', label: 'Clinically significant' },
    { code: 'NCS', label: 'Not clinically significant' },
  ],
};

/** The labs with a protocol default range in studies/msct-sle.json `labReferenceRanges`. */
export const RANGED_LAB_ITEMS: Readonly<Record<string, string>> = {
  haemoglobin: 'Haemoglobin',
  wbc: 'White cells',
  neutrophils: 'Neutrophils',
  lymphocytes: 'Lymphocytes',
  platelets: 'Platelets',
  c3: 'Complement C3',
};

/** The significance item of a lab item. */
export const significanceItemCode = (labItemCode: string) => `${labItemCode}_cs`;

/** When the samples were taken: first on the form (the date picks the reference ranges). */
export const LAB_SAMPLE_ITEMS: readonly ItemDefinition[] = [
  {
    code: LAB_SAMPLE_DATE_ITEM,
    label: 'Sample date',
    type: 'date',
    help: 'The date the samples were taken (YYYY-MM-DD); it selects the reference ranges in force.',
    source: 'trial.md Schedule (labs at each assessment, with lab reference ranges)',
  },
  {
    code: LAB_SAMPLE_TIME_ITEM,
    label: 'Sample time',
    type: 'text',
    help: '24-hour HH:MM, the site’s local time (the zone of the site).',
    source: 'trial.md Schedule (labs at each assessment)',
  },
];

/** Each ranged lab's CS/NCS question (shown beside its lab while the value is out of range). */
export const LAB_SIGNIFICANCE_ITEMS: readonly ItemDefinition[] = [
  ...Object.entries(RANGED_LAB_ITEMS).map(
    ([code, label]): ItemDefinition => ({
      code: significanceItemCode(code),
      label: `${label}: clinical significance`,
      type: 'code',
      codes: LAB_SIGNIFICANCE_CODE_LIST.codes,
      help: 'Asked when the value is outside its reference range: CS or NCS.',
      significanceOf: code,
      source: 'issue #22 (clinical-significance marking at entry); CDISC SDTM LBCLSIG',
    }),
  ),
];

/** Every item the labs form has for issue #22, beside the lab values themselves. */
export const LAB_ENTRY_ITEMS: readonly ItemDefinition[] = [...LAB_SAMPLE_ITEMS, ...LAB_SIGNIFICANCE_ITEMS];
