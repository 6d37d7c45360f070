import { z } from 'zod';
import type { App, RouteContext } from '../http/types.js';
import { API_VERSION } from '../version.js';

export function registerHealthRoutes(app: App, { db }: RouteContext) {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness and database reachability',
        response: { 200: z.object({ status: z.literal('ok'), version: z.string(), database: z.string() }) },
      },
    },
    async () => {
      await db.kysely.selectFrom('meta').select('key').limit(1).execute();
      return { status: 'ok' as const, version: API_VERSION, database: db.dialect };
    },
  );
}
