// Printed documents (issue #22): the study's blank CRFs for sites and a subject's casebook (every
// visit, form and value, signatures with name, date/time and meaning, infusions, AEs, audit trail),
// as HTML and as PDF printed by headless Chromium.
import { z } from 'zod';
import { id } from './common.js';
import { document, route } from './route.js';
import { studyParams } from './studies.js';
import { subjectParams } from './subjects.js';

const ciomsParams = z.object({ aeId: id });
/** Box 25a: absent → "follow-up" once the sponsor recorded its report date, else "initial". */
const ciomsQuery = z.object({ reportType: z.enum(['initial', 'follow-up']).optional() }).strict();

export const printRoutes = {
  blankCrfsHtml: route({
    method: 'GET',
    path: '/api/studies/:studyId/crfs.html',
    tags: ['print'],
    summary: "The study's blank CRFs as one printable HTML page (a page per form, from the study definition)",
    params: studyParams,
    response: { 200: document },
    produces: 'text/html',
  }),
  blankCrfsPdf: route({
    method: 'GET',
    path: '/api/studies/:studyId/crfs.pdf',
    tags: ['print'],
    summary: "The study's blank CRFs as PDF (one form per page), for sites",
    params: studyParams,
    response: { 200: document },
    produces: 'application/pdf',
  }),
  casebookHtml: route({
    method: 'GET',
    path: '/api/subjects/:subjectId/casebook.html',
    tags: ['print'],
    summary:
      "A subject's casebook as printable HTML: visits, forms and values, signatures (name, date/time, meaning), infusions, AEs, audit trail; audited as an export",
    params: subjectParams,
    response: { 200: document },
    produces: 'text/html',
  }),
  casebookPdf: route({
    method: 'GET',
    path: '/api/subjects/:subjectId/casebook.pdf',
    tags: ['print'],
    summary:
      "A subject's casebook as PDF (pseudonymised with shifted dates for roles without identifiers); audited as an export",
    params: subjectParams,
    response: { 200: document },
    produces: 'application/pdf',
  }),
  ciomsHtml: route({
    method: 'GET',
    path: '/api/adverse-events/:aeId/cioms.html',
    tags: ['print'],
    summary:
      "An adverse event's CIOMS-I-style report as printable HTML (patient, reaction, suspect MSC product, concomitant therapy, history, sponsor, causality, dates, initial/follow-up); audited as an export",
    params: ciomsParams,
    querystring: ciomsQuery,
    response: { 200: document },
    produces: 'text/html',
  }),
  ciomsPdf: route({
    method: 'GET',
    path: '/api/adverse-events/:aeId/cioms.pdf',
    tags: ['print'],
    summary:
      "An adverse event's CIOMS-I-style report as PDF (pseudonymised with shifted dates for roles without identifiers); audited as an export",
    params: ciomsParams,
    querystring: ciomsQuery,
    response: { 200: document },
    produces: 'application/pdf',
  }),
};
