// A study's derived results, subject by subject (issue 16): each subject's items are streamed from
// the store, scored, adjudicated and reduced to a compact record (core/analysis compactRecord); the
// items are dropped. What the endpoint list and the analysis read comes from these records.
//
// DerivedStudyCache keeps the records between requests and re-derives only the subjects whose data
// changed. Every write to clinical data is audited in the same transaction as the write, with the
// subject it touches (docs/architecture.md "Audit in the same transaction"), and the audit sequence
// only grows; so the cache is valid exactly as long as no audit event after the one it was built at
// names one of its subjects:
//  - the audit head (seq, hash) is read BEFORE the data, so a write committed while the data are
//    read has a later seq and is picked up by the next request;
//  - events after the cached seq with a subject id re-derive that subject;
//  - an event of this study without a subject (study, site: the header, the definition) or of an
//    entity the cache does not know rebuilds the whole view;
//  - if the event at the cached seq no longer has the cached hash (a restored backup, another
//    database), or the head went backwards, the whole view is rebuilt.
// Users, sessions and roles do not change derived data; queries (data clarification) carry a
// subject and only cost a re-derivation of it.
import {
  type AnalysisResults,
  type AnalyzeOptions,
  analyzeRecords,
  compactRecord,
  type SubjectRecord,
  type SubjectRecordOptions,
  subjectRecordFrom,
  subjectRecordOptionsOf,
} from '@msct/core/analysis';
import type { TrialDataset } from '@msct/core/dataset';
import { type DatasetSubject, deriveSubject } from '@msct/core/dataset';
import {
  type Db,
  GENESIS_HASH,
  getStudy,
  loadTrialHeader,
  snapshotHash,
  streamTrialSubjects,
  subjectDataHash,
  type TrialHeader,
} from '@msct/store';
import { analysisOptionsOf } from '../report/analyze-study.js';

export interface DerivedSubject {
  subjectId: string;
  siteId: string;
  subjectCode: string;
  siteCode: string;
  /** SHA-256 of the subject's data as read (a term of the snapshot hash). */
  hash: string;
  /** deriveSubject's problems (the endpoint list shows these). */
  problems: readonly string[];
  /** Scores, verdict and time-to-event data, without the items (compactRecord). */
  record: SubjectRecord;
}

export interface DerivedView {
  header: TrialHeader;
  options: AnalyzeOptions;
  /** In subject-code order. */
  subjects: readonly DerivedSubject[];
}

export interface DerivedSelection {
  header: TrialHeader;
  options: AnalyzeOptions;
  subjects: readonly DerivedSubject[];
  snapshot: TrialDataset['snapshot'];
}

/** Derives one subject: items → scores → verdict → compact record. */
export function deriveDatasetSubject(
  subject: DatasetSubject,
  recordOptions: SubjectRecordOptions,
  hash: string,
): DerivedSubject {
  const derivation = deriveSubject(
    subject,
    recordOptions.sledaiWindowDays ? { sledaiWindowDays: recordOptions.sledaiWindowDays } : {},
  );
  const problems = [...derivation.problems];
  const record = compactRecord(subjectRecordFrom(subject, derivation, recordOptions));
  return {
    subjectId: subject.subjectId,
    siteId: subject.siteId,
    subjectCode: subject.subjectCode,
    siteCode: subject.siteCode,
    hash,
    problems,
    record,
  };
}

/** The snapshot and subjects of a view restricted to some sites (undefined: all). */
export function selectSites(view: DerivedView, siteIds: readonly string[] | undefined, takenAt: string) {
  const allowed = siteIds ? new Set(siteIds) : null;
  const subjects = allowed ? view.subjects.filter((s) => allowed.has(s.siteId)) : view.subjects;
  return {
    header: view.header,
    options: view.options,
    subjects,
    snapshot: {
      takenAt,
      hash: snapshotHash(
        view.header,
        subjects.map((s) => s.hash),
      ),
    },
  } satisfies DerivedSelection;
}

/** The analysis of a selection (what analyzeStudy computes, from derived records). */
export function analyzeSelection(sel: DerivedSelection): AnalysisResults {
  return analyzeRecords(
    { study: sel.header.study, sites: sel.header.sites, snapshot: sel.snapshot },
    sel.subjects.map((s) => s.record),
    sel.options,
  );
}

