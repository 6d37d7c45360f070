import { api } from '../api/client.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { formStatusText } from '../i18n/statuses.js';
import { dateTimeText } from '../lib/dates.js';
import { Link } from '../router.js';
import { LoadError } from './error-box.js';
import { SignCeremony } from './sign-ceremony.js';
import { TableScroll } from './table-scroll.js';

/**
 * A casebook's signatures: every form with who signed it, when and with which meaning (21 CFR
 * 11.50); the investigator signs the whole casebook in one ceremony once every unsigned form is complete.
 */
export function CasebookSignatures({
  subjectId,
  subjectCode,
  canSign,
}: {
  subjectId: string;
  subjectCode: string;
  canSign: boolean;
}) {
  const data = useLoad(
    () => api.get('/api/subjects/:subjectId/signatures', { params: { subjectId } }),
    [subjectId],
  );
  if (data.error) return <LoadError error={data.error} what={t('casebookSignatures.loadWhat')} />;
  if (!data.data) return null;
  const { forms, meaning } = data.data;
  const label = (f: (typeof forms)[number]) =>
    t('visitPage.label', { code: f.visitCode, cycle: String(f.cycle) });
  const unsigned = forms.filter((f) => f.status !== 'signed' && f.status !== 'locked');
  const notComplete = unsigned.filter((f) => f.status !== 'complete');
  return (
    <section aria-labelledby="casebook-h">
      <h2 id="casebook-h">{t('casebookSignatures.title')}</h2>
      {forms.length === 0 ? (
        <p>{t('casebookSignatures.noForms')}</p>
      ) : (
        <TableScroll label={t('casebookSignatures.title')}>
          <table aria-label={t('casebookSignatures.title')}>
            <thead>
              <tr>
                <th scope="col">{t('casebookSignatures.visit')}</th>
                <th scope="col">{t('casebookSignatures.form')}</th>
                <th scope="col">{t('casebookSignatures.status')}</th>
                <th scope="col">{t('casebookSignatures.signature')}</th>
              </tr>
            </thead>
            <tbody>
              {forms.map((f) => (
                <tr key={f.formId}>
                  <td>
                    <Link href={`/visits/${f.visitId}`}>{label(f)}</Link>
                  </td>
                  <td>{f.formCode}</td>
                  <td>{formStatusText(f.status)}</td>
                  <td>
                    {f.signature ? (
                      <>
                        {f.signature.signerName},{' '}
                        <time dateTime={f.signature.signedAt}>{dateTimeText(f.signature.signedAt)}</time>:{' '}
                        <q>{f.signature.meaning}</q>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {canSign &&
        unsigned.length > 0 &&
        (notComplete.length > 0 ? (
          <p className="hint">{t('casebookSignatures.notComplete', { count: notComplete.length })}</p>
        ) : (
          <SignCeremony
            subjectId={subjectId}
            label={t('casebookSignatures.sign', { code: subjectCode })}
            meaning={meaning}
            forms={unsigned.map((f) => ({
              formId: f.formId,
              formCode: f.formCode,
              version: f.version,
              visitLabel: label(f),
            }))}
            onDone={data.reload}
          />
        ))}
    </section>
  );
}
