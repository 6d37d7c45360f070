// Importer fuzzing (issue 9): the CSV import (long and wide) and the ODM import get malformed,
// wrong-typed, out-of-range, unicode-edge and injection-shaped files from fast-check, in random
// chunks, plus hand-made attacks (entity expansion, external entities, deep nesting, huge fields).
// Each run ends in a report whose every problem names row, column, rule and message, or in a clear
// error (StoreError, or a plain Error naming what is wrong) — never a TypeError or another
// unexplained crash, never a hang — and the database is unchanged whenever nothing was written.
// The cases are testing/import-fuzz-cases.ts; the import route's fuzzing is
// server/src/routes/imports-fuzz.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { StoreError } from '@msct/store';
import { createTestDatabase, type TestDatabase } from '@msct/store/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv, type WideMapping } from './csv-import.js';
import type { ImportReport } from './import-check.js';
import { importOdm } from './odm-import.js';
import {
  cycleCell,
  LONG_HEADER,
  longCsv,
  nasty,
  RULE,
  valueCell,
  wideCase,
} from './testing/import-fuzz-cases.js';
import { createTestStudy, databaseFingerprint, type TestStudy } from './testing/test-study.js';

/** Longest any one import may take before it counts as a hang. */
const HANG_MS = 15_000;

/** Splits bytes into random-sized chunks (a multi-byte character or a CRLF may be cut in two). */
const chunking = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 });
function chunked(bytes: Buffer, sizes: number[]): () => Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return () => Readable.from(chunks);
}

