/**
 * A second study defined only as data (issue #20 acceptance, issue #24): a two-arm, randomised
 * follow-on trial of repeat MSCT against standard care in refractory lupus nephritis, with its own
 * schedule and forms, stratified by site and lupus nephritis class, the monitor and the
 * statistician's outcome review blinded. It is a value (what a team would upload as JSON), checked by
 * validateStudyDefinition like any other; no platform code knows it.
 */
import type { StudyDefinition } from '../protocol/study-definition.js';

export const randomisedLnTrial: StudyDefinition = {
  id: 'msct-ln-rct',
  title: 'Repeat MSCT versus standard care in refractory lupus nephritis (randomised, assessor-blinded)',
  version: '1.0',
  source: 'Follow-on trial the MSCT–SLE paper calls for (Wang D et al., Arthritis Res Ther 2014;16:R79)',
  centres: [
    { id: 'SA', name: 'Site A', city: 'Nanjing', country: 'CN' },
    { id: 'SB', name: 'Site B', city: 'Shanghai', country: 'CN' },
  ],
  arms: [
    { id: 'msct', label: 'Repeat MSCT + standard care', ratio: 1 },
    { id: 'control', label: 'Standard care', ratio: 1 },
  ],
  randomisation: {
    method: 'blocks',
    blockSizes: [2, 4],
    factors: [
      { name: 'site', source: 'site' },
      { name: 'lnClass', source: { form: 'renal-screening', item: 'ln_class' }, levels: ['III', 'IV', 'V'] },
    ],
    blindedRoles: ['monitor'],
    armRevealing: { forms: ['infusion'] },
  },
  visits: [
    {
      code: 'SCR',
      label: 'Screening',
      kind: 'screening',
      targetDay: -1,
      windowDays: { before: 27, after: 0 },
      repeatsInCycles: false,
    },
    {
      code: 'D0',
      label: 'Randomisation / day 0',
      kind: 'baseline',
      targetDay: 0,
      windowDays: 0,
      repeatsInCycles: true,
    },
    {
      code: 'M3',
      label: 'Month 3',
      kind: 'assessment',
      targetDay: 91,
      windowDays: 14,
      month: 3,
      repeatsInCycles: true,
    },
    {
      code: 'M6',
      label: 'Month 6',
      kind: 'assessment',
      targetDay: 182,
      windowDays: 14,
      month: 6,
      repeatsInCycles: true,
    },
  ],
  infusion: {
    product: 'Umbilical-cord MSC',
    route: 'intravenous',
    infusionVisitCodes: ['D0'],
    cellsPerKg: 1_000_000,
    doseTolerance: 0.1,
    minViabilityPercent: 90,
    maxCycles: 1,
  },
  codeLists: [
    {
      id: 'isn-rps-class',
      label: 'ISN/RPS lupus nephritis class',
      codes: [
        { code: 'III', label: 'Class III' },
        { code: 'IV', label: 'Class IV' },
        { code: 'V', label: 'Class V' },
      ],
    },
  ],
  forms: [
    {
      id: 'renal-screening',
      title: 'Renal screening',
      visitCodes: ['SCR'],
      items: [
        {
          code: 'ln_class',
          label: 'Biopsy ISN/RPS class',
          type: 'code',
          codeList: 'isn-rps-class',
          required: true,
        },
        {
          code: 'upcr',
          label: 'Urine protein/creatinine ratio',
          type: 'decimal',
          units: ['mg/mmol'],
          min: 0,
          max: 2000,
        },
      ],
    },
    {
      id: 'infusion',
      title: 'MSC infusion',
      visitCodes: ['D0'],
      items: [
        { code: 'cells_per_kg', label: 'Cells given per kg', type: 'decimal', min: 0, max: 10_000_000 },
      ],
    },
    {
      id: 'renal-assessment',
      title: 'Renal assessment',
      visitCodes: ['D0', 'M3', 'M6'],
      items: [
        {
          code: 'upcr',
          label: 'Urine protein/creatinine ratio',
          type: 'decimal',
          units: ['mg/mmol'],
          min: 0,
          max: 2000,
        },
      ],
    },
  ],
  eligibility: [],
  endpointRuleSetId: 'msct-sle-bilag-2014',
  retreatment: { afterStudyDay: 196, flagOnRelapse: true, sledaiRise: 3, consecutiveAssessments: 2 },
  bilagVersion: 'classic',
  sledaiWindowDays: 10,
};
