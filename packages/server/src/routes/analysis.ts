import { routes } from '@msct/contract';
// The analysis of a study over the API (issue 5: "the Analysis page of the web app"): the results
// as JSON and the report as HTML, from the current data: derived subject by subject and cached by
// data snapshot (clinical/derived-study.ts), so only subjects whose data changed are derived again.
// Access: the policy's 'analysis.read' (admin, investigator, monitor, statistician; not coordinators
// or safety reviewers).
// A user whose roles are site-scoped sees the analysis of their sites only; statisticians (and
// anyone without identifiers) see pseudonyms.
import type { FastifyRequest } from 'fastify';
import { isBlinded } from '../access/blinding.js';
import { enforce } from '../access/guard.js';
import { seesIdentifiers, sitesFor } from '../access/policy.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { deidentifyDates } from '../deid/date-shift.js';
import { schemaOf } from '../http/contract.js';
import type { App, RouteContext } from '../http/types.js';
import { renderReportHtml } from '../report/html.js';
import { softwareVersion, withSoftware } from '../report/software-version.js';

export function registerAnalysisRoutes(app: App, { db, derived }: RouteContext) {
  async function resultsFor(req: FastifyRequest, studyId: string) {
    const p = enforce(req, 'analysis.read', { studyId }, 'study');
    // Bounded by the sites where the user may read the analysis (site scoping of the one policy).
    const siteIds = sitesFor(p, 'analysis.read', studyId);
    const selection = await derived.select(studyId, {
      pseudonymise: !seesIdentifiers(p, studyId),
      siteIds: siteIds ?? undefined,
    });
    const results = selection.analysis();
    // A blinded role sees the pooled analysis only: the results by arm would reveal the arms (issue 24).
    if (results.byArm) {
      const { definition } = await studyDefinition(db, studyId);
      if (isBlinded(p, studyId, definition)) {
        const { byArm: _hidden, ...pooled } = results;
        return withSoftware(pooled);
      }
    }
    return withSoftware(results);
  }

  app.get(
    '/api/studies/:studyId/analysis',
    {
      schema: schemaOf(routes.analysis),
    },
    async (req) => resultsFor(req, req.params.studyId),
  );

  app.get(
    '/api/studies/:studyId/analysis/report.html',
    {
      schema: schemaOf(routes.analysisReport),
    },
    async (req, reply) => {
      const computed = await resultsFor(req, req.params.studyId);
      // A string answer skips the app's date shifting (JSON only): shift before rendering.
      const results = req.deid
        ? ((await deidentifyDates(db, computed, req.deid)) as typeof computed)
        : computed;
      const html = await renderReportHtml(results, {
        softwareVersion: softwareVersion(),
        generatedAt: new Date().toISOString(),
      });
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
        .send(html);
    },
  );
}
