import { api } from '../api/client.js';
import { LoadError } from '../components/error-box.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { studyStatusText } from '../i18n/statuses.js';
import { Link } from '../router.js';

/** The study picker: the studies the user has a role in. */
export function StudiesPage() {
  const studies = useLoad(() => api.get('/api/studies'), []);
  return (
    <section>
      <h1>{t('studies.title')}</h1>
      {studies.error ? <LoadError error={studies.error} what="list" /> : null}
      {studies.data?.length === 0 && <p>{t('studies.none')}</p>}
      <ul className="cards">
        {studies.data?.map((s) => (
          <li key={s.id}>
            <Link href={`/studies/${s.id}`}>
              <strong>{s.code}</strong> {t('studies.separator')} {s.title}
            </Link>{' '}
            <span className="badge">{studyStatusText(s.status)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
