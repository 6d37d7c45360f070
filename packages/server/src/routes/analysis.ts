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
import { computingAnswer } from '../clinical/computing.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { deidentifyDates } from '../deid/date-shift.js';
import { schemaOf } from '../http/contract.js';
import type { App, RouteContext } from '../http/types.js';
import { renderReportHtml } from '../report/html.js';
import { softwareVersion, withSoftware } from '../report/software-version.js';

export function registerAnalysisRoutes(app: App, { db, derived, config }: RouteContext) {
  /**
   * The results, or "computing" when the derivation has not finished within `waitMs` (issue 16: it
   * runs in the background, one per study and selection; clinical/derived-study.ts).
   */
  async function resultsFor(req: FastifyRequest, studyId: string, waitMs: number) {
    const p = enforce(req, 'analysis.read', { studyId }, 'study');
    // Bounded by the sites where the user may read the analysis (site scoping of the one policy).
    const siteIds = sitesFor(p, 'analysis.read', studyId);
    const answer = await derived.analysisOrComputing(
      studyId,
      { pseudonymise: !seesIdentifiers(p, studyId), siteIds: siteIds ?? undefined },
      waitMs,
    );
    if ('computing' in answer) return answer;
    const results = answer.ready;
    // A blinded role sees the pooled analysis only: the results by arm would reveal the arms (issue 24).
    if (results.byArm) {
      const { definition } = await studyDefinition(db, studyId);
      if (isBlinded(p, studyId, definition)) {
        const { byArm: _hidden, ...pooled } = results;
        return { ready: withSoftware(pooled) };
      }
    }
    return { ready: withSoftware(results) };
  }

  app.get(
    '/api/studies/:studyId/analysis',
    {
      schema: schemaOf(routes.analysis),
    },
    async (req, reply) => {
      const answer = await resultsFor(req, req.params.studyId, config.derivationWaitMs);
      if ('computing' in answer) return computingAnswer(reply, answer.computing.startedAt);
      return answer.ready;
    },
  );

  app.get(
    '/api/studies/:studyId/analysis/report.html',
    {
      schema: schemaOf(routes.analysisReport),
    },
    async (req, reply) => {
      // The report is a document a browser opens: it waits for the derivation (joining the one running).
      const answer = await resultsFor(req, req.params.studyId, Number.POSITIVE_INFINITY);
      if ('computing' in answer) throw new Error('the analysis was not derived');
      const computed = answer.ready;
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
