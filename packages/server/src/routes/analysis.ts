// The analysis of a study over the API (issue 5: "the Analysis page of the web app"): the results
// as JSON and the report as HTML, computed from the current data on each request.
// Access: roles admin, investigator, monitor and statistician of the study (not coordinators or
// safety reviewers). Until the policy has an 'analysis.read' action, the route enforces
// 'study.read' through the one policy function and then checks the role here.
// A user whose roles are site-scoped sees the analysis of their sites only; statisticians (and
// anyone without identifiers) see pseudonyms.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { enforce } from '../access/guard.js';
import { type Principal, seesIdentifiers, sitesFor } from '../access/policy.js';
import { HttpProblem } from '../http/problem.js';
import { id } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';
import { analyzeStudy } from '../report/analyze-study.js';
import { renderReportHtml } from '../report/html.js';
import { softwareVersion } from '../report/software-version.js';

/** Roles that may read the analysis (issue 5 brief). */
export const ANALYSIS_ROLES: ReadonlySet<string> = new Set([
  'admin',
  'investigator',
  'monitor',
  'statistician',
]);

/** The sites whose data the analysis may use: undefined = all; [] = none (role not allowed). */
export function analysisSites(p: Principal, studyId: string): string[] | undefined {
  const sites = new Set<string>();
  for (const a of p.assignments) {
    if (!ANALYSIS_ROLES.has(a.role)) continue;
    if (a.study_id !== null && a.study_id !== studyId) continue;
    if (a.site_id === null) return undefined;
    sites.add(a.site_id);
  }
  return [...sites];
}

export function registerAnalysisRoutes(app: App, { db }: RouteContext) {
  async function resultsFor(req: FastifyRequest, studyId: string) {
    const p = enforce(req, 'study.read', { studyId }, 'study');
    const sites = analysisSites(p, studyId);
    if (sites && sites.length === 0)
      throw new HttpProblem('MSCT_E_FORBIDDEN', 'your role may not read the analysis here', {
        action: 'analysis.read',
      });
    // Also bounded by what the user may read of subjects (site scoping of the policy).
    const readable = sitesFor(p, 'subject.read', studyId);
    const siteIds =
      sites === undefined
        ? readable
        : readable === undefined
          ? sites
          : sites.filter((s) => readable.includes(s));
    return analyzeStudy(db, studyId, {
      pseudonymise: !seesIdentifiers(p, studyId),
      ...(siteIds ? { siteIds } : {}),
    });
  }

  app.get(
    '/api/studies/:studyId/analysis',
    {
      schema: {
        tags: ['analysis'],
        summary: 'The analysis plan’s results (analysis-plan.md R1–R12), recomputed from the item-level data',
        params: z.object({ studyId: id }),
      },
    },
    async (req) => resultsFor(req, req.params.studyId),
  );

  app.get(
    '/api/studies/:studyId/analysis/report.html',
    {
      schema: {
        tags: ['analysis'],
        summary: 'The analysis report as one self-contained HTML document',
        params: z.object({ studyId: id }),
      },
    },
    async (req, reply) => {
      const results = await resultsFor(req, req.params.studyId);
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
