// A REDCap data dictionary (CSV, as REDCap's "Data Dictionary" download or its API metadata export
// writes it) converted into an msct study definition (issue #20 "Build without code"). Pure: text in,
// definition and the list of what could not be mapped out; the caller validates the definition.
//
// Column layout (REDCap's, fixed order; the header is checked): Variable / Field Name, Form Name,
// Section Header, Field Type, Field Label, Choices Calculations OR Slider Labels, Field Note, Text
// Validation Type OR Show Slider Number, Text Validation Min, Text Validation Max, Identifier?,
// Branching Logic, Required Field?, Custom Alignment, Question Number, Matrix Group Name, Matrix
// Ranking?, Field Annotation. The first field is the record ID (REDCap's rule): it identifies the
// record, so it becomes the subject code, not an item.
//
// Longitudinal projects: the events CSV (REDCap "Define my events" / API export events: event_name,
// arm_num, [day_offset, offset_min, offset_max,] unique_event_name, …) gives the visits, the
// instrument-event mapping CSV (API export formEventMapping: arm_num, unique_event_name, form) which
// forms are collected at which visit. Events of arms other than arm 1 are listed as unmapped (the
// definition's arms are another task's).
import { Readable } from 'node:stream';
import { type ShowIfCondition, showIfItems } from '@msct/core/crf';
import type { CodeList, DefinitionItem, FormDefinition, VisitDefinition } from '@msct/core/protocol';
import { type CsvRecord, readCsv } from './csv-reader.js';
import {
  assembleDefinition,
  type DefinitionConversion,
  DefinitionFileError,
  eventsToVisits,
  type StudyFrame,
  type UnmappedConstruct,
} from './definition-frame.js';
import { checkboxVariable, parseBranching } from './redcap-branching.js';
import { UndecodableBytes } from './text-decoding.js';

export interface RedcapConversionInput {
  /** The data dictionary's bytes or text. */
  dictionary: Buffer | string;
  /** The events CSV (longitudinal projects). */
  events?: Buffer | string;
  /** The instrument-event mapping CSV (longitudinal projects). */
  instrumentEvents?: Buffer | string;
  frame?: StudyFrame;
}

const DICTIONARY_HEADERS = [
  ['variable / field name', 'field_name'],
  ['form name', 'form_name'],
  ['section header', 'section_header'],
  ['field type', 'field_type'],
  ['field label', 'field_label'],
  ['choices, calculations, or slider labels', 'select_choices_or_calculations'],
  ['field note', 'field_note'],
  ['text validation type or show slider number', 'text_validation_type_or_show_slider_number'],
  ['text validation min', 'text_validation_min'],
  ['text validation max', 'text_validation_max'],
  ['identifier?', 'identifier'],
  ['branching logic (show field only if...)', 'branching_logic'],
  ['required field?', 'required_field'],
  ['custom alignment', 'custom_alignment'],
  ['question number (surveys only)', 'question_number'],
  ['matrix group name', 'matrix_group_name'],
  ['matrix ranking?', 'matrix_ranking'],
  ['field annotation', 'field_annotation'],
] as const;

async function records(input: Buffer | string): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  try {
    for await (const r of readCsv(Readable.from([bytes]))) out.push(r);
  } catch (e) {
    if (e instanceof UndecodableBytes) throw new DefinitionFileError(e.message);
    throw e;
  }
  return out;
}

/** Rows of a CSV as objects keyed by its (lower-cased) header. */
async function table(input: Buffer | string, name: string, required: readonly string[]) {
  const [header, ...rows] = await records(input);
  if (!header) throw new DefinitionFileError(`${name} is empty`);
  const keys = header.fields.map((h) => h.trim().toLowerCase());
  const missing = required.filter((k) => !keys.includes(k));
  if (missing.length > 0)
    throw new DefinitionFileError(
      `${name}: the header lacks ${missing.map((m) => `"${m}"`).join(', ')} (it has ${keys.join(', ')})`,
    );
  return rows.map((r) => ({
    line: r.line,
    get: (k: string) => (r.fields[keys.indexOf(k)] ?? '').trim(),
  }));
}

/** REDCap's choices: `1, Yes | 0, No` (code, then label after the first comma). */
function parseChoices(text: string): Array<{ code: string; label: string }> | undefined {
  const out: Array<{ code: string; label: string }> = [];
  for (const part of text.split('|')) {
    const t = part.trim();
    if (t === '') continue;
    const comma = t.indexOf(',');
    if (comma < 0) return undefined;
    const code = t.slice(0, comma).trim();
    const label = t.slice(comma + 1).trim();
    if (code === '') return undefined;
    out.push({ code, label: label === '' ? code : label });
  }
  return out.length > 0 ? out : undefined;
}

