import { useState } from 'react';
import { api } from '../api/client.js';
import { t } from '../i18n/index.js';
import { navigate } from '../router.js';

/** The study home's grid listens for this to show a search typed in the header. */
export const FIND_SUBJECT_EVENT = 'msct:find-subject';

/**
 * The header's quick search inside a study (issue 22): a subject code (a pseudonym for pseudonymised
 * roles) searched by the server at the user's sites. One match opens the subject; otherwise the study
 * home's grid shows what matched.
 */
export function QuickFind({ studyId }: { studyId: string }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="quick-find"
      aria-label={t('quickFind.form')}
      onSubmit={async (e) => {
        e.preventDefault();
        const search = text.trim();
        if (!search) return;
        setBusy(true);
        try {
          const page = await api.get('/api/studies/:studyId/record-status', {
            params: { studyId },
            query: { search, limit: 2 },
          });
          if (page.total === 1 && page.subjects[0]) {
            navigate(`/subjects/${page.subjects[0].id}`);
            return;
          }
        } catch {
          // The grid below says what went wrong, at the place the search is shown.
        } finally {
          setBusy(false);
        }
        navigate(`/studies/${studyId}?q=${encodeURIComponent(search)}`);
        window.dispatchEvent(new CustomEvent(FIND_SUBJECT_EVENT, { detail: search }));
      }}
    >
      <label htmlFor="quick-find">{t('quickFind.label')}</label>
      <input
        id="quick-find"
        type="search"
        maxLength={40}
        size={10}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" disabled={busy}>
        {t('quickFind.submit')}
      </button>
    </form>
  );
}
