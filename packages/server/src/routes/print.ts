// Printed documents (issue #22): the study's blank CRFs (any role that reads the study) and a
// subject's casebook (access like the subject record: site-scoped, pseudonymised for roles without
// identifiers), as HTML and as PDF printed by headless Chromium (report/pdf.ts). Taking a casebook is
// recorded in the audit trail as an export (who took which subject's record, when, in which format).
import { createHash } from 'node:crypto';
import { routes } from '@msct/contract';
import { isAdHocDefinition, storedDefinition } from '@msct/core/protocol';
import { getStudy, getSubjectRecord, writeTransaction } from '@msct/store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { enforce, enforceOnSubject, principalOf } from '../access/guard.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';
import { blankCrfHtml } from '../print/blank-crf.js';
import { casebookHtml } from '../print/casebook.js';
import { loadCasebook } from '../print/casebook-data.js';
import { ciomsHtml } from '../print/cioms.js';
import { type CiomsReportType, loadCioms } from '../print/cioms-data.js';
import { pdfPrinter } from '../report/pdf.js';

const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'";

export function registerPrintRoutes(app: App, { db }: RouteContext) {
  // One Chromium for the server's lifetime, launched on the first PDF, closed with the server.
  const printer = pdfPrinter();
  app.addHook('onClose', async () => printer.close());
  // Blank CRFs depend on the definition only: each document is printed once, then served from here
  // (sites print them often; Chromium is the costly part). A few studies' worth, the newest kept.
  const blankPdfs = new Map<string, Promise<Buffer>>();
  const blankPdf = (html: string) => {
    const key = createHash('sha256').update(html).digest('hex');
    let pdf = blankPdfs.get(key);
    if (!pdf) {
      pdf = printer.print(html);
      blankPdfs.set(key, pdf);
      pdf.catch(() => blankPdfs.delete(key));
      for (const old of blankPdfs.keys()) if (blankPdfs.size > 8) blankPdfs.delete(old);
    }
    return pdf;
  };

  async function blankCrfs(req: FastifyRequest, studyId: string) {
    enforce(req, 'study.read', { studyId }, 'study');
    const s = await getStudy(db, studyId);
    const stored = JSON.parse(s.definition_json) as unknown;
    if (isAdHocDefinition(stored))
      throw new HttpProblem(
        'MSCT_E_NOT_FOUND',
        `study ${s.code} has no definition (an ad-hoc study): no CRFs to print`,
      );
    const html = blankCrfHtml(storedDefinition(stored, s.code), s);
    return { code: s.code, html };
  }

  async function casebook(req: FastifyRequest, subjectId: string, format: 'html' | 'pdf') {
    const scope = await enforceOnSubject(db, req, 'subject.read', subjectId);
    const p = principalOf(req);
    const cb = await loadCasebook(db, p, subjectId);
    const html = casebookHtml(cb, new Date().toISOString());
    await writeTransaction(db, { id: p.userId, name: p.username }, (_tx, audit) =>
      audit.record({
        action: 'casebook.export',
        entityType: 'subject',
        entityId: subjectId,
        studyId: scope.studyId,
        siteId: scope.siteId,
        subjectId: subjectId,
        newValue: JSON.stringify({ format, pseudonymised: cb.pseudonymised }),
        reason: 'patient casebook printed',
      }),
    );
    // The file is named by what the reader sees: the subject code, or the pseudonym.
    return { name: `casebook-${cb.subject.subjectCode}`.replace(/[^A-Za-z0-9_.-]/g, '_'), html };
  }

  // An AE's CIOMS-I-style report: read like the AE (ae.read on its subject: site-scoped), taken
  // as an export in the audit trail (who printed which event, in which format, initial/follow-up).
  async function cioms(req: FastifyRequest, aeId: string, format: 'html' | 'pdf', asked?: CiomsReportType) {
    const row = await getSubjectRecord(db, 'adverse_events', aeId).catch(() => undefined);
    if (!row) {
      principalOf(req);
      throw new HttpProblem('MSCT_E_NOT_FOUND', 'adverse event not found');
    }
    const scope = await enforceOnSubject(db, req, 'ae.read', row.subject_id);
    const p = principalOf(req);
    const report = await loadCioms(db, p, aeId, asked);
    const html = ciomsHtml(report, new Date().toISOString());
    await writeTransaction(db, { id: p.userId, name: p.username }, (_tx, audit) =>
      audit.record({
        action: 'cioms.export',
        entityType: 'adverse event',
        entityId: aeId,
        studyId: scope.studyId,
        siteId: scope.siteId,
        subjectId: row.subject_id,
        newValue: JSON.stringify({
          format,
          reportType: report.reportType,
          pseudonymised: report.pseudonymised,
        }),
        reason: 'CIOMS-I report printed',
      }),
    );
    const name = `cioms-${report.subject.subjectCode}-${report.ae.term}`.replace(/[^A-Za-z0-9_.-]/g, '_');
    return { name, html };
  }

  const sendPdf = (reply: FastifyReply, pdf: Buffer, filename: string) =>
    reply
      .type('application/pdf')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${filename}.pdf"`)
      .send(pdf);
  const sendHtml = (reply: FastifyReply, html: string) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', HTML_CSP)
      .send(html);

  app.get('/api/studies/:studyId/crfs.html', { schema: schemaOf(routes.blankCrfsHtml) }, async (req, reply) =>
    sendHtml(reply, (await blankCrfs(req, req.params.studyId)).html),
  );
  app.get('/api/studies/:studyId/crfs.pdf', { schema: schemaOf(routes.blankCrfsPdf) }, async (req, reply) => {
    const { code, html } = await blankCrfs(req, req.params.studyId);
    return sendPdf(reply, await blankPdf(html), `${code.replace(/[^A-Za-z0-9_.-]/g, '_')}-blank-crfs`);
  });
  app.get(
    '/api/subjects/:subjectId/casebook.html',
    { schema: schemaOf(routes.casebookHtml) },
    async (req, reply) => sendHtml(reply, (await casebook(req, req.params.subjectId, 'html')).html),
  );
  app.get(
    '/api/subjects/:subjectId/casebook.pdf',
    { schema: schemaOf(routes.casebookPdf) },
    async (req, reply) => {
      const { name, html } = await casebook(req, req.params.subjectId, 'pdf');
      return sendPdf(reply, await printer.print(html), name);
    },
  );
  app.get(
    '/api/adverse-events/:aeId/cioms.html',
    { schema: schemaOf(routes.ciomsHtml) },
    async (req, reply) =>
      sendHtml(reply, (await cioms(req, req.params.aeId, 'html', req.query.reportType)).html),
  );
  app.get(
    '/api/adverse-events/:aeId/cioms.pdf',
    { schema: schemaOf(routes.ciomsPdf) },
    async (req, reply) => {
      const { name, html } = await cioms(req, req.params.aeId, 'pdf', req.query.reportType);
      return sendPdf(reply, await printer.print(html), name);
    },
  );
}
