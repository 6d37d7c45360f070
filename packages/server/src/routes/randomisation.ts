// Randomisation, blinding and emergency unblinding (issue 24). The allocation itself is core's,
// taken in the store's audited transaction (clinical/randomisation.ts); here: who may, and what a
// blinded role is shown (access/blinding.ts).
import { routes } from '@msct/contract';
import { isRandomised, type StoredDefinition } from '@msct/core/protocol';
import {
  type Actor,
  getAssignment,
  getSubject,
  listCorrections,
  listUnblindings,
  type RandomisationAssignment,
  type RandomisationCorrection,
  type Unblinding,
  unblindSubject,
  writeTransaction,
} from '@msct/store';
import type { FastifyRequest } from 'fastify';
import { isBlinded, refuseBlinded, seesArm } from '../access/blinding.js';
import { enforce, enforceOnSubject, principalOf } from '../access/guard.js';
import { type Principal, seesIdentifiers, sitesFor } from '../access/policy.js';
import {
  allocationBalance,
  allocationListExport,
  correctRandomisation,
  randomise,
} from '../clinical/randomisation.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

const actorOf = (req: FastifyRequest): Actor => {
  const p = principalOf(req);
  return { id: p.userId, name: p.username };
};

function unblindingView(u: Unblinding, arm: string | null) {
  return {
    id: u.id,
    subjectId: u.subject_id,
    at: u.unblinded_at,
    by: u.unblinded_by_name,
    reason: u.reason,
    arm,
  };
}

function correctionView(c: RandomisationCorrection) {
  return {
    id: c.id,
    subjectId: c.subject_id,
    at: c.corrected_at,
    by: c.corrected_by_name,
    reason: c.reason,
    fromArm: c.from_arm,
    toArm: c.to_arm,
  };
}

/**
 * A subject's randomisation as this caller may see it. Corrections name arms: only a caller who
 * sees the arm sees them. `arm` stays the arm as randomised (what the analysis uses, ITT).
 */
export function randomisationView(
  p: Principal,
  studyId: string,
  subjectId: string,
  definition: StoredDefinition,
  a: RandomisationAssignment | undefined,
  unblindings: readonly Unblinding[],
  corrections: readonly RandomisationCorrection[] = [],
) {
  const blinded = isBlinded(p, studyId, definition);
  const shown = a && seesArm(p, studyId, definition, unblindings) ? a.arm : null;
  return {
    subjectId,
    studyRandomises: isRandomised(definition),
    randomised: a !== undefined,
    blinded,
    arm: shown,
    armLabel: shown === null ? null : (definition.arms?.find((x) => x.id === shown)?.label ?? shown),
    stratum: a?.stratum ?? null,
    sequence: a && !blinded ? a.sequence : null,
    assignedAt: a?.assigned_at ?? null,
    unblindings: unblindings.map((u) => unblindingView(u, shown)),
    corrections: shown === null ? [] : corrections.map(correctionView),
    correctedArm: shown === null ? null : (corrections.at(-1)?.to_arm ?? null),
  };
}