/** The key of a site selection (undefined: every site). */
const siteKeyOf = (siteIds: readonly string[] | undefined) => (siteIds ? [...siteIds].sort().join(',') : '*');

interface CachedView extends DerivedView {
  seq: number;
  headHash: string;
  bySubject: Map<string, DerivedSubject>;
  /** Analysis results by site selection, valid while seq is. */
  analyses: Map<string, AnalysisResults>;
}

/** A derivation still running in the background: when it started (issue 16). */
export interface Computing {
  computing: { startedAt: string };
}
export type ReadyOrComputing<T> = { ready: T } | Computing;

interface BackgroundJob {
  startedAt: string;
  /** Settles when the work does (never rejects: the outcome is in `settled`). */
  done: Promise<void>;
  /** Resolves when the work reaches a long synchronous step: a waiting request answers "computing" first. */
  busy: Promise<void>;
  settled?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

/** Entity types whose events change nothing a derivation reads (when they carry no subject). */
const NOT_DERIVED = new Set(['user', 'role', 'session']);

export class DerivedStudyCache {
  private readonly views = new Map<string, CachedView>();
  private readonly pending = new Map<string, Promise<CachedView>>();
  /** Counters for tests and the bench: subjects derived, views rebuilt whole. */
  readonly stats = { derived: 0, rebuilds: 0, hits: 0 };

  constructor(
    private readonly db: Db,
    /**
     * Subject records kept over all views (one view per study × identified/pseudonymised ×
     * definition version), least recently used dropped first: ~12 KB each, so ~500 MB at most.
     */
    private readonly maxSubjects = 40_000,
  ) {}

  /** Derivations running (or finished and not yet collected) in the background, by selection. */
  private readonly jobs = new Map<string, BackgroundJob>();

  /**
   * The endpoint list's selection without holding the request (issue 16): answered at once when the
   * view is current; otherwise one derivation per study and selection runs in the background (single
   * flight: a request while it runs joins it) and the request waits at most `waitMs` for it, then
   * answers "computing". A finished derivation's result is given to the next request; a failed one's
   * error is thrown to the next request once, and the request after that starts it again.
   */
  endpointsOrComputing(
    studyId: string,
    opts: { pseudonymise: boolean; siteIds?: readonly string[] | undefined },
    waitMs: number,
  ): Promise<ReadyOrComputing<DerivedSelection>> {
    return this.background(
      `endpoints|${this.selectionKey(studyId, opts)}`,
      () => this.isCurrent(studyId, opts.pseudonymise),
      () => this.select(studyId, opts),
      waitMs,
    );
  }

  /**
   * The analysis of a selection, like endpointsOrComputing. The analysis of the derived records is
   * one synchronous computation (12 s at 20 000 patients on a loaded machine): a request waiting for
   * it answers "computing" before it starts (it would otherwise wait it out, the timer unable to
   * fire); while it runs the server answers nothing (a worker thread for it is left, docs/validation.md).
   */
  analysisOrComputing(
    studyId: string,
    opts: { pseudonymise: boolean; siteIds?: readonly string[] | undefined },
    waitMs: number,
  ): Promise<ReadyOrComputing<AnalysisResults>> {
    return this.background(
      `analysis|${this.selectionKey(studyId, opts)}`,
      () => this.isCurrent(studyId, opts.pseudonymise, siteKeyOf(opts.siteIds)),
      async (busy) => {
        const sel = await this.select(studyId, opts);
        await busy();
        return sel.analysis();
      },
      waitMs,
    );
  }

  private selectionKey(
    studyId: string,
    opts: { pseudonymise: boolean; siteIds?: readonly string[] | undefined },
  ) {
    return `${studyId}|${opts.pseudonymise ? 'p' : 'i'}|${siteKeyOf(opts.siteIds)}`;
  }

  /** Whether the cached view (and its analysis of `siteKey`, if given) is of the data as they are now. */
  private async isCurrent(studyId: string, pseudonymise: boolean, siteKey?: string): Promise<boolean> {
    const study = await getStudy(this.db, studyId);
    const view = this.views.get(`${studyId}|${pseudonymise ? 'p' : 'i'}|${study.version}`);
    if (!view || this.pending.size > 0) return false;
    const head = await this.head();
    if (view.seq !== head.seq || view.headHash !== head.hash) return false;
    return siteKey === undefined || view.analyses.has(siteKey);
  }

