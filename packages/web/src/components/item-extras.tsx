import { type FormDefinitionItems, itemValueLabel } from '@msct/core/crf';
import { useState } from 'react';
import type { Item, Query } from '../api/types.js';
import { t } from '../i18n/index.js';
import { AuditHistory } from './audit-history.js';
import { RecordQueries } from './record-queries.js';

/** Under an item: its queries with their threads, and buttons to show its history or raise a query. */
export function ItemExtras({
  item,
  formCode,
  subjectId,
  studyId,
  queries,
  canRaise,
  onQueriesChanged,
  showQueries = true,
  itemDefinition,
}: {
  /** The item's definition (label, code list): its history reads with labels, not codes. */
  itemDefinition?: FormDefinitionItems['items'][number] | undefined;
  item: Item;
  formCode: string;
  subjectId: string;
  studyId: string;
  queries: Query[];
  canRaise: boolean;
  onQueriesChanged(): void;
  /** False where the form shows the item's queries beside its field already (catalog forms). */
  showQueries?: boolean;
}) {
  const [showHistory, setShowHistory] = useState(false);
  const field = `${formCode}.${item.itemCode}`;
  // The item by its label (issue 22: labels, not codes); its code where no definition names it.
  const label = itemDefinition?.label ?? item.itemCode;
  return (
    <div className="item-extras">
      <div className="actions">
        <button type="button" aria-expanded={showHistory} onClick={() => setShowHistory(!showHistory)}>
          {t('itemExtras.history', { label })}
        </button>
      </div>
      {showQueries && (
        <RecordQueries
          subjectId={subjectId}
          studyId={studyId}
          entityType="item"
          entityId={item.id}
          field={field}
          label={label}
          queries={queries}
          canRaise={canRaise}
          onChanged={onQueriesChanged}
        />
      )}
      {showHistory && (
        <AuditHistory
          subjectId={subjectId}
          entityType="item"
          entityId={item.id}
          title={label}
          {...(itemDefinition ? { valueLabel: (v: string) => itemValueLabel(itemDefinition, v) } : {})}
        />
      )}
    </div>
  );
}
