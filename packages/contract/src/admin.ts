import { z } from 'zod';
import { roleAssignment } from './auth.js';
import { id, ROLES, reason, version } from './common.js';
import { noContent, route } from './route.js';

export const user = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  active: z.boolean(),
  /** When the account was deactivated (null while active). */
  deactivatedAt: z.string().nullable(),
  /** The password was set by an admin and not yet changed by the user. */
  mustChangePassword: z.boolean(),
  version: z.number(),
  roles: z.array(roleAssignment),
});

const userParams = z.object({ userId: id });

export const adminRoutes = {
  listUsers: route({
    method: 'GET',
    path: '/api/users',
    tags: ['admin'],
    summary: 'List users with their roles',
    response: { 200: z.array(user) },
  }),
  createUser: route({
    method: 'POST',
    path: '/api/users',
    tags: ['admin'],
    summary: 'Create a user',
    body: z
      .object({
        username: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, 'lowercase letters, digits, . _ - (3–40)'),
        displayName: z.string().trim().min(1).max(100),
        password: z.string().max(1000),
      })
      .strict(),
    response: { 201: user },
  }),
  setUserActive: route({
    method: 'POST',
    path: '/api/users/:userId/active',
    tags: ['admin'],
    summary:
      'Deactivate (active: false) or reactivate a user, reason required. A deactivated user cannot log in and their sessions end at once.',
    params: userParams,
    body: z.object({ active: z.boolean(), version, reason }).strict(),
    response: { 200: user },
  }),
  resetPassword: route({
    method: 'POST',
    path: '/api/users/:userId/password',
    tags: ['admin'],
    summary:
      "Reset a user's password (lifts a lockout, ends their sessions); the user must change it at the next login",
    params: userParams,
    body: z.object({ password: z.string().max(1000), version }).strict(),
    response: { 204: noContent },
  }),
  assignRole: route({
    method: 'POST',
    path: '/api/users/:userId/roles',
    tags: ['admin'],
    summary: 'Give a user a role, for a study and optionally one site',
    params: userParams,
    body: z.object({ role: z.enum(ROLES), studyId: id.nullable(), siteId: id.nullable() }).strict(),
    response: { 201: roleAssignment },
  }),
  revokeRole: route({
    method: 'DELETE',
    path: '/api/users/:userId/roles/:assignmentId',
    tags: ['admin'],
    summary: 'Revoke a role (reason required)',
    params: z.object({ userId: id, assignmentId: id }),
    querystring: z.object({ reason }).strict(),
    response: { 204: noContent },
  }),
};
