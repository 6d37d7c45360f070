import { describe, expect, test } from 'vitest';
import { assessSeriousness } from '../instruments/safety/seriousness.js';
import { codeListSchema } from '../protocol/definition-schema.js';
import {
  AE_OUTCOME_CODE_LIST,
  INFUSION_STATUS_CODE_LIST,
  RECORD_CODE_LISTS,
  RELATED_ASSESSMENTS,
  RELATEDNESS,
  RELATEDNESS_CODE_LIST,
  SERIOUSNESS,
  SERIOUSNESS_CODE_LIST,
  SERIOUSNESS_SDTM_FLAGS,
} from './vocabulary.js';

const codes = (l: { codes: readonly { code: string }[] }) => l.codes.map((c) => c.code);

describe('the AE and infusion vocabulary, declared once (issue #20)', () => {
  test('each list is a definition code list with unique ids and codes', () => {
    for (const l of RECORD_CODE_LISTS) {
      expect(codeListSchema.safeParse(l).success).toBe(true);
      expect(new Set(codes(l)).size).toBe(l.codes.length);
    }
    expect(RECORD_CODE_LISTS.map((l) => l.id)).toEqual([
      'ae-relatedness',
      'ae-seriousness',
      'ae-outcome',
      'infusion-status',
    ]);
  });

  test('relatedness: the five steps of endpoints.md "Safety", related = possible/probable/definite', () => {
    expect(codes(RELATEDNESS_CODE_LIST)).toEqual([
      'not_related',
      'unlikely',
      'possible',
      'probable',
      'definite',
    ]);
    expect(RELATEDNESS_CODE_LIST.codes.map((c) => c.label)).toEqual([
      'Not related',
      'Unlikely',
      'Possible',
      'Probable',
      'Definite',
    ]);
    expect(RELATED_ASSESSMENTS).toEqual(RELATEDNESS.slice(2));
  });

  test('seriousness: the six ICH E2A criteria, each with its SDTM flag, one spelling', () => {
    expect(codes(SERIOUSNESS_CODE_LIST)).toEqual([...SERIOUSNESS]);
    expect(SERIOUSNESS.map((s) => SERIOUSNESS_SDTM_FLAGS[s])).toEqual([
      'AESDTH',
      'AESLIFE',
      'AESHOSP',
      'AESDISAB',
      'AESCONG',
      'AESMIE',
    ]);
    // The instrument's criteria are the same codes, camel-cased as keys.
    expect(assessSeriousness({ lifeThreatening: true, congenitalAnomaly: true }).criteria).toEqual([
      'AESLIFE',
      'AESCONG',
    ]);
  });

  test('outcome and infusion status', () => {
    expect(codes(AE_OUTCOME_CODE_LIST)).toEqual([
      'recovered',
      'recovering',
      'not_recovered',
      'recovered_with_sequelae',
      'fatal',
      'unknown',
    ]);
    expect(codes(INFUSION_STATUS_CODE_LIST)).toEqual(['planned', 'given', 'not_given']);
  });
});
