import type { FastifyReply } from 'fastify';

/** Seconds a client waits before asking again for results still being derived (issue 16). */
export const RETRY_AFTER_SECONDS = 2;

/** The 202 "computing" answer of /endpoints and /analysis (contract: `computing`), with Retry-After. */
export function computingAnswer(reply: FastifyReply, startedAt: string) {
  reply.code(202).header('retry-after', String(RETRY_AFTER_SECONDS));
  return { status: 'computing' as const, startedAt, retryAfterSeconds: RETRY_AFTER_SECONDS };
}
