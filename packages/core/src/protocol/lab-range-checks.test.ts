// The cross-checks of lab reference ranges and significance items (issue #22), each failing once.
import { describe, expect, it } from 'vitest';
import { msctSleTrial } from './msct-sle-trial.js';
import { formatDefinitionIssue, validateStudyDefinition } from './validate-definition.js';

const withRanges = (ranges: unknown[]) => ({
  ...JSON.parse(JSON.stringify(msctSleTrial)),
  labReferenceRanges: ranges,
});

describe('lab reference ranges in a definition', () => {
  it('the built-in trial passes', () => {
    expect(validateStudyDefinition(msctSleTrial).issues).toEqual([]);
  });
  it('lists every problem with its path', () => {
    const r = validateStudyDefinition(
      withRanges([
        { itemCode: 'platelet', unit: '10^9/L', low: 1, source: 's' },
        { itemCode: 'platelets', unit: 'g/L', low: 1, source: 's' },
        { itemCode: 'platelets', unit: '10^9/L', centre: 'XX', low: 1 },
        { itemCode: 'platelets', unit: '10^9/L', high: 100, low: 200, criticalLow: 250 },
        {
          itemCode: 'wbc',
          unit: '10^9/L',
          source: 's',
          effectiveFrom: '2026-02-01',
          effectiveTo: '2026-01-01',
          low: 1,
        },
        { itemCode: 'wbc', unit: '10^9/L', centre: 'NJ-DT', low: 3, effectiveTo: '2026-03-01' },
        { itemCode: 'wbc', unit: '10^9/L', centre: 'NJ-DT', low: 3, effectiveFrom: '2026-03-01' },
        { itemCode: 'neutrophils', unit: '10^9/L', centre: 'NJ-DT' },
      ]),
    );
    expect(r.issues.map(formatDefinitionIssue)).toEqual([
      'labReferenceRanges[0].itemCode: no numeric item "platelet" in the definition\'s forms',
      'labReferenceRanges[1].unit: "g/L" is not a unit of platelets (10^9/L)',
      'labReferenceRanges[2].centre: unknown centre "XX"',
      'labReferenceRanges[3].source: a protocol default range (no centre) cites its source',
      'labReferenceRanges[3].low: low 200 is below criticalLow 250',
      'labReferenceRanges[3].high: high 100 is below low 200',
      'labReferenceRanges[4].effectiveTo: effectiveTo 2026-01-01 is before effectiveFrom 2026-02-01',
      'labReferenceRanges[6].effectiveFrom: overlaps labReferenceRanges[5]: two ranges of wbc (10^9/L, NJ-DT) in force on the same day',
      'labReferenceRanges[7].low: a range has a low or a high limit (or both)',
    ]);
  });
  it('a significance item names a numeric item of its own form and is a code item', () => {
    const d = JSON.parse(JSON.stringify(msctSleTrial));
    const labs = d.forms.find((f: { id: string }) => f.id === 'labs');
    const i = labs.items.findIndex((x: { code: string }) => x.code === 'wbc_cs');
    labs.items[i].significanceOf = 'urine_casts';
    const fi = d.forms.indexOf(labs);
    expect(validateStudyDefinition(d).issues.map(formatDefinitionIssue)).toEqual([
      `forms[${fi}].items[${i}].significanceOf: "urine_casts" is not a numeric item`,
    ]);
  });
});
