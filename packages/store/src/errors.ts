// Store outcomes that callers must handle. The server maps each code to one HTTP status.

export type StoreErrorCode =
  | 'not_found'
  | 'conflict'
  | 'duplicate'
  | 'invalid'
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
