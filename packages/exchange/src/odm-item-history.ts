// A stored value's history as the ODM export writes it (odm-export.ts): its versions, oldest first,
// rebuilt from the audit trail, each with who, when and why — the ItemData and AuditRecords of a
// Transactional file.
import type { ItemDefinition } from '@msct/core/crf';

/** An item value row as the export reads it. */
export interface ItemRow {
  id: string;
  visit_id: string;
  form_code: string;
  item_code: string;
  value: string | null;
  unit: string | null;
  updated_at: string;
  updated_by_name: string | null;
}

export interface AuditRow {
  entity_id: string;
  at: string;
  actor_name: string;
  action: string;
  new_value: string | null;
  reason: string | null;
}

export interface HistoryEntry {
  value: string | null;
  unit: string | null;
  at: string;
  user: string;
  reason: string | null;
  insert: boolean;
}

/**
 * The versions of one value, oldest first. The audit trail stores "value unit" text; the last
 * version is always the stored row itself, so the file's final value is exactly what msct holds.
 */
export function itemHistory(
  row: ItemRow,
  def: ItemDefinition,
  audit: AuditRow[],
  withAudit: boolean,
): HistoryEntry[] {
  const current: HistoryEntry = {
    value: row.value,
    unit: row.unit,
    at: row.updated_at,
    user: row.updated_by_name ?? 'unknown',
    reason: null,
    insert: true,
  };
  if (!withAudit || audit.length === 0) return [current];
  const out = audit.map((a, i) => ({
    ...splitValueText(a.new_value, def),
    at: a.at,
    user: a.actor_name,
    reason: a.reason,
    insert: i === 0,
  }));
  const last = out[out.length - 1]!;
  out[out.length - 1] = { ...last, value: row.value, unit: row.unit };
  return out;
}

/** Splits the audit trail's "value unit" text using the item's known units. */
export function splitValueText(
  text: string | null,
  def: ItemDefinition,
): { value: string | null; unit: string | null } {
  if (text === null) return { value: null, unit: null };
  for (const u of def.units ?? [])
    if (text.endsWith(` ${u}`)) return { value: text.slice(0, -u.length - 1), unit: u };
  return { value: text, unit: null };
}
