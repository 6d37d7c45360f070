// GET /api/studies/:studyId/export.odm.xml: the study as CDISC ODM 1.3.2, streamed as it is written.
// Admins and monitors get the identified file (with the audit trail); statisticians a pseudonymised
// one (no subject codes, no free text, dates as study days); `?shiftDates=study-day` gives anyone study days.
// Site-scoped users get their sites' subjects only.
import { PassThrough } from 'node:stream';
import { routes } from '@msct/contract';
import { exportOdm } from '@msct/exchange';
import { getStudy } from '@msct/store';
import { armRevealingFilter } from '../access/blinding.js';
import { enforce } from '../access/guard.js';
import { seesIdentifiers, sitesFor } from '../access/policy.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

export function registerExchangeRoutes(app: App, { db }: RouteContext) {
  app.get(
    '/api/studies/:studyId/export.odm.xml',
    {
      schema: schemaOf(routes.exportOdm),
    },
    async (req, reply) => {
      const { studyId } = req.params;
      const p = enforce(req, 'study.export', { studyId }, 'study');
      // Statisticians get pseudonyms and study days; the policy decides who sees identifiers.
      const identified = seesIdentifiers(p, studyId);
      const study = await getStudy(db, studyId);
      // The export holds every form's values and the audit trail: for a role the study blinds, it
      // would carry the arm-revealing forms (issue 24), which the exporter cannot yet leave out.
      const { definition } = await studyDefinition(db, studyId);
      if (armRevealingFilter(p, studyId, definition).active)
        throw new HttpProblem(
          'MSCT_E_FORBIDDEN',
          'your role is blinded in this study and the export would hold the forms that reveal the arm',
          { rule: 'blinding' },
        );
      const siteIds = sitesFor(p, 'study.export', studyId);
      const out = new PassThrough();
      exportOdm(db, studyId, out, {
        pseudonymise: !identified,
        // Without identifiers, no calendar dates either (issue 17): study days, which are the same
        // numbers as the API's per-subject shifted dates give.
        ...(!identified
          ? { shiftDates: 'study-day' as const }
          : req.query.shiftDates
            ? { shiftDates: req.query.shiftDates }
            : {}),
        ...(siteIds ? { siteIds } : {}),
      }).then(
        () => out.end(),
        (err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))),
      );
      return reply
        .type('application/xml; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="${study.code}${identified ? '' : '-deid'}.odm.xml"`,
        )
        .send(out);
    },
  );
}
