// The demo trial through the store: load into a fresh SQLite database, read it back as the analysis
// does (loadTrialDataset), derive and adjudicate every subject, and get the published counts; the
// audit chain holds; a second load is refused.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DemoCohortSummary, demoCohortSummary, generateDemoTrial } from '@msct/core/demo';
import table1 from '@msct/core/demo/fixtures/table1.json' with { type: 'json' };
import { passwordProblems } from '@msct/server';
import { findUserByUsername, listRoles, loadTrialDataset, verifyAuditChain } from '@msct/store';
import { createTestDatabase, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword, type LoadDemoResult, loadDemoTrial } from './load-demo.js';

describe('loadDemoTrial (sqlite)', () => {
  let t: TestDatabase;
  let loaded: LoadDemoResult;
  let summary: DemoCohortSummary;

  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    loaded = await loadDemoTrial(t.db, { seed: 2014 });
    summary = demoCohortSummary(await loadTrialDataset(t.db, loaded.studyId));
  }, 60_000);
  afterAll(async () => t?.drop());

  it('writes the whole plan', () => {
    const plan = generateDemoTrial({ seed: 2014 });
    const items = plan.patients.reduce(
      (n, p) =>
        n +
        p.visits.reduce(
          (m, v) => m + Object.values(v.forms).reduce((k, f) => k + Object.keys(f).length, 0),
          0,
        ),
      0,
    );
    expect(loaded.counts).toMatchObject({ sites: 4, users: plan.users.length, subjects: 40, items });
    expect(loaded.counts.infusions).toBe(80);
    expect(loaded.counts.adverseEvents).toBe(7);
    expect(loaded.patients.map((p) => p.number)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('read back, derived and adjudicated: the published counts', () => {
    const { subjects, ...counts } = summary;
    expect(counts).toEqual({
      enrolled: 40,
      aliveAt12Months: 37,
      deaths: 3,
      mcr: 13,
      pcr: 11,
      nr: 16,
      responders: 24,
      relapsesAt9Months: 3,
      relapsesAt12Months: 4,
    });
    for (const s of subjects)
      expect({ s: s.subjectCode, problems: s.problems }).toEqual({ s: s.subjectCode, problems: [] });
  });

  it('patients 1–13 read back with the Table 1 baseline SLEDAI-2K and BILAG', () => {
    const bySubject = new Map(summary.subjects.map((s) => [s.subjectId, s]));
    for (const row of table1.rows) {
      const p = loaded.patients.find((x) => x.number === row.patient)!;
      const s = bySubject.get(p.subjectId)!;
      expect([row.patient, s.baselineSledai, s.baselineBilag]).toEqual([
        row.patient,
        row.baseline_sledai,
        row.baseline_bilag,
      ]);
    }
  });

  it('every write is on an intact audit chain', async () => {
    const report = await verifyAuditChain(t.db);
    expect(report.ok).toBe(true);
    expect(report.eventsChecked).toBeGreaterThan(loaded.counts.items);
  });

  it('users have their roles and random passwords that must be changed at the first login (issue 17)', async () => {
    for (const u of loaded.users) {
      expect(passwordProblems(u.password, u.username)).toEqual([]);
      const row = await findUserByUsername(t.db, u.username);
      expect(row!.must_change_password).toBe(1);
      const roles = await listRoles(t.db, row!.id);
      expect(roles.map((r) => r.role)).toEqual([u.role]);
    }
    expect(new Set(loaded.users.map((u) => u.password)).size).toBe(loaded.users.length);
    // Never the same twice for one username (crypto random, not derived from the seed).
    expect(demoPassword('coordinator.nj-dt')).not.toBe(demoPassword('coordinator.nj-dt'));
  });

  it('refuses to load the demo twice', async () => {
    await expect(loadDemoTrial(t.db, { seed: 2014 })).rejects.toThrow(/already exists/);
  });
});

// The committed fixture is a copy of shared/protocol/data/table1.csv; where the shared folder is
// beside the repository (CI), check that the copy has not drifted.
const sharedCsv = fileURLToPath(new URL('../../../../../shared/protocol/data/table1.csv', import.meta.url));
describe.runIf(existsSync(sharedCsv))('fixtures/table1.json', () => {
  it('matches shared/protocol/data/table1.csv', () => {
    const lines = readFileSync(sharedCsv, 'utf8').trim().split('\n').slice(1);
    expect(lines).toHaveLength(table1.rows.length);
    for (const [i, line] of lines.entries()) {
      const r = table1.rows[i]!;
      expect(
        line.startsWith(
          `${r.patient},${r.age},${r.disease_duration_months},${r.baseline_sledai},${r.baseline_bilag},`,
        ),
      ).toBe(true);
      expect(line).toContain(`,${r.outcome},"${r.manifestations}"`);
    }
  });
});
