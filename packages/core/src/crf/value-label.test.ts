import { describe, expect, it } from 'vitest';
import { END_OF_STUDY_FORM } from './forms.js';
import { itemValueLabel } from './value-label.js';

describe('item values read with their labels (issue 22)', () => {
  const status = END_OF_STUDY_FORM.items.find((i) => i.code === 'status')!;
  it('a code-list value by its label; an unknown code as stored', () => {
    expect(itemValueLabel(status, 'lost')).toBe('Lost to follow-up');
    expect(itemValueLabel(status, 'died')).toBe('Died');
    expect(itemValueLabel(status, 'other')).toBe('other');
  });
  it('yes/no as the form offers it; numbers, dates and text as stored', () => {
    expect(itemValueLabel({ type: 'boolean' }, '1')).toBe('Yes');
    expect(itemValueLabel({ type: 'boolean' }, '0')).toBe('No');
    expect(itemValueLabel({ type: 'boolean' }, 'constructor')).toBe('constructor');
    expect(itemValueLabel({ type: 'decimal' }, '1')).toBe('1');
    expect(itemValueLabel({ type: 'text' }, 'NA')).toBe('NA');
  });
});
