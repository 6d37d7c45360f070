// Missing-data codes (definition-schema.ts missingDataCodeSchema; issues #20/#22): which code an item
// may hold in place of a value, and that a code answers a required item where a blank does not.
import { describe, expect, it } from 'vitest';
import {
  type FormDefinitionItems,
  MISSING_CODE_LABELS,
  missingCodeRefusal,
  unansweredRequired,
} from './index.js';

const form: FormDefinitionItems = {
  formCode: 'labs',
  title: 'Labs',
  items: [
    { code: 'c3', label: 'C3', type: 'decimal', units: ['g/L'], required: true, missingCodes: ['ND', 'NK'] },
    { code: 'c4', label: 'C4', type: 'decimal', units: ['g/L'], required: true },
    { code: 'ana', label: 'ANA', type: 'integer' },
  ],
};

describe('missing-data codes', () => {
  it('names each code in words', () => {
    expect(MISSING_CODE_LABELS).toEqual({ ND: 'not done', NK: 'not known', NA: 'not applicable' });
  });

  it('allows only the codes the item declares, never with a value', () => {
    expect(missingCodeRefusal(form, 'c3', 'ND', null)).toBeUndefined();
    expect(missingCodeRefusal(form, 'c3', 'NK', null)).toBeUndefined();
    expect(missingCodeRefusal(form, 'c3', 'NA', null)).toBe('C3 takes ND, NK, not NA');
    expect(missingCodeRefusal(form, 'c4', 'ND', null)).toBe('C4 takes no missing-data code');
    expect(missingCodeRefusal(form, 'c3', 'ND', '0.9')).toBe(
      'c3 holds a value or a missing-data code, not both',
    );
    expect(missingCodeRefusal(form, 'c3', 'UNK', null)).toBe(
      '"UNK" is not a missing-data code (ND, NK or NA)',
    );
    expect(missingCodeRefusal(undefined, 'x', 'ND', null)).toBe('x takes no missing-data code');
  });

  it('counts a value or a code as an answer to a required item, a blank not', () => {
    const row = (itemCode: string, value: string | null, missingCode: string | null = null) => ({
      itemCode,
      value,
      missingCode,
    });
    expect(unansweredRequired(form, []).map((d) => d.code)).toEqual(['c3', 'c4']);
    expect(unansweredRequired(form, [row('c3', null, 'ND'), row('c4', null)]).map((d) => d.code)).toEqual([
      'c4',
    ]);
    expect(unansweredRequired(form, [row('c3', null, 'NK'), row('c4', '0.2')])).toEqual([]);
  });
});