/** The property every import run must hold; returns the report (or undefined after a clear error). */
async function mustExplain(
  db: TestDatabase['db'],
  what: string,
  run: () => Promise<ImportReport>,
  opts: { dryRun?: boolean; skipInvalid?: boolean; createsSubjects?: boolean },
): Promise<ImportReport | undefined> {
  const before = await databaseFingerprint(db);
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: ${what} took longer than ${HANG_MS} ms`)), HANG_MS);
  });
  let report: ImportReport | undefined;
  try {
    report = await Promise.race([run(), hang]);
  } catch (e) {
    const err = e as Error;
    expect(err.message, `${what}: hung`).not.toMatch(/^HANG/);
    // A clear error: a StoreError, or a plain Error with a message; not TypeError, RangeError etc.
    const clear =
      err instanceof StoreError ||
      (err instanceof Error && Object.getPrototypeOf(err) === Error.prototype && err.message.trim() !== '');
    expect(clear, `${what}: unexplained ${err?.constructor?.name}: ${err?.message}\n${err?.stack}`).toBe(
      true,
    );
    expect(await databaseFingerprint(db), `${what}: the database changed after an error`).toBe(before);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
  for (const p of report.problems) {
    expect(Number.isInteger(p.row) && p.row >= 0, `${what}: row of ${JSON.stringify(p)}`).toBe(true);
    expect(typeof p.column === 'string' && p.column !== '', `${what}: column of ${JSON.stringify(p)}`).toBe(
      true,
    );
    expect(p.rule, what).toMatch(RULE);
    expect(typeof p.message === 'string' && p.message.trim() !== '', `${what}: message`).toBe(true);
  }
  for (const n of [report.rows, report.values, report.invalidRows, report.problemsNotListed, report.entered])
    expect(Number.isInteger(n) && n >= 0, what).toBe(true);
  if (report.invalidRows > 0) expect(report.problems.length, what).toBeGreaterThan(0);
  if (opts.dryRun) expect(report.written, what).toBe(false);
  if (report.problems.length > 0 && !opts.skipInvalid) expect(report.written, what).toBe(false);
  // The CSV import creates no subjects, so its counts cover every write; the ODM import creates
  // subjects it does not count, so for it only `written: false` promises an unchanged database.
  const counted = report.entered + report.changed + report.visitsCreated + report.formsCreated;
  const wroteNothing = !report.written || (!opts.createsSubjects && counted === 0);
  if (wroteNothing)
    expect(await databaseFingerprint(db), `${what}: nothing written, yet changed`).toBe(before);
  return report;
}

const flags = fc.record({ dryRun: fc.boolean(), skipInvalid: fc.boolean() });

describe('fuzzing the CSV import', () => {
  let t: TestDatabase;
  let study: TestStudy;
  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    study = await createTestStudy(t.db, 2);
  });
  afterAll(() => t?.drop());

  it('long files: any header, rows, quoting, line ends, BOM and corrupt bytes are explained', async () => {
    await fc.assert(
      fc.asyncProperty(longCsv, chunking, flags, async (bytes, sizes, f) => {
        await mustExplain(
          t.db,
          `long CSV ${JSON.stringify(bytes.toString('latin1').slice(0, 300))}`,
          () =>
            importCsv(t.db, study.studyId, chunked(bytes, sizes), {
              format: 'long',
              actor: study.actor,
              ...f,
            }),
          f,
        );
      }),
      { numRuns: 150 },
    );
  });

  it('any bytes at all, as long or wide', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 600 }),
        chunking,
        fc.constantFrom('long', 'wide') as fc.Arbitrary<'long' | 'wide'>,
        flags,
        async (raw, sizes, format, f) => {
          const bytes = Buffer.from(raw);
          await mustExplain(
            t.db,
            `${format} bytes ${bytes.toString('hex').slice(0, 300)}`,
            () => importCsv(t.db, study.studyId, chunked(bytes, sizes), { format, actor: study.actor, ...f }),
            f,
          );
        },
      ),
      { numRuns: 80 },
    );
  });

  it('wide files with any mapping (prototype-named columns, bad targets, visit maps) are explained', async () => {
    await fc.assert(
      fc.asyncProperty(wideCase, chunking, flags, async ({ bytes, mapping }, sizes, f) => {
        await mustExplain(
          t.db,
          `wide CSV ${JSON.stringify(bytes.toString('latin1').slice(0, 300))} mapping ${JSON.stringify(mapping)?.slice(0, 300)}`,
          () =>
            importCsv(t.db, study.studyId, chunked(bytes, sizes), {
              format: 'wide',
              actor: study.actor,
              ...(mapping ? { mapping } : {}),
              ...f,
            }),
          f,
        );
      }),
      { numRuns: 120 },
    );
  });

  it('gives the same report however the bytes are cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(longCsv, chunking, async (bytes, sizes) => {
        const opts = { format: 'long' as const, actor: study.actor, dryRun: true };
        const whole = await importCsv(t.db, study.studyId, () => Readable.from([bytes]), opts);
        const pieces = await importCsv(t.db, study.studyId, chunked(bytes, sizes), opts);
        expect(pieces).toEqual(whole);
      }),
      { numRuns: 80 },
    );
  });

  it('strips a BOM that arrives one byte per chunk', async () => {
    const bytes = Buffer.from('\ufeff"subject",visit,form,item,value,unit\nNJDT-001,M6,labs,c3,0.5,g/L\n');
    const r = await importCsv(t.db, study.studyId, chunked(bytes, [1]), {
      format: 'long',
      actor: study.actor,
      dryRun: true,
    });
    expect(r.problems).toEqual([]);
    expect(r.values).toBe(1);
  });

  it('names an unnamed column by its position, and reads prototype-named columns and visits as data', async () => {
    const wide = async (csv: string, mapping: WideMapping) =>
      importCsv(t.db, study.studyId, () => Readable.from([csv]), {
        format: 'wide',
        actor: study.actor,
        mapping,
        dryRun: true,
      });
    const unnamed = await wide('subject,visit,\nNJDT-001,M6,1\n', { columns: { '': 'nodot' } });
    expect(unnamed.problems).toEqual([
      {
        row: 1,
        column: 'column 3 (no name)',
        rule: 'mapping-invalid',
        message: 'maps to "nodot", which is not form.item',
      },
    ]);
    const proto = await wide(
      'subject,visit,constructor,toString\nNJDT-001,__proto__,0.5,x\nNJDT-001,constructor,0.5,x\n',
      {
        columns: { toString: 'labs.c3' },
      },
    );
    // "constructor" is not in the mapping: left out like any unmapped column, not read as Object's own.
    expect(proto.problems.map((p) => [p.row, p.column, p.rule])).toEqual([
      [2, 'visit', 'visit-not-in-schedule'],
      [3, 'visit', 'visit-not-in-schedule'],
    ]);
    expect(proto.problems[0]!.message).toMatch(/^visitCode: "__proto__" is not a visit of study MSCT-SLE/);
    const visits = await wide('subject,visit,c3\nNJDT-001,constructor,0.5\n', {
      columns: { c3: { item: 'labs.c3', unit: 'g/L' } },
      visits: { month6: 'M6' },
    });
    expect(visits.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^visitCode: "constructor" is not a visit of study MSCT-SLE/),
    ]);
  });

  it('explains huge fields and a file that is one unterminated quoted field', async () => {
    const big = 'x'.repeat(8 * 1024 * 1024);
    const cases: [string, Buffer][] = [
      ['an 8 MB value', Buffer.from(`${LONG_HEADER.join(',')}\nNJDT-001,M6,labs,c3,${big},g/L\n`)],
      ['an 8 MB header', Buffer.from(`${big}\nNJDT-001\n`)],
      [
        'an unterminated quote',
        Buffer.from(`${LONG_HEADER.join(',')}\n"NJDT-001,M6,labs,c3,0.5,g/L\n${'a,'.repeat(100_000)}`),
      ],
      ['a million empty lines', Buffer.from(`${LONG_HEADER.join(',')}${'\r\n'.repeat(1_000_000)}`)],
      ['a million commas', Buffer.from(`${LONG_HEADER.join(',')}\n${','.repeat(1_000_000)}\n`)],
    ];
    for (const [what, bytes] of cases) {
      const r = await mustExplain(
        t.db,
        what,
        () =>
          importCsv(t.db, study.studyId, chunked(bytes, [65_536]), { format: 'long', actor: study.actor }),
        {},
      );
      expect(r?.entered ?? 0, what).toBe(0);
    }
  }, 60_000);
});

