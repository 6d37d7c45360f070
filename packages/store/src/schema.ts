// The database schema as Kysely types. Timestamps are ISO-8601 UTC strings and booleans are 0/1
// integers on both dialects, so one code path serves SQLite and PostgreSQL (DESIGN.md principle 6).

export interface StudyTable {
  id: string;
  code: string;
  title: string;
  /** The study definition (protocol as data), JSON. */
  definition_json: string;
  status: string;
  created_at: string;
  version: number;
  /** The number of the current definition version (study_definitions; migration 007). */
  definition_version: number;
}

/** Every version of a study's definition, never overwritten (migration 007). */
export interface StudyDefinitionTable {
  study_id: string;
  version: number;
  definition_json: string;
  created_at: string;
  /** The user who stored this version; null for a version a migration stored. */
  created_by: string | null;
  created_by_name: string;
  /** Why the definition was amended; null for the first version. */
  reason: string | null;
}

export interface SiteTable {
  id: string;
  study_id: string;
  code: string;
  name: string;
  created_at: string;
  version: number;
}

export interface UserTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  is_active: number;
  failed_logins: number;
  locked_until: string | null;
  password_changed_at: string;
  /** 1: the password was set by someone else; the next login may only change it (migration 002). */
  must_change_password: number;
  /** When the account was deactivated, null while active (migration 002). */
  deactivated_at: string | null;
  created_at: string;
  version: number;
}

export interface RoleAssignmentTable {
  id: string;
  user_id: string;
  role: string;
  /** null = every study (admin only). */
  study_id: string | null;
  /** null = every site of the study. */
  site_id: string | null;
  created_at: string;
}

