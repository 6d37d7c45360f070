// Store outcomes that callers must handle. The server maps each code to one HTTP status.
import type { EntryRule } from '@msct/core/protocol';

export type StoreErrorCode =
  | 'not_found'
  | 'conflict'
  | 'duplicate'
  | 'invalid'
  /** Entry does not follow the study definition (EntryRefusalError). */
  | 'not_in_definition'
  | 'locked'
  | 'reason_required';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export const notFound = (entity: string, id: string) =>
  new StoreError('not_found', `${entity} ${id} does not exist`, { entity, id });

export const conflict = (entity: string, id: string, expected: number, current: number) =>
  new StoreError(
    'conflict',
    `${entity} ${id} was changed by someone else: you read version ${expected}, it is now version ${current}. Reload and re-apply your change.`,
    { entity, id, expectedVersion: expected, currentVersion: current },
  );

/** The rules of entry following the definition: core protocol/entry-rules.ts, and an item only if the form has it. */
export type EntryRefusalRule = EntryRule | 'item-unknown';

/** Where a refused entry was going: the visit, form and item it names (as far as it got). */
export interface EntryTarget {
  visitCode?: string;
  cycle?: number;
  formCode?: string;
  itemCode?: string;
}

/**
 * Entry the study definition does not allow (a visit outside the schedule, a form not collected at
 * the visit, an item the form does not have), refused by the store on every write path. `field` is
 * the path of the offending value in the writer's input, without any transport prefix: `visitCode`,
 * `cycle`, `reason`, `formCode`, `items.2.itemCode` (a form save) or `itemCode` (an imported value).
 * The server answers it in one place (422 MSCT_E_NOT_IN_DEFINITION naming the rule and the field);
 * the imports report the rule on the row.
 */
export class EntryRefusalError extends StoreError {
  constructor(
    readonly rule: EntryRefusalRule,
    readonly field: string,
    message: string,
    readonly target: EntryTarget = {},
  ) {
    super('not_in_definition', message, { rule, field, ...target });
    this.name = 'EntryRefusalError';
  }
}