describe('fuzzing the ODM import', () => {
  let t: TestDatabase;
  let study: TestStudy;
  let dir: string;
  let http: Server;
  let httpHits = 0;
  let httpUrl = '';
  const MARKER = `secret-marker-${Math.random().toString(36).slice(2)}`;
  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    study = await createTestStudy(t.db, 2);
    dir = mkdtempSync(join(tmpdir(), 'msct-odm-fuzz-'));
    writeFileSync(join(dir, 'secret.txt'), MARKER);
    writeFileSync(join(dir, 'evil.dtd'), `<!ENTITY leak "${MARKER}">`);
    // An external entity pointing here must never be fetched.
    http = createServer((_req, res) => {
      httpHits++;
      res.end(MARKER);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const a = http.address();
    httpUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/x`;
  });
  afterAll(async () => {
    await new Promise((r) => http?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.drop();
  });

  const esc = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  /** An attribute value, escaped (well-formed) or not (often malformed). */
  const attr = (v: string, raw: boolean) => (raw ? v : esc(v));
  const oid = (...good: string[]) => fc.oneof(fc.constantFrom(...good), fc.constantFrom(...good), nasty);
  const itemData = fc.record({
    oid: oid(
      'I.labs.c3',
      'I.labs.creatinine',
      'I.bilag.renal',
      'I.SUBJECT.STATUS',
      'I.SUBJECT.BIRTH_DATE',
      'I.SUBJECT.DAY0_DATE',
      'I.VISIT.VISIT_DATE',
      'CREAT',
      'constructor',
      '__proto__',
      'toString',
      'I.nodot',
    ),
    value: fc.option(valueCell, { nil: undefined }),
    isNull: fc.boolean(),
    unit: fc.option(oid('U1', 'MU.g/L', 'g/L', 'nosuch'), { nil: undefined }),
  });
  const eventData = fc.record({
    oid: oid('SE.M6', 'SE.M3', 'SE.SUBJECT', 'SE.M99', 'EV6', 'constructor', '__proto__'),
    repeat: fc.option(cycleCell, { nil: undefined }),
    form: oid('F.labs', 'F.SUBJECT', 'F.VISIT', 'nosuch'),
    items: fc.array(itemData, { maxLength: 4 }),
  });
  const subjectData = fc.record({
    key: oid('NJDT-001', 'ZJJU-001', 'NEW-001', 'NEW-002', ''),
    site: fc.option(oid('LOC.NJDT', 'LOC.ZJJU', 'LOC.NEW', 'NJDT'), { nil: undefined }),
    events: fc.array(eventData, { maxLength: 3 }),
  });
  const root = fc.constantFrom<[string, string]>(
    ['ODM', 'xmlns="http://www.cdisc.org/ns/odm/v1.3"'],
    ['ODM', ''],
    ['ODM', 'xmlns="urn:wrong"'],
    ['odm:ODM', 'xmlns:odm="http://www.cdisc.org/ns/odm/v1.3"'],
    ['x:ODM', 'xmlns:x="urn:wrong"'],
    ['y:ODM', ''],
    ['NotODM', ''],
  );
  const odmDoc = fc
    .record({
      root,
      raw: fc.boolean(),
      units: fc.array(fc.tuple(oid('U1', 'MU.g/L'), oid('g/L', 'mg/dL', 'µmol/L')), { maxLength: 2 }),
      locations: fc.array(fc.tuple(oid('LOC.NEW', 'LOC.NJDT'), nasty), { maxLength: 2 }),
      subjects: fc.array(subjectData, { maxLength: 3 }),
      clinicalTwice: fc.boolean(),
    })
    .map(({ root: [tag, ns], raw, units, locations, subjects, clinicalTwice }) => {
      const a = (v: string) => attr(v, raw);
      const clinical = `<ClinicalData StudyOID="S" MetaDataVersionOID="v1">${subjects
        .map(
          (s) =>
            `<SubjectData SubjectKey="${a(s.key)}">${s.site === undefined ? '' : `<SiteRef LocationOID="${a(s.site)}"/>`}${s.events
              .map(
                (e) =>
                  `<StudyEventData StudyEventOID="${a(e.oid)}"${e.repeat === undefined ? '' : ` StudyEventRepeatKey="${a(e.repeat)}"`}><FormData FormOID="${a(e.form)}"><ItemGroupData ItemGroupOID="IG">${e.items
                    .map(
                      (i) =>
                        `<ItemData ItemOID="${a(i.oid)}"${i.value === undefined ? '' : ` Value="${a(i.value)}"`}${i.isNull ? ' IsNull="Yes"' : ''}>${i.unit === undefined ? '' : `<MeasurementUnitRef MeasurementUnitOID="${a(i.unit)}"/>`}</ItemData>`,
                    )
                    .join('')}</ItemGroupData></FormData></StudyEventData>`,
              )
              .join('')}</SubjectData>`,
        )
        .join('')}</ClinicalData>`;
      return `<?xml version="1.0" encoding="UTF-8"?>
<${tag} ${ns} ODMVersion="1.3.2" FileType="Snapshot" FileOID="F" CreationDateTime="2024-01-01T00:00:00">
<Study OID="S"><BasicDefinitions>${units.map(([o, n]) => `<MeasurementUnit OID="${a(o)}" Name="${a(n)}"/>`).join('')}</BasicDefinitions></Study>
<AdminData>${locations.map(([o, n]) => `<Location OID="${a(o)}" Name="${a(n)}"/>`).join('')}</AdminData>
${clinical}${clinicalTwice ? clinical : ''}
</${tag}>`;
    });
  /** A document broken at the byte level: cut short, or junk spliced in. */
  const brokenDoc = fc
    .tuple(
      odmDoc,
      fc.nat(),
      fc.oneof(
        fc.constant(''),
        nasty,
        fc.constantFrom('<', '>', '&', '"', '</ODM>', '<![CDATA[', '<!--', '<?x'),
      ),
      fc.boolean(),
    )
    .map(([doc, at, junk, cut]) => {
      const i = at % (doc.length + 1);
      return cut ? doc.slice(0, i) + junk : doc.slice(0, i) + junk + doc.slice(i);
    });
  // Ordinary objects, as the CLI and JSON give them: an OID named like an Object.prototype member
  // ("__proto__", "constructor", "toString") must be read as data (it crashed the importer once).
  const oidMap = fc.option(
    fc.constantFrom<Record<string, string>>(
      { CREAT: 'labs.creatinine', EV6: 'M6' },
      { CREAT: 'labs.creatinine', constructor: 'labs.c3' },
    ),
    { nil: undefined },
  );

  const runOdm = (
    input: string | Buffer,
    f: { dryRun: boolean; skipInvalid: boolean },
    map?: Record<string, string>,
    chunk = 0,
  ) =>
    importOdm(
      t.db,
      study.studyId,
      typeof input === 'string' && chunk === 0 ? input : chunked(Buffer.from(input), [chunk || 65_536])(),
      { actor: study.actor, ...f, ...(map ? { oidMap: map } : {}) },
    );

  it('well-formed and broken documents, any namespace, unknown OIDs: explained, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(odmDoc, brokenDoc),
        oidMap,
        flags,
        fc.constantFrom(0, 7, 4096),
        async (doc, map, f, chunk) => {
          await mustExplain(
            t.db,
            `ODM ${JSON.stringify(doc.slice(0, 1200))} oidMap ${JSON.stringify(map)}`,
            () => runOdm(doc, f, map, chunk),
            { ...f, createsSubjects: true },
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('any bytes at all', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), flags, async (raw, f) => {
        await mustExplain(
          t.db,
          `ODM bytes ${Buffer.from(raw).toString('hex')}`,
          () => runOdm(Buffer.from(raw), f, undefined, 13),
          { ...f, createsSubjects: true },
        );
      }),
      { numRuns: 60 },
    );
  });

  /** A document whose one value (a free-text item of an existing subject) is `value`, after `doctype`. */
  const withValue = (doctype: string, value: string) => `<?xml version="1.0" encoding="UTF-8"?>
${doctype}
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileType="Snapshot" FileOID="F" CreationDateTime="2024-01-01T00:00:00">
<ClinicalData StudyOID="S" MetaDataVersionOID="v1"><SubjectData SubjectKey="NJDT-001"><SiteRef LocationOID="LOC.NJDT"/>
<StudyEventData StudyEventOID="SE.SCR"><FormData FormOID="F.demographics"><ItemGroupData ItemGroupOID="IG">
<ItemData ItemOID="I.demographics.manifestations" Value="${value}"/>
</ItemGroupData></FormData></StudyEventData></SubjectData></ClinicalData></ODM>`;

  async function storedText(): Promise<string> {
    const rows = await t.db.kysely.selectFrom('item_values').select('value').execute();
    return rows.map((r) => r.value ?? '').join('\n');
  }

  it('reads no external entity and expands no entity bomb', async () => {
    const lol = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    const cases: [string, string][] = [
      ['billion laughs', withValue(`<!DOCTYPE ODM [${lol.join('')}]>`, '&lol9;')],
      [
        'quadratic blowup',
        withValue(`<!DOCTYPE ODM [<!ENTITY a "${'a'.repeat(100_000)}">]>`, '&a;'.repeat(2000)),
      ],
      [
        'XXE on /etc/passwd',
        withValue('<!DOCTYPE ODM [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;'),
      ],
      [
        'XXE on a local file',
        withValue(`<!DOCTYPE ODM [<!ENTITY xxe SYSTEM "file://${dir}/secret.txt">]>`, '&xxe;'),
      ],
      ['XXE over HTTP', withValue(`<!DOCTYPE ODM [<!ENTITY xxe SYSTEM "${httpUrl}">]>`, '&xxe;')],
      [
        'public external entity',
        withValue(`<!DOCTYPE ODM [<!ENTITY xxe PUBLIC "-//X//EN" "${httpUrl}">]>`, '&xxe;'),
      ],
      [
        'parameter entity',
        withValue(`<!DOCTYPE ODM [<!ENTITY % p SYSTEM "file://${dir}/evil.dtd"> %p;]>`, '&leak;'),
      ],
      ['external DTD', withValue(`<!DOCTYPE ODM SYSTEM "file://${dir}/evil.dtd">`, '&leak;')],
      ['external DTD over HTTP', withValue(`<!DOCTYPE ODM SYSTEM "${httpUrl}">`, 'plain')],
      [
        'entity in an attribute name position',
        withValue('<!DOCTYPE ODM [<!ENTITY e "x">]>', '&e;&e;&#0;&#xFFFE;'),
      ],
    ];
    for (const [what, doc] of cases)
      for (const f of [
        { dryRun: true, skipInvalid: false },
        { dryRun: false, skipInvalid: false },
      ]) {
        const r = await mustExplain(t.db, what, () => runOdm(doc, f), { ...f, createsSubjects: true });
        const said = JSON.stringify(r ?? {});
        expect(said, `${what}: the report carries the file`).not.toContain(MARKER);
        expect(said, `${what}: the report carries /etc/passwd`).not.toMatch(/root:.*:0:0:/);
        expect(said.length, `${what}: the report is bloated`).toBeLessThan(100_000);
        const stored = await storedText();
        expect(stored, `${what}: the file was read into the database`).not.toContain(MARKER);
        expect(stored, `${what}: /etc/passwd was read into the database`).not.toMatch(/root:.*:0:0:/);
        expect(stored, `${what}: an entity was expanded into the database`).not.toContain('lollollol');
        expect(stored, `${what}: an entity was expanded into the database`).not.toContain('a'.repeat(1000));
      }
    expect(httpHits, 'an external entity was fetched over HTTP').toBe(0);
  }, 60_000);

  it('reads OIDs named like Object.prototype members as data, with an ordinary oidMap', async () => {
    const doc = (event: string, item: string) =>
      `<ODM><ClinicalData StudyOID="S" MetaDataVersionOID="v1"><SubjectData SubjectKey="NJDT-001"><StudyEventData StudyEventOID="${event}"><FormData FormOID="F.labs"><ItemGroupData ItemGroupOID="IG"><ItemData ItemOID="${item}" Value="0.5"/></ItemGroupData></FormData></StudyEventData></SubjectData></ClinicalData></ODM>`;
    const f = { dryRun: false, skipInvalid: false };
    for (const [event, item, rule] of [
      ['SE.M6', '__proto__', 'item-unknown'],
      ['SE.M6', 'constructor', 'item-unknown'],
      ['SE.M6', 'toString', 'item-unknown'],
      ['constructor', 'I.labs.c3', 'visit-not-in-schedule'],
      ['__proto__', 'I.labs.c3', 'visit-not-in-schedule'],
    ] as const) {
      const r = await mustExplain(
        t.db,
        `${event} ${item}`,
        () => runOdm(doc(event, item), f, { CREAT: 'labs.creatinine' }),
        f,
      );
      expect(
        r?.problems.map((p) => p.rule),
        `${event} ${item}`,
      ).toEqual([rule]);
    }
  });

  it('explains deep nesting and huge attributes without overflowing the stack', async () => {
    const depth = 50_000;
    const cases: [string, string][] = [
      ['deep unknown elements', `<ODM>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</ODM>`],
      ['deep ODM elements', `<ODM>${'<ClinicalData>'.repeat(depth)}${'</ClinicalData>'.repeat(depth)}</ODM>`],
      ['deep and unclosed', `<ODM>${'<SubjectData SubjectKey="NJDT-001">'.repeat(depth)}`],
      ['an 8 MB attribute', withValue('', 'v'.repeat(8 * 1024 * 1024))],
      ['100 000 attributes', `<ODM ${Array.from({ length: 100_000 }, (_, i) => `a${i}="x"`).join(' ')}/>`],
    ];
    for (const [what, doc] of cases) {
      const f = { dryRun: false, skipInvalid: false };
      await mustExplain(t.db, what, () => runOdm(doc, f), { ...f, createsSubjects: true });
    }
  }, 120_000);
});