export interface SessionTable {
  /** SHA-256 of the cookie token: a stolen database does not yield live sessions. */
  id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface SubjectTable {
  id: string;
  study_id: string;
  site_id: string;
  subject_code: string;
  /** Pseudonym used in exports for the statistician role. */
  pseudonym: string;
  status: string;
  sex: string | null;
  birth_date: string | null;
  enrolled_at: string | null;
  day0_date: string | null;
  created_at: string;
  version: number;
}

export interface VisitTable {
  id: string;
  subject_id: string;
  visit_code: string;
  cycle: number;
  visit_date: string | null;
  status: string;
  created_at: string;
  version: number;
  /** The study definition version the row was entered (a value: last changed) under (migration 007). */
  definition_version: number;
}

export interface FormInstanceTable {
  id: string;
  visit_id: string;
  subject_id: string;
  form_code: string;
  status: string;
  signed_by: string | null;
  signed_at: string | null;
  /** The meaning the signer saw and signed (21 CFR 11.50), null while unsigned (migration 009). */
  signature_meaning: string | null;
  created_at: string;
  version: number;
  /** The study definition version the row was entered (a value: last changed) under (migration 007). */
  definition_version: number;
  /**
   * The record's number within its visit, from 1 (migration 024): a repeating form holds records
   * 1, 2, …; any other form only record 1. Unique with (visit_id, form_code).
   */
  record: number;
}

export interface ItemValueTable {
  id: string;
  form_instance_id: string;
  item_code: string;
  value: string | null;
  unit: string | null;
  updated_at: string;
  updated_by: string;
  version: number;
  /** The study definition version the row was entered (a value: last changed) under (migration 007). */
  definition_version: number;
  /**
   * A missing-data code held instead of a value (ND not done, NK not known, NA not applicable;
   * migration 013): then `value` and `unit` are null. Null for a value or a blank.
   */
  missing_code: string | null;
}

export interface InfusionTable {
  id: string;
  subject_id: string;
  cycle: number;
  infusion_number: number;
  planned_date: string | null;
  started_at: string | null;
  ended_at: string | null;
  product_lot: string | null;
  total_cells: number | null;
  viability_pct: number | null;
  volume_ml: number | null;
  weight_kg: number | null;
  /** JSON: vital signs before, during and after. */
  vitals_json: string | null;
  reactions: string | null;
  status: string;
  created_at: string;
  version: number;
}

export interface AdverseEventTable {
  id: string;
  subject_id: string;
  term: string;
  onset_date: string;
  resolution_date: string | null;
  ctcae_grade: number | null;
  serious: number;
  /** JSON array of ICH E2A criteria codes. */
  seriousness_json: string;
  relatedness: string;
  action_taken: string | null;
  outcome: string | null;
  infusion_id: string | null;
  death_date: string | null;
  death_cause: string | null;
  /** SAE detail (migration 010): the date the event became serious. */
  serious_date: string | null;
  /** Instant the site learnt of the SAE (the 24 h notice clock starts). */
  site_aware_at: string | null;
  /** Instant the site's initial notice reached the sponsor (day 0 of the expedited clock). */
  sponsor_notified_at: string | null;
  /** Date the expedited report was submitted. */
  reported_date: string | null;
  narrative: string | null;
  /** The sponsor's causality (same scale as `relatedness`, the investigator's). */
  sponsor_relatedness: string | null;
  /** 'expected' | 'unexpected' (against the reference safety information), null = not assessed. */
  expectedness: string | null;
  created_at: string;
  version: number;
}

/** A dated follow-up entry on an adverse event (migration 010): appended, never changed. */
export interface AdverseEventFollowUpTable {
  id: string;
  adverse_event_id: string;
  entry_date: string;
  text: string;
  author_id: string;
  created_at: string;
}

export interface QueryTable {
  id: string;
  subject_id: string;
  entity_type: string;
  entity_id: string;
  field: string | null;
  status: string;
  text: string;
  raised_by: string;
  raised_at: string;
  closed_by: string | null;
  closed_at: string | null;
  version: number;
  /** The edit check of the study definition that raised this system query (migration 012); null: a person. */
  edit_check: string | null;
}

export interface QueryMessageTable {
  id: string;
  query_id: string;
  author_id: string;
  kind: string;
  text: string;
  created_at: string;
}

/** A freeze or lock of a study, a site or a subject (migration 009); active while released_at is null. */
export interface RecordLockTable {
  id: string;
  study_id: string;
  level: string;
  site_id: string | null;
  subject_id: string | null;
  /** 'freeze': no data change, signatures still given; 'lock': no change at all. */
  kind: string;
  reason: string;
  locked_by: string;
  locked_at: string;
  released_by: string | null;
  released_at: string | null;
  release_reason: string | null;
  version: number;
  /** Why the lock was set although its ready-to-lock report was not clean (migration 017). */
  override_reason: string | null;
}

/** A request that a signed form or a lock be unlocked (migration 009). */
export interface UnlockRequestTable {
  id: string;
  study_id: string;
  site_id: string | null;
  subject_id: string | null;
  /** 'form' or 'lock'. */
  target_type: string;
  target_id: string;
  reason: string;
  requested_by: string;
  requested_at: string;
  /** 'open', 'done' (the record was unlocked) or 'declined'. */
  status: string;
  closed_by: string | null;
  closed_at: string | null;
  close_note: string | null;
  version: number;
}

export interface AuditEventTable {
  seq: number;
  at: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  entity_type: string;
  entity_id: string;
  study_id: string | null;
  site_id: string | null;
  subject_id: string | null;
  field: string | null;
  old_value: string | null;
  new_value: string | null;
  reason: string | null;
  prev_hash: string;
  hash: string;
}

/** One row, locked by every writer: it serialises the hash chain on PostgreSQL as SQLite's writer lock does. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

/** A randomised study's seed (migration 011): the allocation sequence is the CSPRNG's output for it. */
export interface RandomisationListTable {
  study_id: string;
  method: string;
  /** 64 hexadecimal characters; read only by the trial master file export (unblinded statistician). */
  seed_hex: string;
  /** "sha256:…" of the seed, safe to show before unblinding. */
  seed_commitment: string;
  created_at: string;
  created_by: string | null;
}

/** A subject's one, final assignment (migration 011). */
export interface RandomisationAssignmentTable {
  id: string;
  study_id: string;
  site_id: string;
  subject_id: string;
  stratum: string;
  /** 1-based place in the stratum's sequence (blocks) or in the study's (minimisation). */
  sequence: number;
  arm: string;
  /** The factor levels the subject was randomised with, JSON. */
  levels_json: string;
  assigned_at: string;
  assigned_by: string | null;
}

/** A file uploaded to a subject or a visit (migration 023, issue 22); never deleted, retracted. */
export interface AttachmentTable {
  id: string;
  study_id: string;
  subject_id: string;
  visit_id: string | null;
  /** The form instance the file belongs to (migration 025); its visit is `visit_id`. */
  form_id: string | null;
  file_name: string;
  /** The media type found from the content's first bytes (not the one the client sent). */
  content_type: string;
  bytes: number;
  sha256: string;
  content: Buffer;
  /** 'not scanned' | 'clean' */
  scan_status: string;
  scanner: string | null;
  uploaded_by: string;
  uploaded_by_name: string;
  created_at: string;
  /** 'active' | 'retracted' */
  status: string;
  retracted_by: string | null;
  retracted_at: string | null;
  retract_reason: string | null;
  version: number;
}

/** An export run as a job in the server process (migration 015, issue 22). */
export interface ExportJobTable {
  id: string;
  study_id: string;
  /** odm | sdtm | csv-long | csv-wide | analysis */
  format: string;
  filters_json: string;
  /** 1 when the file holds pseudonyms and study days (the requester may not see identities). */
  pseudonymised: number;
  /** queued | running | done | failed */
  status: string;
  /** 0–100 */
  progress: number;
  file_path: string | null;
  file_name: string | null;
  bytes: number | null;
  sha256: string | null;
  requested_by: string;
  requested_by_name: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

/** Emergency unblinding of one subject (migration 011). */
export interface UnblindingTable {
  id: string;
  study_id: string;
  site_id: string;
  subject_id: string;
  reason: string;
  unblinded_at: string;
  unblinded_by: string | null;
  unblinded_by_name: string;
}

/**
 * A correction of a subject's assignment (migration 016): a new record with its reason; the
 * assignment itself is never changed, and the analysis keeps the arm as randomised (ITT).
 */
export interface RandomisationCorrectionTable {
  id: string;
  study_id: string;
  site_id: string;
  subject_id: string;
  assignment_id: string;
  /** The arm the subject had before this correction (the randomised arm, or the last correction's). */
  from_arm: string;
  to_arm: string;
  reason: string;
  corrected_at: string;
  corrected_by: string | null;
  corrected_by_name: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

/** Review and source verification of one form (migration 008). */
export interface FormReviewTable {
  form_instance_id: string;
  subject_id: string;
  verified_by: string | null;
  verified_at: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  /** The last change of one of the form's values after it was first marked. */
  changed_at: string | null;
  version: number;
}

/** Source verification of one item of a form (migration 017); cleared by a change of its value. */
export interface ItemVerificationTable {
  form_instance_id: string;
  item_code: string;
  subject_id: string;
  verified_by: string | null;
  verified_at: string | null;
  value_version: number | null;
  version: number;
}

/** A study's SDV plan (migration 008): which forms need source verification. */
export interface StudySdvPlanTable {
  study_id: string;
  plan_json: string;
  updated_at: string;
  updated_by: string;
  version: number;
}

export interface Database {
  studies: StudyTable;
  study_definitions: StudyDefinitionTable;
  sites: SiteTable;
  users: UserTable;
  role_assignments: RoleAssignmentTable;
  sessions: SessionTable;
  subjects: SubjectTable;
  visits: VisitTable;
  form_instances: FormInstanceTable;
  item_values: ItemValueTable;
  infusions: InfusionTable;
  adverse_events: AdverseEventTable;
  adverse_event_follow_ups: AdverseEventFollowUpTable;
  queries: QueryTable;
  query_messages: QueryMessageTable;
  record_locks: RecordLockTable;
  unlock_requests: UnlockRequestTable;
  form_reviews: FormReviewTable;
  item_verifications: ItemVerificationTable;
  study_sdv_plans: StudySdvPlanTable;
  audit_events: AuditEventTable;
  audit_head: AuditHeadTable;
  meta: MetaTable;
  randomisation_lists: RandomisationListTable;
  randomisation_assignments: RandomisationAssignmentTable;
  unblindings: UnblindingTable;
  randomisation_corrections: RandomisationCorrectionTable;
  export_jobs: ExportJobTable;
  attachments: AttachmentTable;
}
