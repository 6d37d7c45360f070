/**
 * From a study definition's arms and randomisation (issue #24) to the engine's design
 * (@msct/core/randomisation): permuted blocks stratified by site and item factors, or Pocock–Simon
 * minimisation over the same factors; which roles are blinded; which forms and items reveal the arm.
 *
 * A site factor's levels are the study's sites at the time of the call (their codes): the engine
 * keys each stratum's stream by the stratum's id, so a site added later gets a list of its own and
 * no existing stratum's list changes (randomisation/README.md "Independent streams").
 */
import type { Arm, MinimisationDesign, PermutedBlockDesign } from '../randomisation/index.js';
import type { StoredDefinition } from './stored-definition.js';
import type { StratificationFactorDefinition, StudyRole } from './study-definition.js';

/** Minimisation's defaults when the definition names none: p = 0.8 (a common choice, Pocock & Simon 1975), range. */
export const DEFAULT_MINIMISATION = { probability: 0.8, imbalance: 'range' } as const;

export type RandomisationPlan =
  | { readonly method: 'blocks'; readonly arms: readonly Arm[]; readonly design: PermutedBlockDesign }
  | { readonly method: 'minimisation'; readonly arms: readonly Arm[]; readonly design: MinimisationDesign };

/** Where a factor's level comes from for one subject: the site, or an item at a visit. */
export type FactorSource =
  | { readonly name: string; readonly kind: 'site' }
  | {
      readonly name: string;
      readonly kind: 'item';
      readonly form: string;
      readonly item: string;
      readonly visit: string;
      readonly levels: readonly string[];
    };

/** Whether the study randomises (has a randomisation section with arms). */
export const isRandomised = (definition: StoredDefinition): boolean =>
  definition.randomisation !== undefined && (definition.arms?.length ?? 0) >= 2;

/** The roles the definition blinds (none for an open or single-arm study). */
export const blindedRolesOf = (definition: StoredDefinition): readonly StudyRole[] =>
  definition.randomisation?.blindedRoles ?? [];

function sourceOf(definition: StoredDefinition, f: StratificationFactorDefinition): FactorSource {
  const source = f.source;
  if (source === 'site') return { name: f.name, kind: 'site' };
  const form = definition.forms?.find((x) => x.id === source.form);
  return {
    name: f.name,
    kind: 'item',
    form: source.form,
    item: source.item,
    visit: source.visit ?? form?.visitCodes[0] ?? '',
    levels: f.levels ?? [],
  };
}

/** Every factor of the definition, with where its level is read. */
export const factorSourcesOf = (definition: StoredDefinition): FactorSource[] =>
  (definition.randomisation?.factors ?? []).map((f) => sourceOf(definition, f));

/**
 * The engine's design for the study's current sites, or null when the study does not randomise.
 * The definition was validated (cross-checks); the engine checks the design again when it runs.
 */
export function randomisationPlanOf(
  definition: StoredDefinition,
  siteCodes: readonly string[],
): RandomisationPlan | null {
  const r = definition.randomisation;
  if (!r || !isRandomised(definition)) return null;
  const arms = (definition.arms ?? []).map((a) => ({ code: a.id, ratio: a.ratio }));
  const sources = factorSourcesOf(definition);
  if (r.method === 'blocks') {
    const bySite = sources.some((s) => s.kind === 'site');
    return {
      method: 'blocks',
      arms,
      design: {
        arms,
        blockSizes: r.blockSizes ?? [],
        ...(bySite ? { sites: [...siteCodes] } : {}),
        factors: sources.flatMap((s) => (s.kind === 'item' ? [{ name: s.name, levels: s.levels }] : [])),
      },
    };
  }
  const m = r.minimisation ?? DEFAULT_MINIMISATION;
  return {
    method: 'minimisation',
    arms,
    design: {
      arms,
      imbalance: m.imbalance,
      probability: m.probability,
      factors: r.factors.map((f) => ({
        name: f.name,
        levels: f.source === 'site' ? [...siteCodes] : (f.levels ?? []),
        ...(f.weight !== undefined ? { weight: f.weight } : {}),
      })),
    },
  };
}

/** The forms whose values reveal the arm, and the items (by form) that do. */
export function armRevealingOf(definition: StoredDefinition): {
  forms: ReadonlySet<string>;
  items: ReadonlySet<string>;
} {
  const a = definition.randomisation?.armRevealing;
  return {
    forms: new Set(a?.forms ?? []),
    items: new Set((a?.items ?? []).map((i) => `${i.form}/${i.item}`)),
  };
}
