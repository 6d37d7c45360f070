import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import { InvalidDefinitionError } from '@msct/core/protocol';
import { type Db, StoreError } from '@msct/store';
import Fastify, { type FastifyError, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { enforcePasswordChange } from './auth/attempts.js';
import { sessionResolver } from './auth/session-principal.js';
import { DerivedStudyCache } from './clinical/derived-study.js';
import type { ServerConfig } from './config.js';
import { deidentifyDates } from './deid/date-shift.js';
import { ExportJobs } from './exports/export-jobs.js';
import { openApiTransform } from './http/contract.js';
import {
  definitionProblemExtra,
  type FieldIssue,
  HttpProblem,
  type ProblemCode,
  problem,
  sendProblem,
} from './http/problem.js';
import { csrfTokenFor, SESSION_COOKIE } from './http/session.js';
import { refuseMalformedText } from './http/text.js';
import type { App } from './http/types.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAdverseEventRoutes } from './routes/adverse-events.js';
import { registerAnalysisRoutes } from './routes/analysis.js';
import { registerAttachmentRoutes } from './routes/attachments.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerClinicalRoutes } from './routes/clinical.js';
import { registerEntryWorklistRoutes } from './routes/entry-worklist.js';
import { registerExchangeRoutes } from './routes/exchange.js';
import { registerExportRoutes } from './routes/exports.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerImportRoutes } from './routes/imports.js';
import { registerLabRoutes } from './routes/labs.js';
import { registerPrintRoutes } from './routes/print.js';
import { registerQueryRoutes } from './routes/queries.js';
import { registerRandomisationRoutes } from './routes/randomisation.js';
import { registerReviewRoutes } from './routes/reviews.js';
import { registerSafetyRoutes } from './routes/safety.js';
import { registerSignatureRoutes } from './routes/signatures.js';
import { registerStudyRoutes } from './routes/studies.js';
import { registerStudyDefinitionRoutes } from './routes/study-definitions.js';
import { registerStudyHomeRoutes } from './routes/study-home.js';
import { registerSubjectRoutes } from './routes/subjects.js';
import { registerVisitRoutes } from './routes/visits.js';
import { API_VERSION } from './version.js';

const STORE_CODES: Record<StoreError['code'], ProblemCode> = {
  not_found: 'MSCT_E_NOT_FOUND',
  conflict: 'MSCT_E_CONFLICT',
  duplicate: 'MSCT_E_DUPLICATE',
  invalid: 'MSCT_E_VALIDATION',
  // The definition's entry rules, refused by the store on every write path (EntryRefusalError): one
  // answer, 422 naming the rule and the field (`visitCode`, `formCode`, `items.2.itemCode`).
  not_in_definition: 'MSCT_E_NOT_IN_DEFINITION',
  locked: 'MSCT_E_LOCKED',
  reason_required: 'MSCT_E_REASON_REQUIRED',
};

export interface AppOptions {
  db: Db;
  config: ServerConfig;
  logger?: boolean;
  /** Where the log goes (default stdout); tests pass a stream to read what the server logs. */
  logStream?: { write(line: string): void };
}

/** Node's `clientError` (no request object exists yet): write a problem+json answer and close. */
function clientErrorAsProblem(err: Error & { code?: string }, socket: import('node:stream').Duplex) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const p =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? problem(
          'MSCT_E_HEADERS_TOO_LARGE',
          'the request line or headers are larger than 16 KB: shorten the URL or query string',
        )
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problem('MSCT_E_TIMEOUT', 'the request was not received in time')
        : problem('MSCT_E_VALIDATION', 'the request is not valid HTTP');
  const body = JSON.stringify(p);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${p.status} ${p.title}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

export async function buildApp({ db, config, logger = false, logStream }: AppOptions): Promise<App> {
  const app = Fastify({
    // The logger is always on: `logger` (MSCT_LOG=1) turns on the request log (info); without it
    // only errors are written, so an unexpected error is never lost (issue 16).
    logger: {
      level: logger ? 'info' : 'error',
      redact: ['req.headers.cookie', 'req.headers["x-csrf-token"]', 'req.body.password'],
      ...(logStream ? { stream: logStream } : {}),
    },
    // A random id per request (not Fastify's per-process counter, which repeats after a restart):
    // it is in every log line of the request and in the answer to an unexpected error.
    genReqId: () => randomUUID(),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    // Requests Node's HTTP parser refuses before Fastify sees them (headers or URL over 16 KB, a
    // timeout, malformed HTTP) are answered as problem+json too, not with Fastify's own body.
    clientErrorHandler: clientErrorAsProblem,
    // Errors Fastify raises before routing (malformed URL encoding, bad content type) also leave as problem+json.
    frameworkErrors: (err, _req, reply) => {
      void sendProblem(
        reply,
        problem('MSCT_E_VALIDATION', `the request URL or headers are malformed: ${err.message}`),
      );
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof HttpProblem) return sendProblem(reply, problem(err.code, err.detail, err.extra));
    if (err instanceof InvalidDefinitionError)
      return sendProblem(
        reply,
        problem('MSCT_E_STORED_DEFINITION_INVALID', err.message, definitionProblemExtra(err.issues)),
      );
    if (err instanceof StoreError) {
      const field = typeof err.details.field === 'string' ? err.details.field : undefined;
      return sendProblem(
        reply,
        problem(STORE_CODES[err.code], err.message, {
          ...err.details,
          ...(field
            ? {
                errors: [
                  {
                    field,
                    rule: typeof err.details.rule === 'string' ? err.details.rule : err.code,
                    message: err.message,
                  },
                ],
              }
            : {}),
        }),
      );
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors: FieldIssue[] = err.validation.map((v) => {
        const path =
          v.instancePath.replace(/^\//, '').replaceAll('/', '.') ||
          (v.params as { issue?: { path?: unknown[] } }).issue?.path?.join('.') ||
          '';
        return {
          field: `${err.validationContext ?? 'body'}${path ? `.${path}` : ''}`,
          rule: v.keyword,
          message: v.message ?? 'invalid',
        };
      });
      const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      return sendProblem(reply, problem('MSCT_E_VALIDATION', detail || 'the request is invalid', { errors }));
    }
    if (err.statusCode === 413)
      return sendProblem(
        reply,
        problem('MSCT_E_PAYLOAD_TOO_LARGE', `the request body is larger than ${config.bodyLimitBytes} bytes`),
      );
    if (err.statusCode === 415)
      return sendProblem(reply, problem('MSCT_E_UNSUPPORTED_MEDIA', 'send application/json'));
    if (err.statusCode === 429)
      return sendProblem(
        reply,
        problem('MSCT_E_RATE_LIMITED', 'too many attempts: wait a minute and try again'),
      );
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendProblem(reply, problem('MSCT_E_VALIDATION', err.message));
    }
    // Unexpected: logged with the request id (whatever the log level), and the id goes back to the
    // caller, so a user's report can be matched with the log line.
    req.log.error({ err, method: req.method, url: req.url.split('?')[0] }, 'unhandled error');
    return sendProblem(
      reply.header('x-request-id', req.id),
      problem('MSCT_E_INTERNAL', `an internal error occurred; it has been logged as request ${req.id}`, {
        instance: `urn:uuid:${req.id}`,
        requestId: req.id,
      }),
    );
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, problem('MSCT_E_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );

  // Pseudonymised readers (statisticians) get no calendar date of the data: every date in an answer
  // the access guard marked is shifted by the secret offset of its subject (deid/date-shift.ts).
  app.addHook('preSerialization', async (req, _reply, payload) =>
    req.deid ? deidentifyDates(db, payload, req.deid) : payload,
  );

  // Security headers on every response (OWASP Secure Headers): no framing, no sniffing, strict CSP.
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    if (config.secureCookies) reply.header('Strict-Transport-Security', 'max-age=31536000');
    // API answers carry patient data: no browser or proxy may keep a copy (static assets may).
    if (_req.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });

  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'msct API',
        version: API_VERSION,
        description: 'Multicentre MSCT–SLE trial: data capture, audit, adjudication and analysis.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
    },
    transform: openApiTransform,
  });

  // Resolve the session cookie to a principal; state-changing requests must also carry the CSRF token.
  // Principals are cached per token with exact invalidation: see auth/session-principal.ts.
  const sessions = sessionResolver(db, config.sessionTtlMinutes, config.sessionMaxHours);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (!req.url.startsWith('/api/')) return;
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return;
    const principal = await sessions.resolve(token);
    if (!principal) return;
    req.principal = principal;
    req.sessionToken = token;
    if (
      req.method !== 'GET' &&
      req.method !== 'HEAD' &&
      req.method !== 'OPTIONS' &&
      req.url !== '/api/auth/login'
    ) {
      if (req.headers['x-csrf-token'] !== csrfTokenFor(token)) {
        throw new HttpProblem(
          'MSCT_E_CSRF',
          'missing or wrong X-CSRF-Token header (it is returned by /api/auth/me and at login)',
        );
      }
    }
    enforcePasswordChange(req, principal);
  });

  // Text that is not well-formed Unicode, or holds control characters or non-characters, is
  // refused for every route before its own schema runs (http/text.ts).
  app.addHook('preValidation', refuseMalformedText);

  const ctx = { db, config, derived: new DerivedStudyCache(db) };
  // Export jobs run in this process and write under the data directory (issue 22); jobs a stopped
  // server left unfinished are failed first.
  const dataDir = config.dataDir ?? mkdtempSync(join(tmpdir(), 'msct-data-'));
  const exportJobs = new ExportJobs(db, join(dataDir, 'exports'), ctx.derived);
  await exportJobs.recover();
  app.addHook('onClose', async () => {
    await exportJobs.close();
    if (!config.dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  await app.register(async (api) => {
    const a = api as unknown as App;
    registerHealthRoutes(a, ctx);
    registerAuthRoutes(a, ctx);
    registerAdminRoutes(a, ctx);
    registerStudyRoutes(a, ctx);
    registerStudyDefinitionRoutes(a, ctx);
    registerStudyHomeRoutes(a, ctx);
    registerEntryWorklistRoutes(a, ctx);
    registerSubjectRoutes(a, ctx);
    registerVisitRoutes(a, ctx);
    registerSafetyRoutes(a, ctx);
    registerAdverseEventRoutes(a, ctx);
    registerQueryRoutes(a, ctx);
    registerReviewRoutes(a, ctx);
    registerAuditRoutes(a, ctx);
    registerClinicalRoutes(a, ctx);
    registerAnalysisRoutes(a, ctx);
    registerRandomisationRoutes(a, ctx);
    registerExchangeRoutes(a, ctx);
    registerImportRoutes(a, ctx);
    registerSignatureRoutes(a, ctx);
    registerPrintRoutes(a, ctx);
    registerLabRoutes(a, ctx);
    registerExportRoutes(a, ctx, exportJobs);
    registerAttachmentRoutes(a, ctx);
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (config.webRoot && existsSync(config.webRoot)) {
    await app.register(fastifyStatic, { root: config.webRoot, wildcard: false });
    // The web app routes on the client: unknown non-API paths get index.html.
    app.get('/*', { schema: { hide: true } }, (req, reply) => {
      if (req.url.startsWith('/api/'))
        return sendProblem(reply, problem('MSCT_E_NOT_FOUND', `no route ${req.method} ${req.url}`));
      return reply.sendFile('index.html');
    });
  }
  return app as unknown as App;
}
