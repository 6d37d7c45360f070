// Edit checks of the study definition (core protocol/edit-checks.ts) run at the commit of every write
// of item values (issues #20/#21): the item writer (item-writer.ts) calls runEditChecks with the items
// it entered or changed, inside its transaction, for a form save, a CSV or ODM import and the demo
// loader alike. For each check of severity 'query' that reads a changed item, on every form of the
// subject that the check reads:
// - broken, and no query of this check is open (open or answered) on that form: ONE system query is
//   raised on the item (on the form, field = the item, when the item has no value), authored by the
//   system account ("msct automatic check"), its text the check's message and the values read;
// - passing (or no longer decidable, e.g. the value was removed): its open query is closed
//   automatically with a system message.
// Every raise and close is audited in the write's own transaction, in the name of the system account
// (the query's author); the save that triggered it is audited in the same transaction by who saved.

import { itemFormsFor } from '@msct/core/crf';
import {
  type EditCheck,
  editCheckItems,
  editCheckQueryText,
  evaluateEditCheck,
  type StoredDefinition,
  type StoredFormValues,
} from '@msct/core/protocol';
import type { AuditWriter, Tx } from '../audit/writer.js';
import { newId } from '../ids.js';
import { systemUserIn } from './users.js';

/** What one write changed for one subject: item codes by form code. */
export interface EditCheckTouch {
  subjectId: string;
  studyId: string;
  siteId: string;
  changed: Map<string, Set<string>>;
}

export interface EditCheckRun {
  raised: number;
  closed: number;
}

interface FormRecord {
  formId: string;
  formCode: string;
  visitCode: string;
  cycle: number;
  values: Record<string, { value: string | null; unit: string | null }>;
  itemIds: Map<string, string>;
}

/** The checks of severity 'query' that read an item this write changed. */
function checksFor(definition: StoredDefinition, touch: EditCheckTouch): EditCheck[] {
  return (definition.editChecks ?? []).filter((c) => {
    if (c.severity !== 'query') return false;
    const changed = touch.changed.get(c.form);
    return !!changed && editCheckItems(c).some((i) => changed.has(i));
  });
}

export async function runEditChecks(
  tx: Tx,
  audit: AuditWriter,
  definition: StoredDefinition,
  touches: Iterable<EditCheckTouch>,
): Promise<EditCheckRun> {
  const run: EditCheckRun = { raised: 0, closed: 0 };
  let system: { id: string; name: string } | undefined;
  // The query's words name items by their labels in the definition (issue 22: labels, not codes).
  let itemForms: ReturnType<typeof itemFormsFor> | undefined;
  const labelIn = (formCode: string) => (itemCode: string) => {
    itemForms ??= itemFormsFor(definition);
    return itemForms.get(formCode)?.items.find((i) => i.code === itemCode)?.label ?? itemCode;
  };
  for (const touch of touches) {
    const checks = checksFor(definition, touch);
    if (checks.length === 0) continue;
    const formCodes = [...new Set(checks.map((c) => c.form))];
    const rows = await tx
      .selectFrom('item_values')
      .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
      .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
      .select([
        'item_values.id',
        'item_values.item_code',
        'item_values.value',
        'item_values.unit',
        'form_instances.id as form_id',
        'form_instances.form_code',
        'visits.visit_code',
        'visits.cycle',
      ])
      .where('form_instances.subject_id', '=', touch.subjectId)
      .where('form_instances.form_code', 'in', formCodes)
      .execute();
    const forms = new Map<string, FormRecord>();
    for (const r of rows) {
      let f = forms.get(r.form_id);
      if (!f) {
        f = {
          formId: r.form_id,
          formCode: r.form_code,
          visitCode: r.visit_code,
          cycle: Number(r.cycle),
          values: {},
          itemIds: new Map(),
        };
        forms.set(r.form_id, f);
      }
      f.values[r.item_code] = { value: r.value, unit: r.unit };
      f.itemIds.set(r.item_code, r.id);
    }
    const open = await tx
      .selectFrom('queries')
      .selectAll()
      .where('subject_id', '=', touch.subjectId)
      .where('edit_check', 'is not', null)
      .where('status', '!=', 'closed')
      .execute();
    const scope = { studyId: touch.studyId, siteId: touch.siteId, subjectId: touch.subjectId };
    for (const check of checks) {
      for (const f of forms.values()) {
        if (f.formCode !== check.form) continue;
        const rule = check.rule;
        let reference: StoredFormValues | undefined;
        if (rule.kind === 'cross-visit')
          reference = [...forms.values()].find(
            (g) => g.formCode === f.formCode && g.visitCode === rule.referenceVisit && g.cycle === f.cycle,
          )?.values;
        const outcome = evaluateEditCheck(check, f.values, reference, labelIn(check.form));
        const entities = new Set([f.formId, ...f.itemIds.values()]);
        const raisedHere = open.filter((q) => q.edit_check === check.id && entities.has(q.entity_id));
        if (outcome.status === 'fail') {
          if (raisedHere.length > 0) continue;
          const itemId = outcome.missing ? undefined : f.itemIds.get(outcome.item);
          system ??= await systemUserIn(tx, audit);
          const text = editCheckQueryText(check, outcome);
          const id = newId();
          await tx
            .insertInto('queries')
            .values({
              id,
              subject_id: touch.subjectId,
              entity_type: itemId ? 'item' : 'form',
              entity_id: itemId ?? f.formId,
              field: `${f.formCode}.${outcome.item}`,
              status: 'open',
              text,
              raised_by: system.id,
              raised_at: audit.now,
              closed_by: null,
              closed_at: null,
              version: 1,
              edit_check: check.id,
            })
            .execute();
          await tx
            .insertInto('query_messages')
            .values({
              id: newId(),
              query_id: id,
              author_id: system.id,
              kind: 'raise',
              text,
              created_at: audit.now,
            })
            .execute();
          await audit.record({
            action: 'query.raise',
            entityType: 'query',
            entityId: id,
            actor: system,
            ...scope,
            field: `${f.formCode}.${outcome.item}`,
            newValue: text,
            reason: `edit check ${check.id} of the study definition (${f.visitCode}, cycle ${f.cycle})`,
          });
          run.raised++;
          continue;
        }
        for (const q of raisedHere) {
          system ??= await systemUserIn(tx, audit);
          const text =
            outcome.status === 'pass'
              ? `Closed automatically: the data now pass the check "${check.message}".`
              : `Closed automatically: the check "${check.message}" no longer applies (${outcome.reason}).`;
          const res = await tx
            .updateTable('queries')
            .set({
              status: 'closed',
              closed_by: system.id,
              closed_at: audit.now,
              version: Number(q.version) + 1,
            })
            .where('id', '=', q.id)
            .where('version', '=', q.version)
            .executeTakeFirst();
          // Changed meanwhile (answered or closed by a person in another transaction): left to them.
          if (Number(res.numUpdatedRows) !== 1) continue;
          await tx
            .insertInto('query_messages')
            .values({
              id: newId(),
              query_id: q.id,
              author_id: system.id,
              kind: 'close',
              text,
              created_at: audit.now,
            })
            .execute();
          await audit.record({
            action: 'query.close',
            entityType: 'query',
            entityId: q.id,
            actor: system,
            ...scope,
            field: 'status',
            oldValue: q.status,
            newValue: 'closed',
            reason: text,
          });
          run.closed++;
        }
      }
    }
  }
  return run;
}
