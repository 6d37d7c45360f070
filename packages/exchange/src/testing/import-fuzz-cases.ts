// The importers' fuzz cases (issue 9): fast-check arbitraries for malformed, wrong-typed,
// out-of-range, unicode-edge and injection-shaped CSV files (long and wide), shared by the importer
// fuzzing (exchange/src/import-fuzz.test.ts) and the import route's (server/src/routes/imports-fuzz.test.ts).
import fc from 'fast-check';
import type { WideMapping } from '../csv-import.js';

export const NASTY_STRINGS = [
  "'; DROP TABLE item_values; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '=HYPERLINK("http://evil")',
  '+cmd|calc',
  '../../etc/passwd',
  '\u0000',
  '\ud800',
  '\u202e\u200b\ufeff',
  '\u00a0 12 \u2003',
  '１２', // full-width digits
  '𝕏'.repeat(300),
  'x'.repeat(70_000),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose.
  '${7*7}',
  '{{constructor.constructor("return process")()}}',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '&amp;&lt;&#0;&#xD800;',
];

export const nasty = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
export const numberish = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt().map(String),
  fc.constantFrom('NaN', 'Infinity', '-0', '1e309', '0x10', '1_000', ' 12 ', '12,5', '-1', '99999999999'),
);
export const dateish = fc.constantFrom(
  '2024-02-30',
  '2024-13-01',
  '9999-12-31',
  '0000-00-00',
  '2024-1-1',
  '24/01/2024',
);

// Real names of the test study, so that a good share of values reach the value checks (and some are
// valid and get written), mixed with junk for every column.
export const pool = (...good: string[]) =>
  fc.oneof(fc.constantFrom(...good), fc.constantFrom(...good), nasty, numberish);
export const SUBJECTS = ['NJDT-001', 'ZJJU-001', 'NJDT-999'];
export const subjectCell = pool(...SUBJECTS);
export const visitCell = pool('SCR', 'D0', 'M3', 'M6', 'M12', 'M99', 'SUBJECT');
export const cycleCell = fc.oneof(pool('', '1', '2', '0', '-1', '1.5'), dateish);
export const formCell = pool(
  'labs',
  'bilag',
  'sledai2k',
  'demographics',
  'medication',
  'SUBJECT',
  'VISIT',
  'nosuch',
);
export const itemCell = pool(
  'creatinine',
  'c3',
  'renal',
  'general',
  'age_years',
  'manifestations',
  'prednisone_mg_day',
);
export const valueCell = fc.oneof(pool('88', '0.5', '0.62', 'A', 'B', 'E', '1', '0', '45', ''), dateish);
export const unitCell = pool('', 'g/L', 'µmol/L', 'mg/dL', 'years', 'mg/day', 'furlongs');

/** How a field is written: as is (commas and quotes in it break the row), quoted properly, or badly. */
export const quoting = fc.constantFrom('plain', 'plain', 'quoted', 'bad-open', 'bad-close');
export function renderField(value: string, how: string): string {
  switch (how) {
    case 'quoted':
      return `"${value.replaceAll('"', '""')}"`;
    case 'bad-open':
      return `"${value}`;
    case 'bad-close':
      return `"${value}"x`;
    default:
      return value;
  }
}
export const eol = fc.constantFrom('\n', '\r\n', '\r');

export interface CsvShape {
  bom: boolean;
  lines: { fields: [string, string][]; eol: string }[];
  trailing: boolean;
  corrupt: readonly { at: number; bytes: readonly number[] }[];
}
/** Bytes of a CSV file: fields with their quoting, line endings, a BOM, and byte-level corruption. */
export function csvBytes(shape: CsvShape): Buffer {
  let text = shape.bom ? '\ufeff' : '';
  shape.lines.forEach((l, i) => {
    text += l.fields.map(([v, how]) => renderField(v, how)).join(',');
    if (i < shape.lines.length - 1 || shape.trailing) text += l.eol;
  });
  let bytes = Buffer.from(text, 'utf8');
  for (const c of shape.corrupt) {
    const at = bytes.length === 0 ? 0 : c.at % (bytes.length + 1);
    bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(c.bytes), bytes.subarray(at)]);
  }
  return bytes;
}
// Invalid UTF-8 (lone continuation bytes, truncated sequences, overlongs, surrogates), NUL, quotes.
export const badBytes: fc.Arbitrary<readonly number[]> = fc.oneof(
  fc.constantFrom(
    [0xff],
    [0xc3],
    [0x80],
    [0xe2, 0x82],
    [0xc0, 0xaf],
    [0xed, 0xa0, 0x80],
    [0],
    [0x22],
    [0x0d],
  ),
  fc.uint8Array({ maxLength: 8 }).map((a) => [...a]),
);
export const corruption = fc.array(fc.record({ at: fc.nat(), bytes: badBytes }), { maxLength: 3 });

