import { useEffect, useState } from 'react';
import { chooseLanguage, LOCALES, locale, t } from '../i18n/index.js';
import { Link, match, navigate, usePath } from '../router.js';
import { isAdmin, useMe, useSession } from '../session.js';
import { QuickFind } from './quick-find.js';

/**
 * The user's language (issue 22): a choice of the locales that have a catalogue (i18n/locales/*.json),
 * shown when there is more than one. Choosing saves the setting and reloads the app in that language.
 * Each language is named in itself (`header.languageName`), so a user finds their own.
 */
export function LanguageChoice() {
  if (LOCALES.length < 2) return null;
  return (
    <span className="language-choice">
      <label htmlFor="language-choice">{t('header.language')}</label>{' '}
      <select
        id="language-choice"
        value={LOCALES.includes(locale) ? locale : 'en'}
        onChange={(e) => chooseLanguage(e.target.value)}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {t('header.languageName', { locale: l })}
          </option>
        ))}
      </select>
    </span>
  );
}

export function Header() {
  const me = useMe();
  const { logout } = useSession();
  const roles = [...new Set(me.roles.map((r) => r.role))].join(', ') || t('header.noRole');
  // Inside a study (its home and its pages), a quick search for a subject.
  const path = usePath();
  const inStudy = (match('/studies/:studyId', path) ?? match('/studies/:studyId/:page', path))?.studyId;
  // On a subject's or a visit's page the search stays in the study last opened; the studies list ends it.
  const [studyId, setStudyId] = useState<string | undefined>(inStudy);
  useEffect(() => {
    if (inStudy) setStudyId(inStudy);
    else if (path === '/' || path === '/admin') setStudyId(undefined);
  }, [inStudy, path]);
  return (
    <header className="app-header">
      <nav aria-label={t('header.mainNav')}>
        <Link href="/" className="brand">
          {t('header.brand')}
        </Link>
        <Link href="/">{t('header.studies')}</Link>
        {isAdmin(me) && <Link href="/admin">{t('header.admin')}</Link>}
      </nav>
      {studyId && <QuickFind studyId={studyId} />}
      <div className="who">
        <span data-testid="current-user">
          {t('header.user', { displayName: me.user.displayName, username: me.user.username })}
        </span>{' '}
        <span className="roles" data-testid="current-roles">
          {roles}
        </span>{' '}
        <LanguageChoice />
        <button
          type="button"
          onClick={async () => {
            await logout();
            navigate('/');
          }}
        >
          {t('header.logOut')}
        </button>
      </div>
    </header>
  );
}
