// `msct randomise SUBJECT` and `msct randomisation balance` (issue 24) on a real database.
import { randomisedLnTrial } from '@msct/core/testing';
import {
  assignRole,
  createSite,
  createStudy,
  createSubject,
  createUser,
  createVisit,
  saveItems,
} from '@msct/store';
import { createTestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceCommand, randomiseCommand } from './randomise.js';

describe('msct randomise / msct randomisation balance', () => {
  let drop: () => Promise<void>;
  const before = process.env.MSCT_DATABASE_URL;
  beforeAll(async () => {
    const t = await createTestDatabase('sqlite');
    drop = t.drop;
    process.env.MSCT_DATABASE_URL = t.url;
    const system = { id: null, name: 'test' };
    const admin = await createUser(t.db, system, {
      username: 'root',
      displayName: 'Root',
      passwordHash: 'x',
      mustChangePassword: false,
    });
    await assignRole(t.db, system, { userId: admin.id, role: 'admin', studyId: null, siteId: null });
    const study = await createStudy(t.db, system, {
      code: 'LNRCT',
      title: 'LN RCT',
      definition: randomisedLnTrial,
    });
    const site = await createSite(t.db, system, { studyId: study.id, code: 'SA', name: 'Site A' });
    for (const [status, cls] of [
      ['enrolled', 'IV'],
      ['enrolled', 'IV'],
      ['screening', 'V'],
    ] as const) {
      const s = await createSubject(t.db, system, { studyId: study.id, siteId: site.id, status });
      const v = await createVisit(t.db, system, {
        subjectId: s.id,
        visitCode: 'SCR',
        visitDate: '2026-01-05',
      });
      await saveItems(
        t.db,
        { id: admin.id, name: 'root' },
        { visitId: v.id, formCode: 'renal-screening', items: [{ itemCode: 'ln_class', value: cls }] },
      );
    }
    await t.db.close();
  });
  afterAll(async () => {
    if (before === undefined) delete process.env.MSCT_DATABASE_URL;
    else process.env.MSCT_DATABASE_URL = before;
    await drop?.();
  });

  it('randomises by subject code, refuses a second time and a subject not enrolled', async () => {
    expect(await randomiseCommand('SA-001', {})).toMatch(
      /^SA-001: randomised to (msct|control) \(.+\), stratum site=SA;lnClass=IV, number 1 of its sequence \(seed sha256:[0-9a-f]{64}\)$/,
    );
    expect(await randomiseCommand('SA-002', {})).toMatch(
      /stratum site=SA;lnClass=IV, number 2 of its sequence/,
    );
    await expect(randomiseCommand('SA-001', {})).rejects.toThrow(
      /already randomised; an assignment is final/,
    );
    await expect(randomiseCommand('SA-003', {})).rejects.toThrow(/the subject is screening/);
  });

  it('prints the balance: a block of 2 or the first half of a block of 4', async () => {
    const table = (await balanceCommand({})).split('\n');
    expect(table[0]).toMatch(/^group\s+n\s+msct\s+control\s+max \|deviation\|$/);
    expect(table[1]).toMatch(/^overall\s+2\s+[012]\s+[012]\s+(0\.00|1\.00)$/);
    expect(table.some((l) => l.startsWith('site=SA;lnClass=IV '))).toBe(true);
    const json = JSON.parse(await balanceCommand({ json: true }));
    expect(json.report.overall.total).toBe(2);
  });
});
