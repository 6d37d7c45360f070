// Blinded command-line output (issue 24): `msct randomise`, `msct analyze`, `msct export` and the
// randomisation reports run for a role the study blinds (--blinded, or MSCT_IMPORT_USER holding a
// blinded role) never show an arm. The arms have codes and labels found nowhere else, so a leak is
// found by searching every file written; the same runs unblinded show them (the check can fail).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomisedLnTrial } from '@msct/core/testing';
import {
  assignRole,
  createSite,
  createStudy,
  createSubject,
  createSubjectRecord,
  createUser,
  createVisit,
  saveItems,
} from '@msct/store';
import { createTestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCommand } from './analyze.js';
import { exportCommand } from './exchange.js';
import { balanceCommand, correctCommand, correctionsCommand, randomiseCommand } from './randomise.js';

const ARM_TEXT = ['zq-active', 'zq-control', 'Zq active arm', 'Zq control arm'];
/** Blinds the monitor; names no arm-revealing form, so a blinded export may be written. */
const plain = {
  ...randomisedLnTrial,
  id: 'blinded-plain',
  arms: [
    { id: 'zq-active', label: 'Zq active arm', ratio: 1 },
    { id: 'zq-control', label: 'Zq control arm', ratio: 1 },
  ],
  randomisation: { ...randomisedLnTrial.randomisation!, armRevealing: { forms: [] } },
};

const dir = mkdtempSync(join(tmpdir(), 'msct-blinded-'));
const saved = { url: process.env.MSCT_DATABASE_URL, user: process.env.MSCT_IMPORT_USER };
let drop: () => Promise<void>;

/** Every file under a path, read as text. */
function textOf(path: string): string {
  if (!statSync(path).isDirectory()) return readFileSync(path, 'utf8');
  return readdirSync(path)
    .map((f) => textOf(join(path, f)))
    .join('\n');
}
const leak = (text: string) => ARM_TEXT.find((t) => text.includes(t)) ?? null;

