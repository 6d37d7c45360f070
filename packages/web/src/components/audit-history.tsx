import { useState } from 'react';
import { api } from '../api/client.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { actionText } from '../lib/audit-actions.js';
import { dateTimeText } from '../lib/dates.js';
import { LoadError } from './error-box.js';
import { TableScroll } from './table-scroll.js';

/** The history of one record or field: who, when, old → new, why. */
export function AuditHistory({
  subjectId,
  entityType,
  entityId,
  title,
  caption = title,
  valueLabel,
}: {
  subjectId: string;
  entityType: string;
  entityId: string;
  title: string;
  /** The words above the table (the item's label); `title` names the table. */
  caption?: string;
  /** How a stored value reads (an item's code-list labels, Yes/No): issue 22, labels not codes. */
  valueLabel?: (value: string) => string;
}) {
  const [showCodes, setShowCodes] = useState(false);
  const events = useLoad(
    () =>
      api.get('/api/subjects/:subjectId/audit', { params: { subjectId }, query: { entityType, entityId } }),
    [subjectId, entityType, entityId],
  );
  if (events.error) return <LoadError error={events.error} what={t('audit.loadWhat')} />;
  if (!events.data) return <p className="loading">{t('audit.loading')}</p>;
  const coded = valueLabel
    ? events.data.some((e) =>
        [e.oldValue, e.newValue].some((v) => v !== null && v !== undefined && valueLabel(v) !== v),
      )
    : false;
  // A value by its label; the stored code beside it only when the user asks for it.
  const shown = (v: string | null | undefined) => {
    if (v === null || v === undefined) return t('audit.noValue');
    const label = valueLabel ? valueLabel(v) : v;
    return label !== v && showCodes ? t('audit.valueWithCode', { label, code: v }) : label;
  };
  return (
    <TableScroll label={t('audit.tableName', { name: title })}>
      {coded && (
        <label className="inline-check">
          <input type="checkbox" checked={showCodes} onChange={(e) => setShowCodes(e.target.checked)} />{' '}
          {t('audit.showCodes')}
        </label>
      )}
      <table className="audit" aria-label={t('audit.tableName', { name: title })}>
        <caption>{t('audit.tableName', { name: caption })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('audit.col.when')}</th>
            <th scope="col">{t('audit.col.who')}</th>
            <th scope="col">{t('audit.col.what')}</th>
            <th scope="col">{t('audit.col.change')}</th>
            <th scope="col">{t('audit.col.why')}</th>
          </tr>
        </thead>
        <tbody>
          {events.data.map((e) => (
            <tr key={e.seq}>
              <td>{dateTimeText(e.at)}</td>
              <td>{e.actor}</td>
              <td>{actionText(e.action)}</td>
              <td>
                <span className="old">{shown(e.oldValue)}</span> →{' '}
                <span className="new">{shown(e.newValue)}</span>
              </td>
              <td>{e.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
