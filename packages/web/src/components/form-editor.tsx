import { type FormEvent, useId, useState } from 'react';
import { api } from '../api/client.js';
import { fieldErrors } from '../api/problem.js';
import type { Form, Item } from '../api/types.js';
import { useUnsavedWarning } from '../hooks/use-unsaved-warning.js';
import { t } from '../i18n/index.js';
import { ChangeReasonAndError } from './change-reason.js';
import { TableScroll } from './table-scroll.js';
import { SelectField, TextField } from './text-field.js';

export interface ItemExtrasProps {
  item: Item;
}

interface Props {
  visitId: string;
  /** The saved form; undefined for a new form (the form code is then asked for). */
  form?: Form;
  readOnly: boolean;
  onSaved(): void;
  onReload(): void;
  /** Per item: history, queries and their buttons, rendered under the item's row. */
  renderExtras?(item: Item): React.ReactNode;
  /**
   * A new form of a defined study: the forms its definition collects at this visit (the server
   * refuses others), each with its items when the definition declares them. Absent: an ad-hoc study,
   * any form and item code.
   */
  formChoices?: readonly FormChoice[];
}

export interface FormChoice {
  code: string;
  title: string;
  /** The form's items; absent for a form whose items are free. */
  items?: readonly { code: string; label: string }[];
}

type Edit = { value: string; unit: string };

/**
 * Generic CRF entry: saved items are editable in place; one new item can be added per save.
 * Changing a saved value needs a reason, sent with the item's version so a stale edit is refused.
 */
