export { SIGNATURE_MEANING } from '@msct/contract';
export { armRevealingFilter } from './access/blinding.js';
export {
  ACTIONS,
  type Action,
  decide,
  type Principal,
  ROLE_ACTIONS,
  seesIdentifiers,
} from './access/policy.js';
export { buildApp } from './app.js';
export { hashPassword, passwordProblems, verifyPassword } from './auth/password.js';
export { allocationBalance, correctRandomisation, randomise } from './clinical/randomisation.js';
export { configFromEnv, type ServerConfig } from './config.js';
export { csrfTokenFor, SESSION_COOKIE } from './http/session.js';
export type { App } from './http/types.js';
export { blankCrfHtml } from './print/blank-crf.js';
export {
  analysisOptionsOf,
  analyzeStudy,
  type ReportMeta,
  renderPdf,
  renderReportHtml,
  reportHtmlChunks,
  resultsToCsv,
  softwareIdentity,
  softwareVersion,
  withSoftware,
} from './report/index.js';
export { registerAnalysisRoutes } from './routes/analysis.js';
export { API_VERSION } from './version.js';
