import type { Db } from '@msct/store';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Principal } from '../access/policy.js';
import type { DerivedStudyCache } from '../clinical/derived-study.js';
import type { ServerConfig } from '../config.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    sessionToken?: string;
    /**
     * Set by the access guard when the answer is for a reader the policy pseudonymises: its dates are
     * then shifted per subject before serialisation (deid/date-shift.ts).
     */
    deid?: { studyId: string; subjectId?: string };
  }
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface RouteContext {
  db: Db;
  config: ServerConfig;
  /** Derived results (scores, verdicts, analysis) cached by data snapshot (clinical/derived-study.ts). */
  derived: DerivedStudyCache;
}
