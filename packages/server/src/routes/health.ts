import { routes } from '@msct/contract';
import { schemaOf } from '../http/contract.js';
import type { App, RouteContext } from '../http/types.js';
import { API_VERSION } from '../version.js';

export function registerHealthRoutes(app: App, { db }: RouteContext) {
  app.get(
    '/api/health',
    {
      schema: schemaOf(routes.health),
    },
    async () => {
      await db.kysely.selectFrom('meta').select('key').limit(1).execute();
      return { status: 'ok' as const, version: API_VERSION, database: db.dialect };
    },
  );
}
