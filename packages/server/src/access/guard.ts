import { type Db, subjectScope } from '@msct/store';
import type { FastifyRequest } from 'fastify';
import { HttpProblem, notFoundProblem } from '../http/problem.js';
import { type Action, decide, type Principal, type Scope, seesIdentifiers } from './policy.js';

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new HttpProblem('MSCT_E_UNAUTHENTICATED', 'log in first');
  return req.principal;
}

/** Throws 404 for a record outside the user's sites, 403 for a visible record the role may not touch. */
export function enforce(req: FastifyRequest, action: Action, scope: Scope, what: string): Principal {
  const p = principalOf(req);
  const d = decide(p, action, scope);
  if (d === 'hidden') throw notFoundProblem(what);
  if (d === 'forbidden')
    throw new HttpProblem('MSCT_E_FORBIDDEN', `your role may not ${action.replace('.', ' ')} here`, {
      action,
    });
  // A reader without identifiers for this study gets no calendar date of its data either (issue 17).
  if (scope.studyId && !seesIdentifiers(p, scope.studyId))
    req.deid = {
      studyId: scope.studyId,
      ...('subjectId' in scope && typeof scope.subjectId === 'string' ? { subjectId: scope.subjectId } : {}),
    };
  return p;
}

/** Loads where a subject lives and enforces the action on it. */
export async function enforceOnSubject(db: Db, req: FastifyRequest, action: Action, subjectId: string) {
  const scope = await subjectScope(db, subjectId);
  if (!scope) {
    principalOf(req);
    throw notFoundProblem('subject');
  }
  enforce(req, action, scope, 'subject');
  return scope;
}
