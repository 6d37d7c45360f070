import type { ReactNode } from 'react';
import { Header } from './components/header.js';
import { t } from './i18n/index.js';
import { AdminPage } from './pages/admin-page.js';
import { AdverseEventPage } from './pages/adverse-event-page.js';
import { AdverseEventsPage } from './pages/adverse-events-page.js';
import { AnalysisPage } from './pages/analysis-page.js';
import { BuilderPage } from './pages/builder-page.js';
import { EntryWorklistPage } from './pages/entry-worklist-page.js';
import { ExportsPage } from './pages/exports-page.js';
import { LabRangesPage } from './pages/lab-ranges-page.js';
import { LoginPage } from './pages/login-page.js';
import { OutOfRangeLabsPage } from './pages/out-of-range-labs-page.js';
import { QueriesPage } from './pages/queries-page.js';
import { ScreeningPage } from './pages/screening-page.js';
import { SignaturesPage } from './pages/signatures-page.js';
import { StudiesPage } from './pages/studies-page.js';
import { StudyHome } from './pages/study-home.js';
import { SubjectPage } from './pages/subject-page.js';
import { VisitPage } from './pages/visit-page.js';
import { WorklistPage } from './pages/worklist-page.js';
import { match, usePath } from './router.js';
import { SessionProvider, useSession } from './session.js';

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const { me } = useSession();
  const path = usePath();
  // A password set by someone else is changed before anything else (the server allows nothing else).
  if (!me || me.mustChangePassword) return <LoginPage />;
  return (
    <>
      <Header />
      <main>
        <Page path={path} />
      </main>
    </>
  );
}

type Route = [pattern: string, render: (p: Record<string, string>) => ReactNode];
const ROUTES: Route[] = [
  ['/', () => <StudiesPage />],
  ['/studies/:studyId', (p) => <StudyHome key={p.studyId} studyId={p.studyId!} />],
  ['/studies/:studyId/builder', (p) => <BuilderPage key={p.studyId} studyId={p.studyId!} />],
  ['/studies/:studyId/analysis', (p) => <AnalysisPage key={p.studyId} studyId={p.studyId!} />],
  ['/studies/:studyId/exports', (p) => <ExportsPage key={p.studyId} studyId={p.studyId!} />],
  ['/studies/:studyId/signatures', (p) => <SignaturesPage key={p.studyId} studyId={p.studyId!} />],
  ['/studies/:studyId/queries', (p) => <QueriesPage key={p.studyId} studyId={p.studyId!} />],
  ['/studies/:studyId/worklist', (p) => <WorklistPage key={p.studyId} studyId={p.studyId!} />],
  ['/studies/:studyId/entry-worklist', (p) => <EntryWorklistPage key={p.studyId} studyId={p.studyId!} />],
  ['/studies/:studyId/adverse-events', (p) => <AdverseEventsPage key={p.studyId} studyId={p.studyId!} />],
  ['/studies/:studyId/out-of-range-labs', (p) => <OutOfRangeLabsPage key={p.studyId} studyId={p.studyId!} />],
  ['/studies/:studyId/lab-ranges', (p) => <LabRangesPage key={p.studyId} studyId={p.studyId!} />],
  ['/adverse-events/:aeId', (p) => <AdverseEventPage key={p.aeId} aeId={p.aeId!} />],
  ['/subjects/:subjectId', (p) => <SubjectPage key={p.subjectId} subjectId={p.subjectId!} />],
  ['/subjects/:subjectId/screening', (p) => <ScreeningPage key={p.subjectId} subjectId={p.subjectId!} />],
  ['/visits/:visitId', (p) => <VisitPage key={p.visitId} visitId={p.visitId!} />],
  ['/admin', () => <AdminPage />],
];

function Page({ path }: { path: string }) {
  for (const [pattern, render] of ROUTES) {
    const params = match(pattern, path);
    if (params) return render(params);
  }
  return (
    <section>
      <h1>{t('app.notFound.title')}</h1>
      <p role="alert">{t('app.notFound.text', { path })}</p>
    </section>
  );
}
