// @msct/contract: the HTTP API declared once (issue 19 item 2). `routes` holds every route by name;
// the server registers each with its schemas, OpenAPI is derived from them, and the web client is
// typed by them (z.infer). No Node built-ins: the web app imports it too.
export * from './admin.js';
export * from './analysis.js';
export * from './attachments.js';
export * from './audit.js';
export * from './auth.js';
export * from './clinical.js';
export * from './common.js';
export * from './definitions.js';
export * from './entry-worklist.js';
export * from './exchange.js';
export * from './health.js';
export * from './labs.js';
export * from './print.js';
export * from './queries.js';
export * from './randomisation.js';
export * from './reviews.js';
export * from './route.js';
export * from './routes.js';
export * from './safety.js';
export * from './signatures.js';
export * from './studies.js';
export * from './subjects.js';
export * from './types.js';
export * from './visits.js';
