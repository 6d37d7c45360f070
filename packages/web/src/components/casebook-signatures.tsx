import { api } from '../api/client.js';
import { useLoad } from '../hooks/use-load.js';
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
  if (data.error) return <LoadError error={data.error} what="signatures" />;
  if (!data.data) return null;
  const { forms, meaning } = data.data;
  const label = (f: (typeof forms)[number]) => `${f.visitCode}${f.cycle > 1 ? ` (cycle ${f.cycle})` : ''}`;
  const unsigned = forms.filter((f) => f.status !== 'signed' && f.status !== 'locked');
  const notComplete = unsigned.filter((f) => f.status !== 'complete');
  return (
    <section aria-labelledby="casebook-h">
      <h2 id="casebook-h">Casebook signatures</h2>
      {forms.length === 0 ? (
        <p>No forms yet.</p>
      ) : (
        <TableScroll label="Casebook signatures">
          <table aria-label="Casebook signatures">
            <thead>
              <tr>
                <th scope="col">Visit</th>
                <th scope="col">Form</th>
                <th scope="col">Status</th>
                <th scope="col">Signature</th>
              </tr>
            </thead>
            <tbody>
              {forms.map((f) => (
                <tr key={f.formId}>
                  <td>
                    <Link href={`/visits/${f.visitId}`}>{label(f)}</Link>
                  </td>
                  <td>{f.formCode}</td>
                  <td>{f.status}</td>
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
          <p className="hint">
            The casebook can be signed once every form is complete ({notComplete.length} not yet).
          </p>
        ) : (
          <SignCeremony
            subjectId={subjectId}
            label={`Sign casebook ${subjectCode}`}
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