  private async background<T>(
    key: string,
    isCurrent: () => Promise<boolean>,
    compute: (busy: () => Promise<void>) => Promise<T>,
    /**
     * How long to wait for a derivation (cut short by a long synchronous step); Infinity: until it is
     * done (a document a browser opens; tests that read the results in one request).
     */
    waitMs: number,
  ): Promise<ReadyOrComputing<T>> {
    let job = this.jobs.get(key);
    if (job?.settled) {
      this.jobs.delete(key);
      if (!job.settled.ok) throw job.settled.error;
      // Done: from the cache if nothing changed since (a fresh reading time), else what it computed.
      if (await isCurrent()) return { ready: await compute(async () => {}) };
      return { ready: job.settled.value as T };
    }
    if (!job) {
      if (await isCurrent()) return { ready: await compute(async () => {}) };
      job = this.jobs.get(key) ?? this.start(key, compute);
    }
    // Waiting 0 ms answers "computing" at once, before the work's first step (a small SQLite trial
    // would otherwise derive within the same turn of the event loop).
    if (waitMs <= 0) return { computing: { startedAt: job.startedAt } };
    let timer: NodeJS.Timeout | undefined;
    const waited = Number.isFinite(waitMs)
      ? await Promise.race([
          job.done.then(() => 'done' as const),
          job.busy.then(() => 'busy' as const),
          new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), waitMs);
          }),
        ])
      : await job.done.then(() => 'done' as const);
    clearTimeout(timer);
    if (waited === 'done' && job.settled) {
      this.jobs.delete(key);
      if (!job.settled.ok) throw job.settled.error;
      return { ready: job.settled.value as T };
    }
    return { computing: { startedAt: job.startedAt } };
  }

  private start<T>(key: string, compute: (busy: () => Promise<void>) => Promise<T>): BackgroundJob {
    let markBusy: () => void = () => {};
    const busy = new Promise<void>((resolve) => {
      markBusy = resolve;
    });
    const job: BackgroundJob = { startedAt: new Date().toISOString(), done: Promise.resolve(), busy };
    job.done = (async () => {
      // Started on the next turn, so the request that started it is answered before any work.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        const value = await compute(async () => {
          markBusy();
          // A turn of the event loop, so the waiting requests' answers go out first.
          await new Promise((resolve) => setImmediate(resolve));
        });
        job.settled = { ok: true, value };
      } catch (error) {
        job.settled = { ok: false, error };
      }
    })();
    this.jobs.set(key, job);
    return job;
  }

  /** The derived subjects of a study as of now, and the snapshot of the selected sites. */
  async select(
    studyId: string,
    opts: { pseudonymise: boolean; siteIds?: readonly string[] | undefined },
  ): Promise<DerivedSelection & { analysis(): AnalysisResults }> {
    const takenAt = new Date().toISOString();
    const view = await this.view(studyId, opts.pseudonymise);
    const sel = selectSites(view, opts.siteIds, takenAt);
    const key = siteKeyOf(opts.siteIds);
    return {
      ...sel,
      analysis: () => {
        const hit = view.analyses.get(key);
        // The cached results carry the hash of the same data; only the reading time is new.
        if (hit) return { ...hit, snapshot: { ...sel.snapshot } };
        const results = analyzeSelection(sel);
        view.analyses.set(key, results);
        return results;
      },
    };
  }

  private async view(studyId: string, pseudonymise: boolean): Promise<CachedView> {
    const study = await getStudy(this.db, studyId);
    const key = `${studyId}|${pseudonymise ? 'p' : 'i'}|${study.version}`;
    // One derivation at a time per view: a second request waits for it, then checks again.
    for (;;) {
      const running = this.pending.get(key);
      if (!running) break;
      await running.catch(() => undefined);
    }
    const work = this.refresh(key, studyId, pseudonymise, study.definition_json);
    this.pending.set(key, work);
    try {
      return await work;
    } finally {
      this.pending.delete(key);
    }
  }

  /** Drops least recently used views (never `keep`) while over the subject budget. */
  private evict(keep: string): void {
    let total = 0;
    for (const v of this.views.values()) total += v.subjects.length;
    for (const [k, v] of this.views) {
      if (total <= this.maxSubjects) break;
      if (k === keep) continue;
      this.views.delete(k);
      total -= v.subjects.length;
    }
  }

  private async head(): Promise<{ seq: number; hash: string }> {
    const h = await this.db.kysely
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return { seq: Number(h.seq), hash: h.hash };
  }

  private async refresh(
    key: string,
    studyId: string,
    pseudonymise: boolean,
    definitionJson: string,
  ): Promise<CachedView> {
    const head = await this.head(); // before any data is read: see the top of this file
    const cached = this.views.get(key);
    if (cached && cached.seq === head.seq && cached.headHash === head.hash) {
      this.stats.hits++;
      this.views.delete(key); // most recently used last
      this.views.set(key, cached);
      return cached;
    }
    const changed = cached ? await this.changedSince(cached, studyId, head.seq) : 'all';
    const options = analysisOptionsOf(definitionJson);
    const recordOptions = subjectRecordOptionsOf(options);
    const header = await loadTrialHeader(this.db, studyId);
    const bySubject = new Map<string, DerivedSubject>();
    let subjects: DerivedSubject[];
    if (changed === 'all' || !cached) {
      this.stats.rebuilds++;
      for await (const s of streamTrialSubjects(this.db, studyId, { pseudonymise, header })) {
        bySubject.set(s.subjectId, deriveDatasetSubject(s, recordOptions, subjectDataHash(s)));
        this.stats.derived++;
      }
      subjects = [...bySubject.values()]; // the stream's order: code (or pseudonym), as the database sorts it
    } else {
      // The study's subjects now (new ones, codes, sites) in the stream's order, then only the
      // changed ones read again.
      const rows = await this.db.kysely
        .selectFrom('subjects')
        .select('id')
        .where('study_id', '=', studyId)
        .orderBy(pseudonymise ? 'pseudonym' : 'subject_code')
        .execute();
      const again: string[] = [];
      for (const { id } of rows) {
        const old = cached.bySubject.get(id);
        if (old && !changed.has(id)) bySubject.set(id, old);
        else again.push(id);
      }
      if (again.length)
        for await (const s of streamTrialSubjects(this.db, studyId, {
          pseudonymise,
          header,
          subjectIds: again,
        })) {
          bySubject.set(s.subjectId, deriveDatasetSubject(s, recordOptions, subjectDataHash(s)));
          this.stats.derived++;
        }
      subjects = rows.flatMap(({ id }) => {
        const d = bySubject.get(id);
        return d ? [d] : [];
      });
    }
    const view: CachedView = {
      header,
      options,
      subjects,
      seq: head.seq,
      headHash: head.hash,
      bySubject,
      analyses: new Map(),
    };
    this.views.delete(key);
    this.views.set(key, view);
    this.evict(key);
    return view;
  }

  /** Subjects named by audit events after the cached view, or 'all' when the view must be rebuilt. */
  private async changedSince(
    cached: CachedView,
    studyId: string,
    headSeq: number,
  ): Promise<Set<string> | 'all'> {
    if (headSeq < cached.seq) return 'all';
    const at =
      cached.seq === 0
        ? { hash: GENESIS_HASH }
        : await this.db.kysely
            .selectFrom('audit_events')
            .select('hash')
            .where('seq', '=', cached.seq)
            .executeTakeFirst();
    if (!at || at.hash !== cached.headHash) return 'all';
    const events = await this.db.kysely
      .selectFrom('audit_events')
      .select(['subject_id', 'entity_type', 'study_id'])
      .distinct()
      .where('seq', '>', cached.seq)
      .where('seq', '<=', headSeq)
      .execute();
    const changed = new Set<string>();
    for (const e of events) {
      if (e.subject_id) changed.add(e.subject_id);
      else if (NOT_DERIVED.has(e.entity_type)) continue;
      else if (e.study_id !== null && e.study_id !== studyId) continue;
      else return 'all';
    }
    return changed;
  }
}
