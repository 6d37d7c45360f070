import { Readable } from 'node:stream';
import { type labFlagQuery, type outOfRangeLab, routes } from '@msct/contract';
import {
  type EnteredLabValue,
  isOutOfRange,
  LAB_FLAG_LABELS,
  LAB_SAMPLE_DATE_ITEM,
  LAB_SAMPLE_TIME_ITEM,
  labFlagsOfForm,
  labSampleDate,
  significanceItems,
} from '@msct/core/crf';
import { type LabFormRow, streamLabForms, studyDefinition } from '@msct/store';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { enforce } from '../access/guard.js';
import { seesIdentifiers, sitesFor } from '../access/policy.js';
import { schemaOf } from '../http/contract.js';
import type { App, RouteContext } from '../http/types.js';
import { csvField } from './queries.js';

// The monitor's out-of-range lab list (issue #22 "Labs"): every lab value of the study outside the
// reference range in force for its site, the subject's sex and its sample date (core/crf/lab-flags.ts;
// ranges are data of the study definition), with the investigator's CS/NCS answer. Derived from the
// stored values on each request, so a corrected value or range is never listed stale. Readers shown
// pseudonyms get pseudonyms and no calendar dates.

type Row = z.infer<typeof outOfRangeLab>;
type Query = z.infer<typeof labFlagQuery>;

/**
 * The out-of-range rows of a whole study as derived at one audit head, kept between requests. Every
 * write to clinical data (and to the definition and its ranges) is audited in its own transaction, so
 * the list is current exactly while the audit head (seq and hash) is the one read before the data
 * were (the argument of clinical/derived-study.ts). At 20 000 patients deriving the list reads the
 * 813 000 ranged values scattered through the database (10–23 s); a page, a filter or the CSV
 * of an unchanged study is then served from these rows — the out-of-range ones only, never the lab
 * values. A study whose list is longer than MAX_CACHED_ROWS is derived on every request, as before.
 */
interface CachedList {
  seq: number;
  hash: string;
  rows: Row[];
}
export const MAX_CACHED_ROWS = 200_000;
/** Lists kept (a study read with identifiers and pseudonymised counts twice); the oldest goes first. */
const MAX_CACHED_LISTS = 4;

