import { z } from 'zod';
import { route } from './route.js';

export const healthRoutes = {
  health: route({
    method: 'GET',
    path: '/api/health',
    tags: ['system'],
    summary: 'Liveness and database reachability',
    response: { 200: z.object({ status: z.literal('ok'), version: z.string(), database: z.string() }) },
  }),
};
