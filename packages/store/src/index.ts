// @msct/store: schema, migrations, repositories and the audit chain, on SQLite or PostgreSQL.
export {
  type AnchorCheck,
  type AuditAnchor,
  checkAuditAnchor,
  parseAuditAnchor,
  readAuditAnchor,
} from './audit/anchor.js';
export { auditEventHash, GENESIS_HASH } from './audit/hash.js';
export { type AuditVerifyReport, verifyAuditChain } from './audit/verify.js';
export {
  type DataFinding,
  type DataVerifyOptions,
  type DataVerifyReport,
  verifyAuditedData,
} from './audit/verify-data.js';
export {
  type DatabaseVerifyReport,
  describeProblems,
  formatFinding,
  verifyDatabase,
} from './audit/verify-database.js';
export {
  type Actor,
  type AuditEntry,
  type AuditWriter,
  inTransaction,
  type Tx,
  writeTransaction,
} from './audit/writer.js';
export {
  type BackupReport,
  type BackupVerifyReport,
  backupDatabase,
  backupDialect,
  type RestoreReport,
  restoreDatabase,
  verifyBackupFile,
} from './backup.js';
export { type Db, DEFAULT_DATABASE_URL, type Dialect, openDatabase, parseDatabaseUrl } from './database.js';
export {
  forEachTrialSubject,
  type LoadDatasetOptions,
  listDatasetSubjects,
  loadTrialDataset,
  loadTrialHeader,
  SUBJECT_PAGE,
  snapshotHash,
  streamTrialSubjects,
  subjectDataHash,
  type TrialHeader,
  visitItemsQuery,
} from './dataset.js';
export {
  EntryRefusalError,
  type EntryRefusalRule,
  type EntryTarget,
  StoreError,
  type StoreErrorCode,
} from './errors.js';
export { type MigrateReport, migrateToLatest, revertMigration } from './migrate.js';
export { migrationProvider } from './migrations/index.js';
export * from './repositories/adverse-event-listing.js';
export * from './repositories/attachments.js';
export * from './repositories/audit-trail.js';
export * from './repositories/death-record-queries.js';
export * from './repositories/definition-versions.js';
export { type EntryDefinition, studyDefinition } from './repositories/entry-definition.js';
export * from './repositories/entry-worklist.js';
export * from './repositories/export-jobs.js';
export * from './repositories/form-reviews.js';
export * from './repositories/forms.js';
export * from './repositories/item-values.js';
export * from './repositories/item-verifications.js';
export {
  type BasedOn,
  type ImportValue,
  type ItemValueWrite,
  ItemWriter,
  type WriteCounts,
} from './repositories/item-writer.js';
export * from './repositories/lab-forms.js';
export * from './repositories/lock-readiness.js';
export * from './repositories/queries.js';
export * from './repositories/randomisation.js';
export * from './repositories/record-deletion.js';
export * from './repositories/record-locks.js';
export * from './repositories/sessions.js';
export * from './repositories/signatures.js';
export * from './repositories/studies.js';
export * from './repositories/subject-overview.js';
export * from './repositories/subject-records.js';
export * from './repositories/subjects.js';
export * from './repositories/users.js';
export { getVisitWithScope, type VisitScope, visitScope } from './repositories/visit-scope.js';
export * from './repositories/visits.js';
export type * from './schema.js';
export {
  DatabaseInUseError,
  type DatabaseLock,
  type LockHolder,
  lockDatabase,
  sqliteLockFile,
} from './server-lock.js';
