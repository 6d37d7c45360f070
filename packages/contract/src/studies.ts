import { z } from 'zod';
import { code, id, shortText } from './common.js';
import { route } from './route.js';

export const study = z.object({
  id: z.string(),
  code: z.string(),
  title: z.string(),
  status: z.string(),
  /** The study definition as stored: a full StudyDefinition for defined studies, `{}` for ad-hoc ones. */
  definition: z.unknown(),
  version: z.number(),
});
export const site = z.object({ id: z.string(), studyId: z.string(), code: z.string(), name: z.string() });

export const studyParams = z.object({ studyId: id });

export const studyRoutes = {
  listStudies: route({
    method: 'GET',
    path: '/api/studies',
    tags: ['studies'],
    summary: 'Studies the user has a role in',
    response: { 200: z.array(study) },
  }),
  createStudy: route({
    method: 'POST',
    path: '/api/studies',
    tags: ['studies'],
    summary: 'Create a study',
    body: z
      .object({ code, title: shortText, definition: z.record(z.string(), z.unknown()).optional() })
      .strict(),
    response: { 201: study },
  }),
  getStudy: route({
    method: 'GET',
    path: '/api/studies/:studyId',
    tags: ['studies'],
    summary: 'One study',
    params: studyParams,
    response: { 200: study },
  }),
  listSites: route({
    method: 'GET',
    path: '/api/studies/:studyId/sites',
    tags: ['studies'],
    summary: 'Sites (centres) of a study visible to the user',
    params: studyParams,
    response: { 200: z.array(site) },
  }),
  createSite: route({
    method: 'POST',
    path: '/api/studies/:studyId/sites',
    tags: ['studies'],
    summary: 'Add a site (centre) to a study',
    params: studyParams,
    body: z.object({ code, name: shortText }).strict(),
    response: { 201: site },
  }),
};
