// `msct demo [--seed N]`: loads the published MSCT–SLE trial as item-level demo data (issue 8) and
// prints the demo logins and the data manager's notes. Refuses a database that already holds it.
import { DEMO_STUDY_CODE } from '@msct/core/demo';
import { configFromEnv } from '@msct/server';
import { findStudyByCode, migrateToLatest, openDatabase } from '@msct/store';
import { type LoadDemoResult, loadDemoTrial } from '../demo/load-demo.js';

export function formatDemoReport(r: LoadDemoResult, location: string): string {
  const width = Math.max(...r.users.map((u) => u.username.length));
  const lines = [
    `msct demo: loaded study ${DEMO_STUDY_CODE} (seed ${r.seed}) into ${location}: ${r.counts.subjects} subjects, ${r.counts.visits} visits, ${r.counts.items} items, ${r.counts.infusions} infusions, ${r.counts.adverseEvents} adverse events, ${r.counts.users} users.`,
    '',
    'Demo logins (random for this install and shown only now; each must be changed at the first login; for the demo only — never use these on real data):',
    ...r.users.map(
      (u) =>
        `  ${u.username.padEnd(width)}  ${u.password}  ${u.role}${u.site ? ` at ${u.site}` : u.role === 'admin' ? '' : ' (all sites)'}`,
    ),
    '',
    'Notes:',
    ...r.notes.map((n) => `  - ${n}`),
  ];
  return lines.join('\n');
}

export async function demoCommand(opts: { seed?: string; patients?: string }): Promise<void> {
  const patients = opts.patients === undefined ? undefined : Number(opts.patients);
  // At least the published 40: fewer would not be the published trial its notes describe.
  if (patients !== undefined && !(Number.isInteger(patients) && patients >= 40 && patients <= 1_000_000))
    throw new Error(
      `--patients: a whole number from 40 (the published trial) to 1 000 000, not "${opts.patients}"`,
    );
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const m = await migrateToLatest(db);
    if (m.error) throw new Error(`migration failed: ${m.error}`);
    if (await findStudyByCode(db, DEMO_STUDY_CODE))
      throw new Error(
        `the demo study ${DEMO_STUDY_CODE} already exists in ${db.location}; to load it again, point MSCT_DATABASE_URL at a new database`,
      );
    const tty = process.stderr.isTTY;
    const result = await loadDemoTrial(db, {
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(patients !== undefined ? { patients } : {}),
      onPatient: tty
        ? (done, total) => process.stderr.write(`\rmsct demo: patient ${done}/${total}`)
        : undefined,
    });
    if (tty) process.stderr.write('\n');
    console.log(formatDemoReport(result, db.location));
  } finally {
    await db.close();
  }
}