export const LONG_HEADER = ['subject', 'visit', 'form', 'item', 'value', 'unit'];
export const longHeader: fc.Arbitrary<readonly string[]> = fc.oneof(
  fc.constant(LONG_HEADER),
  fc.constant([...LONG_HEADER, 'cycle', 'visit_date']),
  fc.constant(LONG_HEADER.map((h) => h.toUpperCase())),
  fc.shuffledSubarray([...LONG_HEADER, 'cycle', 'visit_date'], { minLength: 1 }),
  fc.array(nasty, { minLength: 1, maxLength: 8 }),
);
export const longRow = fc.tuple(
  subjectCell,
  visitCell,
  formCell,
  itemCell,
  valueCell,
  unitCell,
  cycleCell,
  dateish,
);
/** A long file: a header, then rows laid out by that header (some ragged), in random quoting. */
export const longCsv = fc
  .record({
    header: longHeader,
    rows: fc.array(
      fc.record({ row: longRow, ragged: fc.integer({ min: -2, max: 2 }), q: fc.array(quoting) }),
      {
        maxLength: 12,
      },
    ),
    bom: fc.boolean(),
    trailing: fc.boolean(),
    eols: fc.array(eol, { minLength: 14, maxLength: 14 }),
    corrupt: fc.oneof(fc.constant([]), corruption),
    headerQuoting: quoting,
  })
  .map(({ header, rows, bom, trailing, eols, corrupt, headerQuoting }) => {
    const byName: Record<string, number> = {
      subject: 0,
      visit: 1,
      form: 2,
      item: 3,
      value: 4,
      unit: 5,
      cycle: 6,
      visit_date: 7,
    };
    const lines: CsvShape['lines'] = [
      { fields: header.map((h) => [h, headerQuoting] as [string, string]), eol: eols[0]! },
      ...rows.map(({ row, ragged, q }, i) => {
        let cells = header.map((h, j) => {
          const k = h.toLowerCase();
          return row[Object.hasOwn(byName, k) ? byName[k]! : j % row.length]!;
        });
        if (ragged < 0) cells = cells.slice(0, Math.max(0, cells.length + ragged));
        if (ragged > 0) cells = [...cells, ...row.slice(0, ragged)];
        return {
          fields: cells.map(
            (c, j) =>
              [c, ragged === 0 && q[j] !== 'bad-open' ? (q[j] ?? 'plain') : 'quoted'] as [string, string],
          ),
          eol: eols[(i + 1) % eols.length]!,
        };
      }),
    ];
    return csvBytes({ bom, lines, trailing, corrupt });
  });

export const RULE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export const columnName = fc.oneof(fc.constantFrom('c3', 'creat', 'renal', 'age', 'notes'), nasty);
export const target = fc.oneof(
  fc.constantFrom(
    'labs.c3',
    'labs.creatinine',
    'bilag.renal',
    'demographics.age_years',
    'nodot',
    '.',
    'a.b.c',
  ),
  nasty,
);
export const wideCase = fc
  .record({
    subject: fc.option(fc.oneof(fc.constant('record_id'), nasty), { nil: undefined }),
    visit: fc.option(fc.oneof(fc.constant('redcap_event_name'), nasty), { nil: undefined }),
    columns: fc.array(
      fc.tuple(
        columnName,
        fc.oneof(target, fc.record({ item: target, unit: fc.option(unitCell, { nil: undefined }) })),
      ),
      { maxLength: 5 },
    ),
    visits: fc.option(fc.array(fc.tuple(nasty, visitCell), { maxLength: 3 }), { nil: undefined }),
    useMapping: fc.boolean(),
    extraHeader: fc.array(nasty, { maxLength: 2 }),
    rows: fc.array(
      fc.record({
        subject: subjectCell,
        visit: fc.oneof(visitCell, nasty),
        cells: fc.array(valueCell),
        ragged: fc.integer({ min: -1, max: 1 }),
      }),
      { maxLength: 8 },
    ),
    eols: fc.array(eol, { minLength: 1, maxLength: 4 }),
    bom: fc.boolean(),
    corrupt: fc.oneof(fc.constant([]), corruption),
    q: quoting,
  })
  .map((c) => {
    const mapping: WideMapping = { columns: Object.fromEntries(c.columns) };
    if (c.subject !== undefined) mapping.subject = c.subject;
    if (c.visit !== undefined) mapping.visit = c.visit;
    if (c.visits) mapping.visits = Object.fromEntries(c.visits);
    const names = c.useMapping
      ? c.columns.map(([k]) => k)
      : ['labs.c3', 'labs.c3.unit', 'bilag.renal', ...c.extraHeader];
    const header = [
      c.subject ?? 'subject',
      c.visit ?? 'visit',
      ...names,
      `${names[0] ?? 'x'}.unit`,
      ...c.extraHeader,
    ];
    const lines: CsvShape['lines'] = [
      { fields: header.map((h) => [h, 'quoted'] as [string, string]), eol: c.eols[0]! },
      ...c.rows.map((r, i) => {
        let cells = [
          r.subject,
          r.visit,
          ...header.slice(2).map((_, j) => r.cells[j % Math.max(1, r.cells.length)] ?? ''),
        ];
        if (r.ragged < 0) cells = cells.slice(1);
        if (r.ragged > 0) cells.push('extra');
        return {
          fields: cells.map((v) => [v, c.q] as [string, string]),
          eol: c.eols[(i + 1) % c.eols.length]!,
        };
      }),
    ];
    return {
      bytes: csvBytes({ bom: c.bom, lines, trailing: true, corrupt: c.corrupt }),
      mapping: c.useMapping ? mapping : undefined,
    };
  });
