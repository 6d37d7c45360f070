import { type Role, routes, type user } from '@msct/contract';
import {
  assignRole,
  createUser,
  type Db,
  getUser,
  listRoles,
  listUsers,
  revokeRole,
  setPassword,
  setUserActive,
  type User,
} from '@msct/store';
import type { z } from 'zod';
import { enforce } from '../access/guard.js';
import { assertPasswordPolicy, hashPassword } from '../auth/password.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

/** A user as the admin API shows it: the account and its role assignments. */
async function toUserOut(db: Db, u: User): Promise<z.infer<typeof user>> {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    active: u.is_active === 1,
    deactivatedAt: u.deactivated_at,
    mustChangePassword: u.must_change_password === 1,
    version: u.version,
    roles: (await listRoles(db, u.id)).map((r) => ({
      id: r.id,
      role: r.role as Role,
      studyId: r.study_id,
      siteId: r.site_id,
    })),
  };
}

export function registerAdminRoutes(app: App, { db }: RouteContext) {
  app.get(
    '/api/users',
    {
      schema: schemaOf(routes.listUsers),
    },
    async (req) => {
      enforce(req, 'user.manage', {}, 'users');
      const users = await listUsers(db);
      return Promise.all(users.map((u) => toUserOut(db, u)));
    },
  );

  app.post(
    '/api/users',
    {
      schema: schemaOf(routes.createUser),
    },
    async (req, reply) => {
      const p = enforce(req, 'user.manage', {}, 'users');
      assertPasswordPolicy(req.body.password, req.body.username, 'password');
      // The admin chose this password: the user must change it at the first login (issue 17).
      const user = await createUser(
        db,
        { id: p.userId, name: p.username },
        {
          username: req.body.username,
          displayName: req.body.displayName,
          passwordHash: await hashPassword(req.body.password),
        },
      );
      return reply.status(201).send({
        id: user.id,
        username: user.username,
        displayName: user.display_name,
        active: true,
        deactivatedAt: null,
        mustChangePassword: true,
        version: user.version,
        roles: [],
      });
    },
  );

  app.post(
    '/api/users/:userId/active',
    {
      schema: schemaOf(routes.setUserActive),
    },
    async (req, reply) => {
      const p = enforce(req, 'user.manage', {}, 'users');
      if (req.params.userId === p.userId && !req.body.active)
        throw new HttpProblem('MSCT_E_FORBIDDEN', 'an admin cannot deactivate their own account', {
          errors: [{ field: 'params.userId', rule: 'not-self', message: 'you cannot deactivate yourself' }],
        });
      await setUserActive(
        db,
        { id: p.userId, name: p.username },
        req.params.userId,
        req.body.version,
        req.body.active,
        req.body.reason,
      );
      const u = await getUser(db, req.params.userId);
      return reply.send(await toUserOut(db, u));
    },
  );

  app.post(
    '/api/users/:userId/password',
    {
      schema: schemaOf(routes.resetPassword),
    },
    async (req, reply) => {
      const p = enforce(req, 'user.manage', {}, 'users');
      const user = await getUser(db, req.params.userId);
      assertPasswordPolicy(req.body.password, user.username, 'password');
      await setPassword(
        db,
        { id: p.userId, name: p.username },
        user.id,
        req.body.version,
        await hashPassword(req.body.password),
        true,
      );
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/users/:userId/roles',
    {
      schema: schemaOf(routes.assignRole),
    },
    async (req, reply) => {
      const p = enforce(req, 'user.manage', {}, 'users');
      if (req.body.role === 'admin' && (req.body.studyId || req.body.siteId))
        throw new HttpProblem(
          'MSCT_E_VALIDATION',
          'the admin role is global: studyId and siteId must be null',
        );
      if (req.body.role !== 'admin' && !req.body.studyId)
        throw new HttpProblem('MSCT_E_VALIDATION', 'body.studyId: every role but admin belongs to a study', {
          errors: [{ field: 'body.studyId', rule: 'required', message: 'required for this role' }],
        });
      const a = await assignRole(
        db,
        { id: p.userId, name: p.username },
        {
          userId: req.params.userId,
          role: req.body.role,
          studyId: req.body.studyId,
          siteId: req.body.siteId,
        },
      );
      return reply
        .status(201)
        .send({ id: a.id, role: a.role as Role, studyId: a.study_id, siteId: a.site_id });
    },
  );

  app.delete(
    '/api/users/:userId/roles/:assignmentId',
    {
      schema: schemaOf(routes.revokeRole),
    },
    async (req, reply) => {
      const p = enforce(req, 'user.manage', {}, 'users');
      await revokeRole(db, { id: p.userId, name: p.username }, req.params.assignmentId, req.query.reason);
      return reply.status(204).send();
    },
  );
}
