// The database's own refusals, as StoreErrors. The repositories check uniqueness, references and
// text before they write; a constraint their checks missed (a race, a path without the check) must
// still reach the caller as a refusal naming the field and the rule (HTTP 4xx), never as an
// unexplained internal error. Only refusals caused by the data sent are translated: anything else
// (a lost connection, a bug) is passed on unchanged.
import { StoreError } from '../errors.js';

/** `infusion_number` → `infusionNumber`: the name the API uses for a column. */
const camel = (column: string) => column.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

interface DriverError {
  code?: unknown;
  message?: unknown;
  /** pg: "Key (a, b)=(x, y) already exists." / "Key (a)=(x) is not present in table \"t\"." */
  detail?: unknown;
  table?: unknown;
}

/** Columns named by a pg detail or a SQLite message. */
function columnsOf(e: DriverError): string[] {
  const detail = typeof e.detail === 'string' ? /^Key \(([^)]*)\)=/.exec(e.detail) : null;
  if (detail) return detail[1]!.split(',').map((c) => c.trim());
  const message = typeof e.message === 'string' ? /constraint failed: (.*)$/.exec(e.message) : null;
  if (message)
    return message[1]!.split(',').map((c) => {
      const name = c.trim();
      return name.slice(name.indexOf('.') + 1);
    });
  return [];
}

export function translateDriverError(error: unknown): unknown {
  if (error instanceof StoreError || typeof error !== 'object' || error === null) return error;
  const e = error as DriverError;
  const code = typeof e.code === 'string' ? e.code : '';
  const columns = columnsOf(e);
  const field = columns.length > 0 ? columns.map(camel).join(',') : undefined;
  const fieldDetail = field ? { field } : {};
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    return new StoreError(
      'duplicate',
      `a record with the same ${field ?? 'key'} already exists${typeof e.table === 'string' ? ` in ${e.table}` : ''}`,
      { ...fieldDetail, rule: 'unique' },
    );
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY')
    return new StoreError(
      'invalid',
      `${field ?? 'a reference'} names a record that does not exist (or one that other records still refer to)`,
      { ...fieldDetail, rule: 'reference' },
    );
  // PostgreSQL cannot store NUL in text (22021) nor a character its encoding lacks (22P05).
  if (code === '22021' || code === '22P05')
    return new StoreError('invalid', 'text contains a character the database cannot store (NUL)', {
      rule: 'control-character',
    });
  if (code === '22001')
    return new StoreError('invalid', 'a text is longer than its column allows', { rule: 'max-length' });
  return error;
}
