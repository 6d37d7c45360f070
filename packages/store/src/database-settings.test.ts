// PostgreSQL sessions opened by msct run with JIT compilation off (database.ts: compiling the
// analysis read's per-visit subqueries cost ~8 ms of each ~40 ms page query at 20 000 patients, issue
// 16). Pinned here so a change of the pool's options is noticed.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from './testing/databases.js';

describe.runIf(TEST_DIALECTS.includes('postgres'))('PostgreSQL session settings', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
  });
  afterAll(() => t.drop());

  it('every pooled connection has jit off', async () => {
    const rows = await Promise.all(
      Array.from({ length: 4 }, () => sql<{ jit: string }>`show jit`.execute(t.db.kysely)),
    );
    expect(rows.map((r) => r.rows[0]?.jit)).toEqual(['off', 'off', 'off', 'off']);
  });
});
