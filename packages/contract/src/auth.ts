import { z } from 'zod';
import { ROLES } from './common.js';
import { noContent, route } from './route.js';

export const roleAssignment = z.object({
  id: z.string(),
  role: z.enum(ROLES),
  studyId: z.string().nullable(),
  siteId: z.string().nullable(),
});

export const me = z.object({
  user: z.object({ id: z.string(), username: z.string(), displayName: z.string() }),
  /** The password was set by someone else: until it is changed, only POST /api/auth/password works. */
  mustChangePassword: z.boolean(),
  roles: z.array(roleAssignment),
  csrfToken: z.string(),
});

export const authRoutes = {
  login: route({
    method: 'POST',
    path: '/api/auth/login',
    tags: ['auth'],
    summary: 'Log in; sets an httpOnly session cookie',
    body: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(1000) }).strict(),
    response: { 200: me },
  }),
  me: route({
    method: 'GET',
    path: '/api/auth/me',
    tags: ['auth'],
    summary: 'The logged-in user, roles and CSRF token',
    response: { 200: me },
  }),
  logout: route({
    method: 'POST',
    path: '/api/auth/logout',
    tags: ['auth'],
    summary: 'End this session',
    response: { 204: noContent },
  }),
  logoutEverywhere: route({
    method: 'POST',
    path: '/api/auth/logout-everywhere',
    tags: ['auth'],
    summary: 'End every session of this user',
    response: { 204: noContent },
  }),
  changePassword: route({
    method: 'POST',
    path: '/api/auth/password',
    tags: ['auth'],
    summary:
      'Change own password (ends every other session). A wrong current password counts toward the lockout.',
    body: z
      .object({ currentPassword: z.string().min(1).max(1000), newPassword: z.string().max(1000) })
      .strict(),
    response: { 204: noContent },
  }),
};
