import { api } from '../api/client.js';
import { LoadError } from '../components/error-box.js';
import { useLoad } from '../hooks/use-load.js';
import { Link } from '../router.js';

/** The study picker: the studies the user has a role in. */
export function StudiesPage() {
  const studies = useLoad(() => api.get('/api/studies'), []);
  return (
    <section>
      <h1>Studies</h1>
      {studies.error ? <LoadError error={studies.error} what="list" /> : null}
      {studies.data?.length === 0 && <p>You have no role in any study yet.</p>}
      <ul className="cards">
        {studies.data?.map((s) => (
          <li key={s.id}>
            <Link href={`/studies/${s.id}`}>
              <strong>{s.code}</strong> — {s.title}
            </Link>{' '}
            <span className="badge">{s.status}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
