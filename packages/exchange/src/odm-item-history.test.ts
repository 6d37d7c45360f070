// The export's inner loop writes ItemData as text (odm-item-history.ts). Here each case is also
// written element by element with XmlWriter, as the export did before (issue 16), and the two must
// be the same bytes: the layout (indentation, self-closing elements, escaping) and the versions
// (which value, unit, user, instant and reason each ItemData carries).
import type { ItemDefinition } from '@msct/core/crf';
import { describe, expect, it } from 'vitest';
import {
  type AuditRow,
  formPlan,
  type HistoryContext,
  ItemEvents,
  type ItemRow,
  itemDataText,
  splitValueText,
} from './odm-item-history.js';
import { XmlWriter } from './xml-stream.js';

const C3: ItemDefinition = { code: 'c3', label: 'C3', type: 'decimal', units: ['g/L', 'mg/dL'] };
const DATE: ItemDefinition = { code: 'date', label: 'Date', type: 'date' };
const NOTE: ItemDefinition = { code: 'note', label: 'Note', type: 'text' };
const FORM = { items: [C3, DATE, NOTE] };
const UNITS = new Map([
  ['g/L', 'MU.1'],
  ['mg/dL', 'MU.2'],
]);

interface Version {
  value: string | null;
  unit: string | null;
  at: string;
  user: string;
  reason: string | null;
  insert: boolean;
  missingCode?: string;
}

/** The ItemData of `versions` written element by element at depth 6, as the export did before. */
function reference(itemOid: string, versions: Version[], withAudit: boolean, site: string): string {
  let text = '';
  const xml = new XmlWriter((chunk) => {
    text += chunk;
  });
  for (const name of ['ODM', 'ClinicalData', 'SubjectData', 'StudyEventData', 'FormData']) xml.ele(name);
  xml.ele('ItemGroupData').txt('');
  text = '';
  for (const e of versions) {
    xml.ele('ItemData', {
      ItemOID: itemOid,
      ...(e.value === null ? { IsNull: 'Yes' } : { Value: e.value }),
      ...(withAudit ? { TransactionType: e.insert ? 'Insert' : 'Update' } : {}),
    });
    if (withAudit) {
      xml.ele('AuditRecord');
      xml.ele('UserRef', { UserOID: `USR.${e.user.replace(/[^A-Za-z0-9_.-]/g, '_')}` }).up();
      xml.ele('LocationRef', { LocationOID: `LOC.${site}` }).up();
      xml.ele('DateTimeStamp').txt(e.at).up();
      if (e.reason) xml.ele('ReasonForChange').txt(e.reason).up();
      xml.up();
    }
    if (e.unit && e.value !== null)
      xml.ele('MeasurementUnitRef', { MeasurementUnitOID: UNITS.get(e.unit) ?? e.unit }).up();
    if (e.missingCode && e.value === null)
      xml
        .ele('Annotation', { SeqNum: '1' })
        .ele('Flag')
        .ele('FlagValue', { CodeListOID: 'CL.MSCT.MISSING_CODE' })
        .txt(e.missingCode)
        .up()
        .up()
        .up();
    xml.up();
  }
  return text;
}

function context(events: AuditRow[], withAudit: boolean, day0: string | null = '2020-01-10'): HistoryContext {
  const e = new ItemEvents();
  for (const r of events) e.add(r);
  return {
    withAudit,
    day0,
    locationRef: '<LocationRef LocationOID="LOC.NJDT"/>',
    units: UNITS,
    events: e,
    indent: `\n${'  '.repeat(6)}`,
  };
}

const row = (
  id: string,
  value: string | null,
  unit: string | null,
  by: string | null = 'coord',
  missingCode: string | null = null,
): ItemRow => [id, 'visit-1', 'labs', 'c3', value, unit, '2020-03-01T10:00:00.000Z', by, missingCode, 1];
const event = (
  id: string,
  at: string,
  actor: string,
  text: string | null,
  reason: string | null,
): AuditRow => [id, 'item', at, actor, text, reason];

