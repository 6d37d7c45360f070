// Every route of the API by name, and as a list for the tests that hold the server to the contract.
import { adminRoutes } from './admin.js';
import { analysisRoutes } from './analysis.js';
import { attachmentRoutes } from './attachments.js';
import { auditRoutes } from './audit.js';
import { authRoutes } from './auth.js';
import { clinicalRoutes } from './clinical.js';
import { definitionRoutes } from './definitions.js';
import { entryWorklistRoutes } from './entry-worklist.js';
import { exchangeRoutes } from './exchange.js';
import { healthRoutes } from './health.js';
import { labRoutes } from './labs.js';
import { printRoutes } from './print.js';
import { queryRoutes } from './queries.js';
import { randomisationRoutes } from './randomisation.js';
import { reviewRoutes } from './reviews.js';
import type { RouteContract } from './route.js';
import { safetyRoutes } from './safety.js';
import { signatureRoutes } from './signatures.js';
import { studyRoutes } from './studies.js';
import { subjectRoutes } from './subjects.js';
import { visitRoutes } from './visits.js';

type Groups = typeof healthRoutes &
  typeof authRoutes &
  typeof adminRoutes &
  typeof studyRoutes &
  typeof subjectRoutes &
  typeof visitRoutes &
  typeof safetyRoutes &
  typeof queryRoutes &
  typeof reviewRoutes &
  typeof auditRoutes &
  typeof clinicalRoutes &
  typeof analysisRoutes &
  typeof exchangeRoutes &
  typeof definitionRoutes &
  typeof signatureRoutes &
  typeof randomisationRoutes &
  typeof printRoutes &
  typeof labRoutes &
  typeof entryWorklistRoutes &
  typeof attachmentRoutes;

/** Every route by name (`routes.getStudy`). */
export const routes: Groups = {
  ...healthRoutes,
  ...authRoutes,
  ...adminRoutes,
  ...studyRoutes,
  ...subjectRoutes,
  ...visitRoutes,
  ...safetyRoutes,
  ...queryRoutes,
  ...reviewRoutes,
  ...auditRoutes,
  ...clinicalRoutes,
  ...analysisRoutes,
  ...exchangeRoutes,
  ...definitionRoutes,
  ...signatureRoutes,
  ...randomisationRoutes,
  ...printRoutes,
  ...labRoutes,
  ...entryWorklistRoutes,
  ...attachmentRoutes,
};

/** Every route of the API, for the tests that hold the server to the contract. */
export const allRoutes: readonly RouteContract[] = Object.values(routes);