export function FormEditor({ visitId, form, readOnly, onSaved, onReload, renderExtras, formChoices }: Props) {
  const [formCode, setFormCode] = useState(formChoices?.[0]?.code ?? '');
  const [edits, setEdits] = useState<Record<string, Edit>>({});
  const [newItem, setNewItem] = useState({ itemCode: '', value: '', unit: '' });
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const items = form?.items ?? [];
  // The inputs join the form by its id (the `form` attribute), so the item rows can hold their own
  // query and history forms without nesting one form in another.
  const formId = useId();

  const changed = items.filter((i) => {
    const e = edits[i.itemCode];
    return e && (e.value !== (i.value ?? '') || e.unit !== (i.unit ?? ''));
  });
  const needsReason = changed.some((i) => i.value !== null || i.unit !== null);
  const dirty = changed.length > 0 || newItem.itemCode !== '' || newItem.value !== '';
  useUnsavedWarning(dirty);

  const sent = [
    ...changed.map((i) => ({
      itemCode: i.itemCode,
      value: edits[i.itemCode]!.value === '' ? null : edits[i.itemCode]!.value,
      unit: edits[i.itemCode]!.unit || null,
      version: i.version,
    })),
    ...(newItem.itemCode
      ? [
          {
            itemCode: newItem.itemCode,
            value: newItem.value === '' ? null : newItem.value,
            unit: newItem.unit || null,
          },
        ]
      : []),
  ];

  // Map problem fields (`items.0.value`, or a store error naming the item code) to item codes.
  const errs = fieldErrors(error);
  const itemError = (code: string) => {
    const idx = sent.findIndex((s) => s.itemCode === code);
    const msgs = Object.entries(errs)
      .filter(([k]) => k === code || (idx >= 0 && k.startsWith(`items.${idx}.`)))
      .map(([, m]) => m);
    return msgs.length ? msgs.join('; ') : undefined;
  };

  const code = form?.formCode ?? formCode;
  // The item codes a form of the definition has (a saved form's too); absent: free item codes.
  const itemChoices = formChoices?.find((f) => f.code === code)?.items;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (sent.length === 0) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.put('/api/visits/:visitId/forms/:formCode', {
        params: { visitId, formCode: code },
        body: {
          items: sent,
          ...(needsReason && reason.trim() ? { reason } : {}),
        },
      });
      setEdits({});
      setNewItem({ itemCode: '', value: '', unit: '' });
      setReason('');
      setFormCode(formChoices?.[0]?.code ?? '');
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const edit = (i: Item, patch: Partial<Edit>) =>
    setEdits((all) => ({
      ...all,
      [i.itemCode]: { value: i.value ?? '', unit: i.unit ?? '', ...all[i.itemCode], ...patch },
    }));

  return (
    <fieldset
      className="crf"
      aria-label={form ? t('formEditor.values', { code: form.formCode }) : t('formEditor.newForm')}
    >
      <form id={formId} onSubmit={submit} noValidate />
      {!form && formChoices && (
        <SelectField
          label={t('formEditor.formCode')}
          value={formCode}
          onChange={(c) => {
            setFormCode(c);
            setNewItem({ itemCode: '', value: '', unit: '' });
          }}
          options={formChoices.map((f) => ({
            value: f.code,
            label: t('formEditor.choice', { title: f.title, code: f.code }),
          }))}
          required
          error={errs.formCode}
        />
      )}
      {!form && !formChoices && (
        <TextField
          form={formId}
          label={t('formEditor.formCode')}
          value={formCode}
          onChange={setFormCode}
          required
          error={errs.formCode}
        />
      )}
      <TableScroll label={t('formEditor.items')}>
        <table className="items">
          <thead>
            <tr>
              <th scope="col">{t('formEditor.item')}</th>
              <th scope="col">{t('formEditor.value')}</th>
              <th scope="col">{t('formEditor.unit')}</th>
              <th scope="col">{t('formEditor.version')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => {
              const e = edits[i.itemCode];
              const err = itemError(i.itemCode);
              return (
                <ItemRow key={i.id} item={i} error={err} extras={renderExtras?.(i)}>
                  <td>
                    <input
                      form={formId}
                      aria-label={t('formEditor.valueOf', { code: i.itemCode })}
                      value={e?.value ?? i.value ?? ''}
                      placeholder={
                        i.missingCode ? t('catalogForm.missingCode', { code: i.missingCode }) : undefined
                      }
                      disabled={readOnly}
                      aria-invalid={err ? true : undefined}
                      onChange={(ev) => edit(i, { value: ev.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      form={formId}
                      aria-label={t('formEditor.unitOf', { code: i.itemCode })}
                      value={e?.unit ?? i.unit ?? ''}
                      disabled={readOnly}
                      size={8}
                      onChange={(ev) => edit(i, { unit: ev.target.value })}
                    />
                  </td>
                </ItemRow>
              );
            })}
            {!readOnly && (
              <tr className="new-item">
                <td>
                  {itemChoices ? (
                    <select
                      form={formId}
                      aria-label={t('formEditor.newItemCode')}
                      value={newItem.itemCode}
                      onChange={(ev) => setNewItem({ ...newItem, itemCode: ev.target.value })}
                      aria-invalid={newItem.itemCode && itemError(newItem.itemCode) ? true : undefined}
                    >
                      <option value="">{t('formEditor.chooseItem')}</option>
                      {itemChoices.map((i) => (
                        <option key={i.code} value={i.code}>
                          {t('formEditor.choice', { title: i.label, code: i.code })}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      form={formId}
                      aria-label={t('formEditor.newItemCode')}
                      placeholder={t('formEditor.itemCodePlaceholder')}
                      value={newItem.itemCode}
                      onChange={(ev) => setNewItem({ ...newItem, itemCode: ev.target.value })}
                      aria-invalid={newItem.itemCode && itemError(newItem.itemCode) ? true : undefined}
                    />
                  )}
                  {newItem.itemCode && itemError(newItem.itemCode) && (
                    <span className="field-error">{itemError(newItem.itemCode)}</span>
                  )}
                </td>
                <td>
                  <input
                    form={formId}
                    aria-label={t('formEditor.newItemValue')}
                    placeholder={t('formEditor.valuePlaceholder')}
                    value={newItem.value}
                    onChange={(ev) => setNewItem({ ...newItem, value: ev.target.value })}
                  />
                </td>
                <td>
                  <input
                    form={formId}
                    aria-label={t('formEditor.newItemUnit')}
                    placeholder={t('formEditor.unitPlaceholder')}
                    size={8}
                    value={newItem.unit}
                    onChange={(ev) => setNewItem({ ...newItem, unit: ev.target.value })}
                  />
                </td>
                <td />
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>
      <ChangeReasonAndError
        formId={formId}
        show={needsReason}
        reason={reason}
        onReason={setReason}
        reasonError={errs.reason}
        error={error}
        onReload={onReload}
      />
      {!readOnly && (
        <button type="submit" form={formId} disabled={busy || sent.length === 0 || (!form && !formCode)}>
          {form ? t('formEditor.save', { code: form.formCode }) : t('formEditor.saveNew')}
        </button>
      )}
    </fieldset>
  );
}

function ItemRow({
  item,
  error,
  extras,
  children,
}: {
  item: Item;
  error?: string;
  extras?: React.ReactNode;
  children: React.ReactNode;
}) {
  return (
    <>
      <tr>
        <th scope="row">
          <code>{item.itemCode}</code>
          {error && (
            <span className="field-error" role="alert">
              {error}
            </span>
          )}
        </th>
        {children}
        <td>v{item.version}</td>
      </tr>
      {extras && (
        <tr className="extras">
          <td colSpan={4}>{extras}</td>
        </tr>
      )}
    </>
  );
}