describe('ItemData text of one value', () => {
  const plan = formPlan('labs', FORM, FORM.items, false);
  const c3 = plan.items[plan.slot.get('c3')!]!;

  it('without audit events: the stored row, inserted by its last writer', () => {
    const text = itemDataText(row('v1', '0.71', 'g/L'), c3, context([], true));
    expect(text).toBe(
      reference(
        'I.labs.c3',
        [
          {
            value: '0.71',
            unit: 'g/L',
            at: '2020-03-01T10:00:00.000Z',
            user: 'coord',
            reason: null,
            insert: true,
          },
        ],
        true,
        'NJDT',
      ),
    );
    expect(text).toContain('<MeasurementUnitRef MeasurementUnitOID="MU.1"/>');
    // No known writer: "unknown".
    expect(itemDataText(row('v1', '0.71', 'g/L', null), c3, context([], true))).toContain(
      '<UserRef UserOID="USR.unknown"/>',
    );
  });

  it('with its history: each version from the trail, the last one exactly the stored value', () => {
    const events = [
      event('v1', '2020-02-01T09:00:00Z', 'coord', '0.62 mg/dL', null),
      event('other', '2020-02-01T09:00:01Z', 'coord', '1', null),
      event('v1', '2020-02-02T09:00:00Z', 'dr.wu', '71 g/L', 'transcription error: <lab> says 0.71 & more'),
      event('v1', '2020-02-03T09:00:00Z', 'mon itor', 'stale text the row overrides', ''),
    ];
    const text = itemDataText(row('v1', '0.71', 'g/L'), c3, context(events, true));
    expect(text).toBe(
      reference(
        'I.labs.c3',
        [
          {
            value: '0.62',
            unit: 'mg/dL',
            at: '2020-02-01T09:00:00Z',
            user: 'coord',
            reason: null,
            insert: true,
          },
          {
            value: '71',
            unit: 'g/L',
            at: '2020-02-02T09:00:00Z',
            user: 'dr.wu',
            reason: 'transcription error: <lab> says 0.71 & more',
            insert: false,
          },
          {
            value: '0.71',
            unit: 'g/L',
            at: '2020-02-03T09:00:00Z',
            user: 'mon itor',
            reason: '',
            insert: false,
          },
        ],
        true,
        'NJDT',
      ),
    );
    expect(text).toContain(
      '<ReasonForChange>transcription error: &lt;lab&gt; says 0.71 &amp; more</ReasonForChange>',
    );
    expect(text).toContain('<UserRef UserOID="USR.mon_itor"/>');
    expect(text.match(/<ItemData /g)).toHaveLength(3);
  });

  it('one audit event: its user, instant and reason with the stored value', () => {
    const events = [event('v1', '2020-02-01T09:00:00Z', 'coord', 'old text', 'entered')];
    expect(itemDataText(row('v1', null, null), c3, context(events, true))).toBe(
      reference(
        'I.labs.c3',
        [
          {
            value: null,
            unit: null,
            at: '2020-02-01T09:00:00Z',
            user: 'coord',
            reason: 'entered',
            insert: true,
          },
        ],
        true,
        'NJDT',
      ),
    );
  });

  it('escapes values in attributes; a null value has no unit', () => {
    const text = itemDataText(row('v1', 'a "b" <c> & d\te', 'g/L'), c3, context([], true));
    expect(text).toContain('Value="a &quot;b&quot; &lt;c&gt; &amp; d&#9;e"');
    expect(text).toBe(
      reference(
        'I.labs.c3',
        [
          {
            value: 'a "b" <c> & d\te',
            unit: 'g/L',
            at: '2020-03-01T10:00:00.000Z',
            user: 'coord',
            reason: null,
            insert: true,
          },
        ],
        true,
        'NJDT',
      ),
    );
    expect(itemDataText(row('v1', null, 'g/L'), c3, context([], true))).not.toContain('MeasurementUnitRef');
  });

  it('de-identified (no audit): self-closing without a unit, dates as study days', () => {
    const deid = formPlan('labs', FORM, FORM.items, true);
    const date = deid.items[deid.slot.get('date')!]!;
    const dated: ItemRow = [
      'v2',
      'visit-1',
      'labs',
      'date',
      '2020-04-09',
      null,
      '2020-04-09T00:00:00Z',
      'coord',
      null,
      1,
    ];
    const events = [event('v2', '2020-04-09T08:00:00Z', 'coord', '2020-04-08', null)];
    const text = itemDataText(dated, date, context(events, false));
    expect(text).toBe('\n            <ItemData ItemOID="I.labs.date" Value="90"/>');
    expect(text).toBe(
      reference(
        'I.labs.date',
        [{ value: '90', unit: null, at: '', user: '', reason: null, insert: true }],
        false,
        'NJDT',
      ),
    );
    // Without day 0 there is no study day.
    expect(itemDataText(dated, date, context([], false, null))).toContain('IsNull="Yes"');
    const withUnit = itemDataText(
      row('v1', '0.71', 'mg/dL'),
      deid.items[deid.slot.get('c3')!]!,
      context([], false),
    );
    expect(withUnit).toBe(
      reference(
        'I.labs.c3',
        [{ value: '0.71', unit: 'mg/dL', at: '', user: '', reason: null, insert: true }],
        false,
        'NJDT',
      ),
    );
  });

  it('a form plan counts every defined item, exported or not', () => {
    const partial = formPlan('labs', FORM, [C3], false);
    expect(partial.items.map((i) => i.def.code)).toEqual(['c3']);
    expect([...partial.defined]).toEqual(['c3', 'date', 'note']);
    expect(partial.items[0]!.open).toBe('<ItemData ItemOID="I.labs.c3"');
  });
});