const humanise = (form: string) => {
  const t = form.replace(/_/g, ' ').trim();
  return t.charAt(0).toUpperCase() + t.slice(1);
};

const finite = (s: string) => (s !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined);

export async function convertRedcapDictionary(input: RedcapConversionInput): Promise<DefinitionConversion> {
  const frame = input.frame ?? {};
  const unmapped: UnmappedConstruct[] = [];
  const note = (
    row: number | string,
    field: string,
    what: string,
    why: string,
    kind: UnmappedConstruct['kind'],
  ) => unmapped.push({ row, field, what, why, kind });

  const rows = await records(input.dictionary);
  const header = rows.shift();
  const headerKeys = header?.fields.map((h) => h.trim().toLowerCase()) ?? [];
  DICTIONARY_HEADERS.forEach(([human, api], i) => {
    const got = headerKeys[i];
    if (got !== human && got !== api)
      throw new DefinitionFileError(
        `the data dictionary's column ${i + 1} must be "${human}" (REDCap's layout), got ${got === undefined ? 'nothing' : JSON.stringify(got)}`,
      );
  });

  const codeLists: CodeList[] = [];
  /** A list with the same codes and labels as one declared before is declared once. */
  const codeListFor = (field: string, codes: Array<{ code: string; label: string }>): string => {
    const same = codeLists.find(
      (l) =>
        l.codes.length === codes.length &&
        l.codes.every((c, i) => c.code === codes[i]!.code && c.label === codes[i]!.label),
    );
    if (same) return same.id;
    codeLists.push({ id: field, codes });
    return field;
  };

  const forms = new Map<string, DefinitionItem[]>();
  /** Branching logic read as a condition, set on its items once the form's items are all known. */
  const branchings: {
    line: number | string;
    field: string;
    form: string;
    logic: string;
    condition: ShowIfCondition;
    items: DefinitionItem[];
  }[] = [];
  let items = 0;
  rows.forEach((r, index) => {
    const at = (i: number) => (r.fields[i] ?? '').trim();
    const [field, form, section, type, rawLabel, choices, fieldNote, validation, vmin, vmax] = [
      at(0),
      at(1),
      at(2),
      at(3).toLowerCase(),
      at(4),
      at(5),
      at(6),
      at(7),
      at(8),
      at(9),
    ];
    const [identifier, branching, required, alignment, questionNo, matrixGroup, matrixRanking, annotation] = [
      at(10),
      at(11),
      at(12),
      at(13),
      at(14),
      at(15),
      at(16),
      at(17),
    ];
    const line = r.line;
    if (field === '' || form === '') {
      note(line, field || '(none)', 'row without a field name or form name', 'nothing to map', 'unmapped');
      return;
    }
    if (!forms.has(form)) forms.set(form, []);
    const formItems = forms.get(form)!;
    const label = rawLabel === '' ? field : rawLabel;
    if (index === 0) {
      note(
        line,
        field,
        'the record ID field',
        "REDCap's first field identifies the record: in msct that is the subject code, not an item",
        'approximated',
      );
      return;
    }
    const base: Pick<DefinitionItem, 'code' | 'label' | 'help' | 'required'> = {
      code: field,
      label,
      ...(fieldNote ? { help: fieldNote } : {}),
      ...(required.toLowerCase() === 'y' ? { required: true } : {}),
    };
    const made: DefinitionItem[] = [];
    switch (type) {
      case 'text': {
        const v = validation.toLowerCase();
        if (v === 'integer' || v === 'int') made.push({ ...base, type: 'integer' });
        else if (v === 'float' || v.startsWith('number')) {
          made.push({ ...base, type: 'decimal' });
          if (v.includes('comma'))
            note(
              line,
              field,
              `validation ${v}`,
              'msct stores decimals with a dot; the comma is not kept',
              'approximated',
            );
        } else if (v === 'date_ymd' || v === 'date_mdy' || v === 'date_dmy' || v === 'date') {
          made.push({ ...base, type: 'date' });
        } else {
          made.push({ ...base, type: 'text' });
          if (v !== '')
            note(
              line,
              field,
              `text validation ${v}`,
              v.startsWith('datetime') || v.startsWith('time')
                ? 'msct has no date-time or time item type: kept as text, the format is not checked'
                : 'msct has no such text validation: kept as free text, the format is not checked',
              'approximated',
            );
        }
        break;
      }
      case 'notes':
        made.push({ ...base, type: 'text' });
        break;
      case 'radio':
      case 'dropdown': {
        const codes = parseChoices(choices);
        if (!codes) {
          note(
            line,
            field,
            `field type ${type} choices ${JSON.stringify(choices)}`,
            'the choices cannot be read as "code, label | …"',
            'unmapped',
          );
          return;
        }
        made.push({ ...base, type: 'code', codeList: codeListFor(field, codes) });
        break;
      }
      case 'yesno':
      case 'truefalse':
        // REDCap stores 1 = Yes/True, 0 = No/False: the boolean lexical forms msct stores.
        made.push({ ...base, type: 'boolean' });
        break;
      case 'checkbox': {
        const codes = parseChoices(choices);
        if (!codes) {
          note(
            line,
            field,
            `field type checkbox choices ${JSON.stringify(choices)}`,
            'the choices cannot be read as "code, label | …"',
            'unmapped',
          );
          return;
        }
        for (const c of codes)
          made.push({
            ...base,
            code: checkboxVariable(field, c.code),
            label: `${label}: ${c.label}`,
            type: 'boolean',
          });
        note(
          line,
          field,
          `checkbox with ${codes.length} choices`,
          `msct has no multiple-choice item: one yes/no item per choice (${codes.map((c) => checkboxVariable(field, c.code)).join(', ')}), as REDCap names them in its exports`,
          'approximated',
        );
        break;
      }
      case 'slider':
        made.push({ ...base, type: 'integer', min: 0, max: 100 });
        note(
          line,
          field,
          'field type slider',
          `an integer 0–100 (REDCap's slider scale)${choices ? `; the slider labels ${JSON.stringify(choices)} are not kept` : ''}`,
          'approximated',
        );
        break;
      case 'calc':
        note(
          line,
          field,
          `calculated field ${JSON.stringify(choices)}`,
          "a definition holds no formulas: derived scores are named from core's instruments; the value is not collected",
          'unmapped',
        );
        return;
      case 'descriptive':
        note(
          line,
          field,
          'descriptive text',
          'a definition has no display-only text; it is not shown',
          'unmapped',
        );
        return;
      case 'file':
      case 'signature':
        note(
          line,
          field,
          `field type ${type}`,
          'msct holds no uploaded files or signatures in forms',
          'unmapped',
        );
        return;
      default:
        note(
          line,
          field,
          `field type ${type || '(empty)'}`,
          'not a REDCap field type msct can hold',
          'unmapped',
        );
        return;
    }
    const main = made[0]!;
    if (vmin !== '' || vmax !== '') {
      if (main.type === 'integer' || main.type === 'decimal') {
        const min = finite(vmin);
        const max = finite(vmax);
        if (min !== undefined) main.min = min;
        if (max !== undefined) main.max = max;
        for (const [name, raw, n] of [
          ['min', vmin, min],
          ['max', vmax, max],
        ] as const)
          if (raw !== '' && n === undefined)
            note(
              line,
              field,
              `validation ${name} ${JSON.stringify(raw)}`,
              'not a number: msct ranges are numbers',
              'unmapped',
            );
        if (min !== undefined || max !== undefined)
          note(
            line,
            field,
            `range ${vmin || '…'}–${vmax || '…'}`,
            "REDCap's range is a soft check (a warning); msct's min/max refuse a value outside it",
            'approximated',
          );
      } else
        note(
          line,
          field,
          `validation range ${vmin || '…'}–${vmax || '…'}`,
          `msct holds ranges for numeric items only, this item is ${main.type}`,
          'unmapped',
        );
    }
    if (branching !== '') {
      // Read into `showIf` once every item of the form is known (below); what cannot be read is listed.
      const condition = parseBranching(branching);
      if (condition) branchings.push({ line, field, form, logic: branching, condition, items: made });
      else
        note(
          line,
          field,
          `branching logic ${JSON.stringify(branching)}`,
          "not made of simple [field] = 'value' / <> comparisons joined by and/or: the item is always shown",
          'unmapped',
        );
    }
    const extras: Array<[string, string, string]> = [
      [section, 'section header', 'a form has no sections in the definition'],
      [
        identifier.toLowerCase() === 'y' ? 'y' : '',
        'identifier flag',
        'msct has no identifier flag: pseudonymised exports leave out every free-text item and shift dates',
      ],
      [alignment, 'custom alignment', 'layout is not part of the definition'],
      [questionNo, 'question number', 'surveys are not part of msct'],
      [matrixGroup, 'matrix group', 'the definition has no matrix layout'],
      [matrixRanking, 'matrix ranking', 'the definition has no matrix layout'],
      [annotation, 'field annotation', 'action tags and annotations are not part of the definition'],
    ];
    for (const [value, what, why] of extras)
      if (value !== '') note(line, field, `${what} ${JSON.stringify(value)}`, why, 'unmapped');
    formItems.push(...made);
    items += made.length;
  });

  // Branching logic reads items of the same form (the definition's rule, cross-checks.ts): a field of
  // another form, or one msct does not hold (a calculated or descriptive field), is listed instead.
  for (const b of branchings) {
    const codes = new Set((forms.get(b.form) ?? []).map((i) => i.code));
    const missing = showIfItems(b.condition).filter(
      (c) => !codes.has(c) || b.items.some((i) => i.code === c),
    );
    if (missing.length > 0) {
      note(
        b.line,
        b.field,
        `branching logic ${JSON.stringify(b.logic)}`,
        `it reads ${missing.join(', ')}, not an item msct holds on form ${b.form}: the item is always shown`,
        'unmapped',
      );
      continue;
    }
    for (const it of b.items) it.showIf = b.condition;
  }

  // Events and the instrument-event mapping.
  const formVisits = new Map<string, string[]>();
  type Event = {
    code: string;
    label: string;
    dayOffset?: number;
    window?: { before: number; after: number };
    row: number | string;
  };
  const events: Event[] = [];
  if (input.events) {
    for (const e of await table(input.events, 'the events CSV', [
      'event_name',
      'arm_num',
      'unique_event_name',
    ])) {
      const code = e.get('unique_event_name');
      if (e.get('arm_num') !== '1') {
        note(
          `events CSV line ${e.line}`,
          code,
          `event of arm ${e.get('arm_num')}`,
          'arms are not mapped from REDCap (one schedule)',
          'unmapped',
        );
        continue;
      }
      const offset = finite(e.get('day_offset'));
      const before = finite(e.get('offset_min'));
      const after = finite(e.get('offset_max'));
      events.push({
        code,
        label: e.get('custom_event_label') || e.get('event_name') || code,
        ...(offset !== undefined ? { dayOffset: offset } : {}),
        ...(before !== undefined && after !== undefined ? { window: { before, after } } : {}),
        row: `events CSV line ${e.line}`,
      });
    }
  }
  if (input.instrumentEvents) {
    for (const m of await table(input.instrumentEvents, 'the instrument-event mapping CSV', [
      'arm_num',
      'unique_event_name',
      'form',
    ])) {
      const event = m.get('unique_event_name');
      const form = m.get('form');
      if (m.get('arm_num') !== '1') continue; // its event is listed above
      if (!input.events && !events.some((e) => e.code === event))
        events.push({ code: event, label: event, row: `instrument-event mapping line ${m.line}` });
      if (!events.some((e) => e.code === event)) {
        note(
          `instrument-event mapping line ${m.line}`,
          form,
          `form ${form} at event ${event}`,
          'the event is not in the events CSV',
          'unmapped',
        );
        continue;
      }
      if (!forms.has(form)) {
        note(
          `instrument-event mapping line ${m.line}`,
          form,
          `form ${form} at event ${event}`,
          'the form is not in the data dictionary',
          'unmapped',
        );
        continue;
      }
      formVisits.set(form, [...(formVisits.get(form) ?? []), event]);
    }
  }

  let visits: VisitDefinition[] | undefined;
  let defaultVisit: string | undefined;
  if (events.length > 0) visits = eventsToVisits(events, frame, unmapped);
  else if (frame.visits && frame.visits.length > 0) {
    defaultVisit = frame.visits.find((v) => v.kind === 'baseline')?.code ?? frame.visits[0]!.code;
  } else {
    // A classic (not longitudinal) REDCap project has one implicit event, "Event 1".
    defaultVisit = 'event_1_arm_1';
    visits = eventsToVisits([{ code: defaultVisit, label: 'Event 1', row: 'project' }], frame, unmapped);
  }

  const formDefs: FormDefinition[] = [...forms].map(([id, formItems]) => {
    let visitCodes = formVisits.get(id);
    if (!visitCodes) {
      if (defaultVisit) visitCodes = [defaultVisit];
      else {
        note(
          'instrument-event mapping',
          id,
          `form ${id} without an event`,
          'the instrument-event mapping collects it at no event: it is offered at unscheduled visits only',
          'approximated',
        );
        visitCodes = ['UNSCHEDULED'];
      }
    }
    return { id, title: humanise(id), visitCodes, items: formItems };
  });

  return {
    definition: assembleDefinition(frame, { visits, forms: formDefs, codeLists }),
    unmapped,
    counts: {
      forms: formDefs.length,
      items,
      codeLists: codeLists.length,
      visits: visits?.length ?? frame.visits?.length ?? 0,
    },
  };
}