export function registerLabRoutes(app: App, { db }: RouteContext) {
  const cache = new Map<string, CachedList>();
  const auditHead = async () => {
    const h = await db.kysely
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return { seq: Number(h.seq), hash: h.hash };
  };

  // Access is checked and the definition read before the first row (so a refusal is an error
  // response, not a broken stream); the rows are then derived a page of subjects at a time and
  // filtered as they are read, so no request holds more than the page it returns.
  async function outOfRange(req: FastifyRequest, studyId: string, f: Query) {
    const p = enforce(req, 'subject.read', { studyId }, 'study');
    const { definition, forms } = await studyDefinition(db, studyId);
    const ranges = definition.labReferenceRanges ?? [];
    const rangedItems = new Set(ranges.map((r) => r.itemCode));
    // The forms holding a ranged item, each with its items' labels.
    const labForms = [...forms.values()].filter((form) => form.items.some((i) => rangedItems.has(i.code)));
    const labs = labForms.flatMap((form) =>
      form.items.filter((i) => rangedItems.has(i.code)).map((i) => ({ code: i.code, label: i.label })),
    );
    // The items a row is made of: the ranged values, their CS/NCS answers, the sample date and time.
    const itemCodes = [
      ...new Set([
        ...labs.map((l) => l.code),
        ...labForms.flatMap((form) => [...significanceItems(form).values()].map((i) => i.code)),
        LAB_SAMPLE_DATE_ITEM,
        LAB_SAMPLE_TIME_ITEM,
      ]),
    ];
    const identified = seesIdentifiers(p, studyId);
    const formsByCode = new Map(labForms.map((x) => [x.formCode, x]));
    const matches = (r: Row) =>
      (f.lab === undefined || r.itemCode === f.lab) &&
      (f.flag === undefined || r.flag === f.flag) &&
      (f.significance === undefined ||
        (f.significance === 'unanswered' ? r.significance === null : r.significance === f.significance));
    const siteIds = sitesFor(p, 'subject.read', studyId);
    const visible = siteIds && new Set(siteIds);
    const wanted = (r: Row) =>
      (!visible || visible.has(r.siteId)) &&
      (f.siteId === undefined || r.siteId === f.siteId) &&
      (f.subject === undefined || r.subjectCode === f.subject) &&
      matches(r);
    const key = `${studyId}\u0000${identified ? 'identified' : 'pseudonymised'}`;
    const head = await auditHead(); // before any data is read: a write after it moves the head
    const cached = cache.get(key);
    if (cached && cached.seq === head.seq && cached.hash === head.hash) {
      const hit = cached;
      return {
        labs,
        rows: (async function* () {
          for (const r of hit.rows) if (wanted(r)) yield r;
        })(),
      };
    }
    // The whole study (every site, every subject) is what is kept: derived so only for a reader of
    // every site asking for no one site or subject; others filter as they read, as before.
    const whole = !siteIds && f.siteId === undefined && f.subject === undefined;
    async function* rows(): AsyncGenerator<Row> {
      let kept: Row[] | undefined = whole ? [] : undefined;
      for await (const page of streamLabForms(db, {
        studyId,
        formCodes: labForms.map((x) => x.formCode),
        siteIds,
        siteId: f.siteId,
        subject: f.subject,
        codeColumn: identified ? 'subject_code' : 'pseudonym',
        itemCodes,
      }))
        for (const form of page)
          for (const r of formRows(form, formsByCode.get(form.form_code)!, identified)) {
            if (kept) {
              if (kept.length < MAX_CACHED_ROWS) kept.push(r);
              else kept = undefined;
            }
            if (matches(r)) yield r;
          }
      if (kept) {
        cache.delete(key);
        cache.set(key, { seq: head.seq, hash: head.hash, rows: kept });
        for (const k of cache.keys()) if (cache.size > MAX_CACHED_LISTS) cache.delete(k);
      }
    }
    return { rows: rows(), labs };

    function formRows(
      form: LabFormRow,
      def: NonNullable<ReturnType<typeof formsByCode.get>>,
      identifiedReader: boolean,
    ): Row[] {
      const items: EnteredLabValue[] = form.items.map((i) => ({
        itemCode: i.item_code,
        value: i.value,
        unit: i.unit,
        missingCode: i.missing_code,
      }));
      const sampleDate = labSampleDate(items, form.visit_date);
      const flags = labFlagsOfForm(def, ranges, items, {
        centre: form.site_code,
        sex: form.sex,
        date: sampleDate,
      });
      const significance = significanceItems(def);
      const byCode = new Map(form.items.map((i) => [i.item_code, i]));
      return flags
        .filter((x) => isOutOfRange(x.flag))
        .map((x): Row => {
          const s = significance.get(x.itemCode);
          const answer = s ? byCode.get(s.code) : undefined;
          return {
            subjectId: form.subject_id,
            subjectCode: identifiedReader ? form.subject_code : form.pseudonym,
            siteId: form.site_id,
            siteCode: form.site_code,
            visitId: form.visit_id,
            visitCode: form.visit_code,
            formId: form.form_id,
            formCode: form.form_code,
            formStatus: form.form_status,
            visitDate: identifiedReader ? form.visit_date : null,
            sampleDate: identifiedReader ? sampleDate : null,
            sampleTime: identifiedReader ? (byCode.get(LAB_SAMPLE_TIME_ITEM)?.value ?? null) : null,
            itemCode: x.itemCode,
            itemLabel: def.items.find((i) => i.code === x.itemCode)?.label ?? x.itemCode,
            value: x.value,
            unit: x.unit,
            flag: x.flag as Row['flag'],
            flagLabel: LAB_FLAG_LABELS[x.flag],
            rangeUnit: x.range.unit,
            valueInRangeUnit: x.valueInRangeUnit ?? null,
            low: x.range.low ?? null,
            high: x.range.high ?? null,
            criticalLow: x.range.criticalLow ?? null,
            criticalHigh: x.range.criticalHigh ?? null,
            rangeOrigin: x.range.centre === undefined ? 'protocol' : 'site',
            rangeSource: x.range.source ?? null,
            significance: answer?.value ?? answer?.missing_code ?? null,
          };
        });
    }
  }

  app.get(
    '/api/studies/:studyId/out-of-range-labs',
    { schema: schemaOf(routes.listOutOfRangeLabs) },
    async (req) => {
      const { offset, limit, ...filters } = req.query;
      const { rows, labs } = await outOfRange(req, req.params.studyId, filters);
      const byFlag: Record<string, number> = {};
      const page: Row[] = [];
      let total = 0;
      let unanswered = 0;
      for await (const r of rows) {
        if (total >= offset && page.length < limit) page.push(r);
        total++;
        byFlag[r.flag] = (byFlag[r.flag] ?? 0) + 1;
        if (r.significance === null) unanswered++;
      }
      return { counts: { total, byFlag, unanswered }, labs, rows: page, offset, limit };
    },
  );

  app.get(
    '/api/studies/:studyId/out-of-range-labs.csv',
    { schema: schemaOf(routes.outOfRangeLabsCsv) },
    async (req, reply) => {
      const { rows } = await outOfRange(req, req.params.studyId, req.query);
      const header = [
        'site',
        'subject',
        'visit',
        'visit_date',
        'sample_date',
        'sample_time',
        'lab',
        'lab_label',
        'value',
        'unit',
        'flag',
        'flag_label',
        'range_unit',
        'value_in_range_unit',
        'low',
        'high',
        'critical_low',
        'critical_high',
        'range_origin',
        'range_source',
        'significance',
        'form_status',
      ];
      async function* lines() {
        yield `${header.join(',')}\r\n`;
        for await (const r of rows)
          yield `${[
            r.siteCode,
            r.subjectCode,
            r.visitCode,
            r.visitDate,
            r.sampleDate,
            r.sampleTime,
            r.itemCode,
            r.itemLabel,
            r.value,
            r.unit,
            r.flag,
            r.flagLabel,
            r.rangeUnit,
            r.valueInRangeUnit,
            r.low,
            r.high,
            r.criticalLow,
            r.criticalHigh,
            r.rangeOrigin,
            r.rangeSource,
            r.significance,
            r.formStatus,
          ]
            .map(csvField)
            .join(',')}\r\n`;
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="out-of-range-labs.csv"')
        .send(Readable.from(lines()));
    },
  );
}
