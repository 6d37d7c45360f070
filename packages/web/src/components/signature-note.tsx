import { t } from '../i18n/index.js';
import { dateTimeText } from '../lib/dates.js';
/** A signed record's manifestation (21 CFR 11.50): the signer's printed name, date and time (ISO 8601 with its zone), and the meaning. */
export function SignatureNote({
  signature,
}: {
  signature: { signerName: string; signedAt: string; meaning: string };
}) {
  return (
    <p className="signed-note" data-testid="signature">
      {t('signatureNote.signedBy')} <strong data-testid="signer-name">{signature.signerName}</strong>{' '}
      {t('signatureNote.at')} <time dateTime={signature.signedAt}>{dateTimeText(signature.signedAt)}</time>{' '}
      {t('signatureNote.meaning')} <q data-testid="signed-meaning">{signature.meaning}</q>
      {t('signatureNote.locked')}
    </p>
  );
}