beforeAll(async () => {
  const t = await createTestDatabase('sqlite');
  drop = t.drop;
  process.env.MSCT_DATABASE_URL = t.url;
  delete process.env.MSCT_IMPORT_USER;
  const system = { id: null, name: 'test' };
  const admin = await createUser(t.db, system, {
    username: 'root',
    displayName: 'Root',
    passwordHash: 'x',
    mustChangePassword: false,
  });
  await assignRole(t.db, system, { userId: admin.id, role: 'admin', studyId: null, siteId: null });
  for (const [code, definition] of [
    ['BLND', plain],
    ['BLNR', randomisedLnTrial],
  ] as const) {
    const study = await createStudy(t.db, system, { code, title: code, definition });
    const site = await createSite(t.db, system, { studyId: study.id, code: 'SA', name: 'Site A' });
    for (let i = 0; i < 4; i++) {
      const s = await createSubject(t.db, system, { studyId: study.id, siteId: site.id, status: 'enrolled' });
      const v = await createVisit(t.db, system, {
        subjectId: s.id,
        visitCode: 'SCR',
        visitDate: '2026-01-05',
      });
      await saveItems(
        t.db,
        { id: admin.id, name: 'root' },
        { visitId: v.id, formCode: 'renal-screening', items: [{ itemCode: 'ln_class', value: 'IV' }] },
      );
    }
    if (code === 'BLNR') {
      // The first subject's arm-revealing data: the infusion form at day 0 and an infusion record.
      const [first] = await t.db.kysely
        .selectFrom('subjects')
        .select('id')
        .where('study_id', '=', study.id)
        .orderBy('subject_code')
        .execute();
      const d0 = await createVisit(t.db, system, {
        subjectId: first!.id,
        visitCode: 'D0',
        visitDate: '2026-01-10',
      });
      await saveItems(
        t.db,
        { id: admin.id, name: 'root' },
        { visitId: d0.id, formCode: 'infusion', items: [{ itemCode: 'cells_per_kg', value: '1000000' }] },
      );
      await createSubjectRecord(t.db, { id: admin.id, name: 'root' }, 'infusions', first!.id, {
        cycle: 1,
        infusion_number: 1,
        planned_date: '2026-01-10',
        started_at: null,
        ended_at: null,
        product_lot: 'LOT-ZQ-BLIND',
        total_cells: 55e6,
        viability_pct: 95,
        volume_ml: 100,
        weight_kg: 55,
        vitals_json: null,
        reactions: null,
        status: 'given',
      });
    }
    if (code === 'BLND') {
      const mon = await createUser(t.db, system, {
        username: 'mon',
        displayName: 'Monitor',
        passwordHash: 'x',
        mustChangePassword: false,
      });
      await assignRole(t.db, system, { userId: mon.id, role: 'monitor', studyId: study.id, siteId: null });
    }
  }
  await t.db.close();
}, 60_000);
afterAll(async () => {
  for (const [k, v] of [
    ['MSCT_DATABASE_URL', saved.url],
    ['MSCT_IMPORT_USER', saved.user],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('blinded command-line output (issue 24)', () => {
  it('msct randomise --blinded prints no arm and no place in the sequence; unblinded it does', async () => {
    const open = await randomiseCommand('SA-001', { study: 'BLND' });
    expect(leak(open)).not.toBeNull();
    const blinded = await randomiseCommand('SA-002', { study: 'BLND', blinded: true });
    expect(blinded).toMatch(
      /^SA-002: randomised, stratum site=SA;lnClass=IV; arm not shown \(blinded: --blinded\)$/,
    );
    expect(leak(blinded)).toBeNull();
    // The operator named by MSCT_IMPORT_USER is a monitor, whom the study blinds: blinded without the flag.
    process.env.MSCT_IMPORT_USER = 'mon';
    try {
      const byRole = await randomiseCommand('SA-003', { study: 'BLND' });
      expect(byRole).toMatch(/arm not shown \(blinded: MSCT_IMPORT_USER mon has the role monitor/);
      await expect(balanceCommand({ study: 'BLND' })).rejects.toThrow(
        /the allocation balance \(counts per arm\) reveals the arm; refused for a blinded run/,
      );
    } finally {
      delete process.env.MSCT_IMPORT_USER;
    }
    await randomiseCommand('SA-004', { study: 'BLND' });
    for (const s of ['SA-001', 'SA-002']) await randomiseCommand(s, { study: 'BLNR' });
  });

  it('corrections: a new record from → to, listed; refused to a blinded run', async () => {
    await expect(
      correctCommand('SA-001', { study: 'BLND', to: 'zq-active', reason: 'x', blinded: true }),
    ).rejects.toThrow(/refused for a blinded run \(--blinded\)/);
    const list0 = await correctionsCommand({ study: 'BLND' });
    expect(list0).toBe('no assignment of BLND has been corrected');
    const json = JSON.parse(await balanceCommand({ study: 'BLND', json: true })) as unknown;
    expect(json).toBeTruthy();
    const arm = (await randomiseCommand('SA-001', { study: 'BLND' }).catch(
      (e: Error) => e.message,
    )) as string;
    expect(arm).toMatch(/already randomised/);
    const msg = await correctCommand('SA-001', {
      study: 'BLND',
      to: 'zq-control',
      reason: 'kit of the control arm dispensed',
    }).catch((e: Error) => e.message);
    // The subject was randomised to one of the two arms: correcting to the same arm is refused.
    const to = /already zq-control/.test(msg) ? 'zq-active' : 'zq-control';
    const done = /already/.test(msg)
      ? await correctCommand('SA-001', { study: 'BLND', to, reason: 'kit of the other arm dispensed' })
      : msg;
    expect(done).toMatch(
      /^SA-001: assignment corrected from zq-(active|control) to zq-(active|control) \(.+\); randomised to zq-(active|control), which the analysis keeps \(intention to treat\)$/,
    );
    const list = JSON.parse(await correctionsCommand({ study: 'BLND', json: true })) as { subject: string }[];
    expect(list.map((c) => c.subject)).toEqual(['SA-001']);
    await expect(correctionsCommand({ study: 'BLND', blinded: true })).rejects.toThrow(/blinded run/);
  });

  it('msct analyze --blinded writes no result by arm in any format; unblinded it does', async () => {
    const open = join(dir, 'open');
    await analyzeCommand({ study: 'BLND', out: open, format: 'html,json,csv' });
    expect(leak(textOf(open))).not.toBeNull();
    const blinded = join(dir, 'blinded');
    await analyzeCommand({ study: 'BLND', out: blinded, format: 'html,json,csv', blinded: true });
    expect(leak(textOf(blinded))).toBeNull();
    expect(JSON.parse(readFileSync(join(blinded, 'results.json'), 'utf8')).byArm).toBeUndefined();
    process.env.MSCT_IMPORT_USER = 'mon';
    try {
      const byRole = join(dir, 'by-role');
      await analyzeCommand({ study: 'BLND', out: byRole, format: 'json' });
      expect(leak(textOf(byRole))).toBeNull();
    } finally {
      delete process.env.MSCT_IMPORT_USER;
    }
  }, 60_000);

  it('msct export --blinded: ODM and SDTM hold no arm and leave the arm-revealing forms out, saying so; unblinded they hold them', async () => {
    // BLNR's arms are the randomised trial's; its infusion form (cells_per_kg) and infusion records
    // (product lot LOT-ZQ-BLIND) are arm-revealing.
    const BLNR_TEXT = ['Repeat MSCT + standard care', 'Standard care', 'cells_per_kg', 'LOT-ZQ-BLIND'];
    const blnrLeak = (text: string) => BLNR_TEXT.find((t) => text.includes(t)) ?? null;
    for (const format of ['odm', 'sdtm'] as const) {
      const ext = format === 'odm' ? '.xml' : '';
      const out = join(dir, `export-${format}${ext}`);
      await exportCommand({ study: 'BLND', format, out, blinded: true });
      expect(leak(textOf(out))).toBeNull();
      expect(textOf(out)).toContain('Blinded export: no treatment arm');
      const blinded = join(dir, `blinded-blnr-${format}${ext}`);
      await exportCommand({ study: 'BLNR', format, out: blinded, blinded: true });
      expect(blnrLeak(textOf(blinded))).toBeNull();
      expect(textOf(blinded)).toContain(
        'Blinded export: no treatment arm; the forms infusion, the infusion records left out as revealing the arm',
      );
      // Unblinded, the operator's export of the same study holds them (the check can fail).
      const open = join(dir, `open-blnr-${format}${ext}`);
      await exportCommand({ study: 'BLNR', format, out: open });
      const text = textOf(open);
      expect(text).toContain('LOT-ZQ-BLIND');
      if (format === 'odm') expect(text).toContain('cells_per_kg');
      else
        expect(readFileSync(join(open, 'dm.csv'), 'utf8')).toMatch(
          /Repeat MSCT \+ standard care|Standard care/,
        );
    }
  }, 60_000);
});
