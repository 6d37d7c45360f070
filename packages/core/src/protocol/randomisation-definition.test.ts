import { describe, expect, it } from 'vitest';
import { generateAllocationList, minimise } from '../randomisation/index.js';
import { randomisedLnTrial } from '../testing/randomised-trial.js';
import { msctSleTrial } from './msct-sle-trial.js';
import {
  armRevealingOf,
  blindedRolesOf,
  factorSourcesOf,
  isRandomised,
  randomisationPlanOf,
} from './randomisation-plan.js';
import { formatDefinitionIssue, validateStudyDefinition } from './validate-definition.js';

const SEED = `${'00'.repeat(31)}2a`;
// biome-ignore lint/suspicious/noExplicitAny: the tests break a definition as raw JSON, field by field
const clone = (): Record<string, any> => structuredClone(randomisedLnTrial) as never;
const problems = (d: unknown) => {
  const r = validateStudyDefinition(d);
  return r.ok ? [] : r.issues.map(formatDefinitionIssue);
};

describe('arms and randomisation in the study definition (issue #24)', () => {
  it('the second study, defined as data, validates; the built-in single-arm trial still does', () => {
    expect(problems(randomisedLnTrial)).toEqual([]);
    expect(problems(msctSleTrial)).toEqual([]);
    expect(isRandomised(msctSleTrial)).toBe(false);
    expect(randomisationPlanOf(msctSleTrial, ['SA'])).toBeNull();
  });

  it('lists every cross-value problem by path', () => {
    const d = clone();
    d.arms.push({ id: 'msct', label: 'again', ratio: 2 });
    d.randomisation.blockSizes = [3, 4];
    d.randomisation.factors[1].source.form = 'labs';
    d.randomisation.factors.push({ name: 'lnClass', source: 'site', levels: ['x'] });
    d.randomisation.blindedRoles = ['monitor', 'monitor'];
    d.randomisation.armRevealing.forms = ['nope'];
    expect(problems(d)).toEqual([
      'arms[2].id: duplicate arm id "msct"',
      'randomisation.blockSizes[0]: block size 3 is not a multiple of the ratio total 4 (1:1:2)',
      'randomisation.factors[2].name: duplicate factor name "lnClass"',
      'randomisation.factors[1].source.form: unknown form "labs" (renal-screening, infusion, renal-assessment)',
      "randomisation.factors[2].levels: a site factor's levels are the study's sites; do not list them",
      'randomisation.factors: site is named as a factor twice',
      'randomisation.blindedRoles[1]: duplicate blinded role "monitor"',
      'randomisation.armRevealing.forms[0]: unknown form "nope" (renal-screening, infusion, renal-assessment)',
    ]);
  });

  it('refuses a randomisation with one arm, a level outside the code list, an unknown item and role', () => {
    const d = clone();
    d.arms = [d.arms[0]];
    d.randomisation.factors[1].levels = ['III', 'VI'];
    d.randomisation.armRevealing.items = [{ form: 'infusion', item: 'dose' }];
    d.randomisation.blindedRoles = ['assessor'];
    expect(problems(d)).toEqual([
      "randomisation.blindedRoles[0]: must be one of 'admin', 'investigator', 'coordinator', 'monitor', 'statistician', 'safety', got \"assessor\"",
      'arms: a randomised study needs at least 2 arms, found 1',
      'randomisation.factors[1].levels[1]: level "VI" is not a code of list "isn-rps-class" (III, IV, V)',
      'randomisation.armRevealing.items[0].item: form "infusion" has no item "dose" (cells_per_kg)',
    ]);
  });

  it('checks minimisation: at least one factor, p above 1/K, no block sizes', () => {
    const d = clone();
    d.randomisation.method = 'minimisation';
    d.randomisation.factors = [];
    d.randomisation.minimisation = { probability: 0.5, imbalance: 'range' };
    expect(problems(d)).toEqual([
      "randomisation.blockSizes: block sizes apply only to method 'blocks'",
      'randomisation.factors: minimisation needs at least one factor',
      'randomisation.minimisation.probability: the probability of the preferred arm must exceed 1/2 (Pocock & Simon 1975), got 0.5',
    ]);
    delete d.randomisation.blockSizes;
    d.randomisation.factors = [{ name: 'site', source: 'site' }];
    d.randomisation.minimisation.probability = 0.8;
    expect(problems(d)).toEqual([]);
  });

  it('gives the engine a design it can run: blocks stratified by site × class, minimisation over the same factors', () => {
    const plan = randomisationPlanOf(randomisedLnTrial, ['SA', 'SB']);
    expect(plan?.method).toBe('blocks');
    if (plan?.method !== 'blocks') return;
    const list = generateAllocationList(plan.design, SEED, { perStratum: 8 });
    expect(list.ok).toBe(true);
    if (!list.ok) return;
    expect(list.value.strata.map((s) => s.stratum.id)).toContain('site=SB;lnClass=V');
    expect(list.value.strata).toHaveLength(6);
    expect(factorSourcesOf(randomisedLnTrial)).toEqual([
      { name: 'site', kind: 'site' },
      {
        name: 'lnClass',
        kind: 'item',
        form: 'renal-screening',
        item: 'ln_class',
        visit: 'SCR',
        levels: ['III', 'IV', 'V'],
      },
    ]);
    expect(blindedRolesOf(randomisedLnTrial)).toEqual(['monitor']);
    expect([...armRevealingOf(randomisedLnTrial).forms]).toEqual(['infusion']);

    const d = clone();
    d.randomisation.method = 'minimisation';
    delete d.randomisation.blockSizes;
    const m = randomisationPlanOf(d, ['SA', 'SB']);
    expect(m?.method).toBe('minimisation');
    if (m?.method !== 'minimisation') return;
    expect(m.design.probability).toBe(0.8);
    const first = minimise(m.design, SEED, [], { site: 'SA', lnClass: 'IV' });
    expect(first.ok).toBe(true);
  });
});