describe('a missing-data code in ItemData (issue #20/#22: ND/NK/NA survive the ODM round trip)', () => {
  const plan = formPlan('labs', FORM, FORM.items, false);
  const c3 = plan.items[plan.slot.get('c3')!]!;
  const at = '2020-03-01T10:00:00.000Z';

  it('a coded value is IsNull with its code as an Annotation Flag, with and without the audit', () => {
    const audited = itemDataText(row('v1', null, null, 'coord', 'ND'), c3, context([], true));
    expect(audited).toBe(
      reference(
        'I.labs.c3',
        [{ value: null, unit: null, at, user: 'coord', reason: null, insert: true, missingCode: 'ND' }],
        true,
        'NJDT',
      ),
    );
    expect(audited).toContain('<FlagValue CodeListOID="CL.MSCT.MISSING_CODE">ND</FlagValue>');
    const plain = itemDataText(row('v1', null, null, 'coord', 'NK'), c3, context([], false));
    expect(plain).toBe(
      reference(
        'I.labs.c3',
        [{ value: null, unit: null, at, user: 'coord', reason: null, insert: true, missingCode: 'NK' }],
        false,
        'NJDT',
      ),
    );
    // A blank (no value, no code) stays a bare IsNull.
    expect(itemDataText(row('v1', null, null), c3, context([], false))).not.toContain('Annotation');
  });

  it("the history's earlier versions keep their codes (the audit trail's `[ND: not done]`)", () => {
    const events = [
      event('v1', '2020-02-01T09:00:00Z', 'coord', '[ND: not done]', null),
      event('v1', '2020-02-02T09:00:00Z', 'coord', '0.71 g/L', 'result came back'),
    ];
    expect(itemDataText(row('v1', '0.71', 'g/L'), c3, context(events, true))).toBe(
      reference(
        'I.labs.c3',
        [
          {
            value: null,
            unit: null,
            at: '2020-02-01T09:00:00Z',
            user: 'coord',
            reason: null,
            insert: true,
            missingCode: 'ND',
          },
          {
            value: '0.71',
            unit: 'g/L',
            at: '2020-02-02T09:00:00Z',
            user: 'coord',
            reason: 'result came back',
            insert: false,
          },
        ],
        true,
        'NJDT',
      ),
    );
    expect(splitValueText('[NA: not applicable]', C3)).toEqual({
      value: null,
      unit: null,
      missingCode: 'NA',
    });
    // Text that merely looks bracketed is a value.
    expect(splitValueText('[XX: other]', C3).missingCode).toBeNull();
  });
});
