// @msct/store: schema, migrations, repositories and the audit chain, on SQLite or PostgreSQL.
export { auditEventHash, GENESIS_HASH } from './audit/hash.js';
export { type AuditVerifyReport, verifyAuditChain } from './audit/verify.js';
export {
  type Actor,
  type AuditEntry,
  type AuditWriter,
  inTransaction,
  type Tx,
  writeTransaction,
} from './audit/writer.js';
export { type BackupReport, backupDatabase, restoreDatabase } from './backup.js';
export { insertRows } from './bulk.js';
export { type Db, DEFAULT_DATABASE_URL, type Dialect, openDatabase, parseDatabaseUrl } from './database.js';
export {
  forEachTrialSubject,
  itemRowsQuery,
  type LoadDatasetOptions,
  listDatasetSubjects,
  loadTrialDataset,
  loadTrialHeader,
  SUBJECT_PAGE,
  snapshotHash,
  streamTrialSubjects,
  subjectDataHash,
  type TrialHeader,
} from './dataset.js';
export { StoreError, type StoreErrorCode } from './errors.js';
export { newId } from './ids.js';
export { type MigrateReport, migrateToLatest } from './migrate.js';
export * from './repositories/audit-trail.js';
export * from './repositories/queries.js';
export * from './repositories/sessions.js';
export * from './repositories/studies.js';
export * from './repositories/subject-records.js';
export * from './repositories/subjects.js';
export * from './repositories/users.js';
export * from './repositories/visits.js';
export type * from './schema.js';
