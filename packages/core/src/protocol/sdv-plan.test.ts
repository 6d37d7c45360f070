import { describe, expect, it } from 'vitest';
import { FULL_SDV, needsSdv } from './sdv-plan.js';

describe('needsSdv', () => {
  it('needs every form under 100 % SDV', () => {
    expect(needsSdv(FULL_SDV, 'LAB', 'M3')).toBe(true);
  });
  it('needs only the forms (and visits) a subset names', () => {
    const plan = {
      mode: 'subset' as const,
      rules: [{ formCode: 'LAB' }, { formCode: 'VS', visitCode: 'SCR' }],
    };
    expect(needsSdv(plan, 'LAB', 'M3')).toBe(true);
    expect(needsSdv(plan, 'VS', 'SCR')).toBe(true);
    expect(needsSdv(plan, 'VS', 'M3')).toBe(false);
    expect(needsSdv(plan, 'SLEDAI2K', 'SCR')).toBe(false);
    expect(needsSdv({ mode: 'subset', rules: [] }, 'LAB', 'SCR')).toBe(false);
  });
});
