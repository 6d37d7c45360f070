import { visitChoices } from '@msct/core/protocol';
import { useState } from 'react';
import { api } from '../api/client.js';
import type { Visit } from '../api/types.js';
import { useSubmit } from '../hooks/use-submit.js';
import { t } from '../i18n/index.js';
import type { Definition } from '../lib/definition.js';
import { ErrorBox } from './error-box.js';
import { SelectField, TextField } from './text-field.js';

const UNSCHEDULED = 'UNSCHEDULED';

/**
 * Open a visit for a subject. A defined study offers exactly its schedule's visits and an
 * unscheduled visit (which asks for a reason), the server's rule (core protocol/entry-rules.ts); an
 * ad-hoc study (no definition) takes any visit code.
 */
export function OpenVisitForm({
  subjectId,
  definition,
  opened,
  onOpened,
}: {
  subjectId: string;
  definition: Definition;
  /** Visit codes the subject already has (first cycle): the first visit not yet opened is proposed. */
  opened: readonly string[];
  onOpened(v: Visit): void;
}) {
  const choices = visitChoices(definition);
  const [visitCode, setVisitCode] = useState(
    choices.length
      ? (choices.find((c) => c !== UNSCHEDULED && !opened.includes(c)) ?? UNSCHEDULED)
      : 'BASELINE',
  );
  const [visitDate, setVisitDate] = useState(new Date().toISOString().slice(0, 10));
  const [reason, setReason] = useState('');
  const unscheduled = choices.length > 0 && visitCode === UNSCHEDULED;
  const { error, errs, submit } = useSubmit(async () => {
    onOpened(
      await api.post('/api/subjects/:subjectId/visits', {
        params: { subjectId },
        body: {
          visitCode,
          visitDate: visitDate || null,
          ...(unscheduled ? { reason } : {}),
        },
      }),
    );
  });
  const label = (code: string) =>
    code === UNSCHEDULED
      ? t('openVisitForm.unscheduled')
      : t('openVisitForm.choice', {
          code,
          label: definition.visits?.find((v) => v.code === code)?.label ?? code,
        });
  return (
    <form onSubmit={submit} aria-label={t('openVisitForm.name')} className="inline-form">
      {choices.length > 0 ? (
        <SelectField
          label={t('openVisitForm.code')}
          value={visitCode}
          onChange={setVisitCode}
          options={choices.map((c) => ({ value: c, label: label(c) }))}
          required
          error={errs.visitCode}
        />
      ) : (
        <TextField
          label={t('openVisitForm.code')}
          value={visitCode}
          onChange={setVisitCode}
          required
          error={errs.visitCode}
        />
      )}
      {unscheduled && (
        <TextField
          label={t('openVisitForm.reason')}
          value={reason}
          onChange={setReason}
          required
          error={errs.reason}
        />
      )}
      <TextField
        label={t('openVisitForm.date')}
        type="date"
        value={visitDate}
        onChange={setVisitDate}
        error={errs.visitDate}
      />
      <button type="submit">{t('openVisitForm.submit')}</button>
      <ErrorBox error={error} />
    </form>
  );
}
