// GET /api/studies/:studyId/export.odm.xml: the study as CDISC ODM 1.3.2, streamed as it is written.
// Admins and monitors get the identified file (with the audit trail); statisticians a pseudonymised
// one (no subject codes, no free text, dates as study days); `?shiftDates=study-day` gives anyone study days.
// Site-scoped users get their sites' subjects only. A role the study blinds gets a blinded export
// (issue 24): without the arm-revealing forms and items (and the infusion records when the infusion
// form is one), its header saying so.
import { PassThrough } from 'node:stream';
import { routes } from '@msct/contract';
import { exportOdm } from '@msct/exchange';
import { getStudy } from '@msct/store';
import { exportBlinding } from '../access/blinding.js';
import { enforce } from '../access/guard.js';
import { seesIdentifiers, sitesFor } from '../access/policy.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { schemaOf } from '../http/contract.js';
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
      const { definition } = await studyDefinition(db, studyId);
      const blind = exportBlinding(p, studyId, definition);
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
        ...(blind ? { blind } : {}),
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