export function registerRandomisationRoutes(app: App, { db }: RouteContext) {
  async function view(req: FastifyRequest, studyId: string, subjectId: string) {
    const { definition } = await studyDefinition(db, studyId);
    return randomisationView(
      principalOf(req),
      studyId,
      subjectId,
      definition,
      await getAssignment(db, subjectId),
      await listUnblindings(db, { studyId, subjectId }),
      await listCorrections(db, { studyId, subjectId }),
    );
  }

  app.post(
    '/api/subjects/:subjectId/randomise',
    { schema: schemaOf(routes.randomise) },
    async (req, reply) => {
      const scope = await enforceOnSubject(db, req, 'subject.randomise', req.params.subjectId);
      await randomise(db, actorOf(req), req.params.subjectId);
      return reply.status(201).send(await view(req, scope.studyId, req.params.subjectId));
    },
  );

  app.get(
    '/api/subjects/:subjectId/randomisation',
    { schema: schemaOf(routes.subjectRandomisation) },
    async (req) => {
      const scope = await enforceOnSubject(db, req, 'subject.read', req.params.subjectId);
      return view(req, scope.studyId, req.params.subjectId);
    },
  );

  app.post('/api/subjects/:subjectId/unblind', { schema: schemaOf(routes.unblind) }, async (req, reply) => {
    const scope = await enforceOnSubject(db, req, 'subject.unblind', req.params.subjectId);
    const { definition } = await studyDefinition(db, scope.studyId);
    if (!isRandomised(definition))
      throw new HttpProblem(
        'MSCT_E_NOT_IN_DEFINITION',
        'this study does not randomise: there is no arm to unblind',
      );
    await unblindSubject(db, actorOf(req), { subjectId: req.params.subjectId, reason: req.body.reason });
    return reply.status(201).send(await view(req, scope.studyId, req.params.subjectId));
  });

  app.post(
    '/api/subjects/:subjectId/randomisation/corrections',
    { schema: schemaOf(routes.correctAssignment) },
    async (req, reply) => {
      const scope = await enforceOnSubject(db, req, 'randomisation.correct', req.params.subjectId);
      const { definition } = await studyDefinition(db, scope.studyId);
      if (!isRandomised(definition))
        throw new HttpProblem(
          'MSCT_E_NOT_IN_DEFINITION',
          'this study does not randomise: there is no assignment to correct',
        );
      refuseBlinded(
        principalOf(req),
        scope.studyId,
        definition,
        "an assignment's corrections nor correct one (they name arms)",
      );
      // The assignment row is never changed and the analysis keeps the arm as randomised (ITT): no
      // derived result changes, so nothing is re-derived.
      await correctRandomisation(db, actorOf(req), {
        subjectId: req.params.subjectId,
        toArm: req.body.toArm,
        reason: req.body.reason,
      });
      return reply.status(201).send(await view(req, scope.studyId, req.params.subjectId));
    },
  );

  app.get(
    '/api/studies/:studyId/randomisation/corrections',
    { schema: schemaOf(routes.randomisationCorrections) },
    async (req) => {
      const p = enforce(req, 'randomisation.report', { studyId: req.params.studyId }, 'study');
      const { definition } = await studyDefinition(db, req.params.studyId);
      refuseBlinded(p, req.params.studyId, definition, 'the corrections of assignments (they name arms)');
      const rows = await listCorrections(db, {
        studyId: req.params.studyId,
        siteIds: sitesFor(p, 'randomisation.report', req.params.studyId),
      });
      return rows.map(correctionView);
    },
  );

  app.get('/api/studies/:studyId/unblindings', { schema: schemaOf(routes.unblindings) }, async (req) => {
    const p = enforce(req, 'unblinding.read', { studyId: req.params.studyId }, 'study');
    const { definition } = await studyDefinition(db, req.params.studyId);
    const rows = await listUnblindings(db, {
      studyId: req.params.studyId,
      siteIds: sitesFor(p, 'unblinding.read', req.params.studyId),
    });
    const identified = seesIdentifiers(p, req.params.studyId);
    const out = [];
    for (const u of rows) {
      const a = await getAssignment(db, u.subject_id);
      const shown = a && seesArm(p, req.params.studyId, definition, [u]) ? a.arm : null;
      const s = await getSubject(db, u.subject_id);
      // As the subject routes: the pseudonym for a role without identifiers.
      out.push({ ...unblindingView(u, shown), subjectCode: identified ? s.subject_code : s.pseudonym });
    }
    return out;
  });

  app.get(
    '/api/studies/:studyId/randomisation/balance',
    { schema: schemaOf(routes.randomisationBalance) },
    async (req) => {
      const p = enforce(req, 'randomisation.report', { studyId: req.params.studyId }, 'study');
      const { definition } = await studyDefinition(db, req.params.studyId);
      refuseBlinded(p, req.params.studyId, definition, 'the allocation balance (counts per arm)');
      const r = await allocationBalance(db, req.params.studyId);
      const row = (x: (typeof r.report.strata)[number]) => ({ ...x, counts: [...x.counts] });
      return {
        method: r.method,
        arms: r.arms,
        overall: row(r.report.overall),
        strata: r.report.strata.map(row),
        margins: r.report.margins.map(row),
      };
    },
  );

  app.get(
    '/api/studies/:studyId/randomisation/list',
    { schema: schemaOf(routes.allocationList) },
    async (req) => {
      const p = enforce(req, 'randomisation.list', { studyId: req.params.studyId }, 'study');
      const { definition } = await studyDefinition(db, req.params.studyId);
      refuseBlinded(p, req.params.studyId, definition, 'the allocation list');
      const list = await allocationListExport(db, req.params.studyId);
      // Reading the seed is recorded: who took the list for the trial master file, and when.
      await writeTransaction(db, actorOf(req), (_tx, audit) =>
        audit.record({
          action: 'randomisation.list.export',
          entityType: 'randomisation_list',
          entityId: req.params.studyId,
          studyId: req.params.studyId,
          newValue: JSON.stringify({ seedCommitment: list.seedCommitment }),
          reason: 'allocation list exported for the trial master file',
        }),
      );
      return list;
    },
  );
}
