// The import's spool (odm-import.ts): each checked subject, reduced to what gets written, as one
// JSON line in a private temporary file, read back for the write.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { RECORD_FORMS } from './odm-records.js';
import type { OdmSubject, RecordRow } from './odm-subject.js';

/**
 * An OdmSubject as one JSON line: its visit dates as entries, a record's form as its code, and each
 * value as a short array without its ODM path (the write needs only a problem's row, never its
 * column: problems are reported by the check) and without its map key (made again from its parts).
 */
interface SpooledSubject extends Omit<OdmSubject, 'visitDates' | 'values' | 'records'> {
  visitDates: [string, string][];
  values: [number, string, string, string, string, string | null, string | null, string | null, number][];
  records: (Omit<RecordRow, 'form'> & { form: string })[];
}

/**
 * The reduced subjects of the check, one JSON line each, in a temporary file: read back for the
 * write, so memory holds one subject at a time and the XML is parsed once.
 */
export async function openSpool() {
  const dir = await mkdtemp(join(tmpdir(), 'msct-odm-import-'));
  const file = join(dir, 'subjects.jsonl');
  const out: Writable = createWriteStream(file);
  return {
    write: async (s: OdmSubject) => {
      const line: SpooledSubject = {
        ...s,
        visitDates: [...s.visitDates],
        values: Array.from(s.values.values(), (v) => [
          v.row,
          v.visit,
          v.cycle,
          v.form,
          v.item,
          v.value,
          v.unit,
          v.missingCode ?? null,
          v.record,
        ]),
        records: s.records.map((r) => ({ ...r, form: r.form.formCode })),
      };
      if (!out.write(`${JSON.stringify(line)}\n`))
        await new Promise<void>((r) => out.once('drain', () => r()));
    },
    end: async () => {
      out.end();
      await finished(out);
    },
    read: async function* (): AsyncGenerator<OdmSubject> {
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
      for await (const text of lines) {
        if (!text) continue;
        const line = JSON.parse(text) as SpooledSubject;
        yield {
          ...line,
          visitDates: new Map(line.visitDates),
          values: new Map(
            // A repeating form's records stay apart (the record is part of the key, as in odm-subject.ts).
            line.values.map(([row, visit, cycle, form, item, value, unit, missingCode, record]) => [
              `${visit}|${cycle}|${form}|${record}|${item}`,
              { row, column: '', visit, cycle, form, record, item, value, unit, missingCode },
            ]),
          ),
          records: line.records.map((r) => ({
            ...r,
            form: RECORD_FORMS.find((f) => f.formCode === r.form)!,
          })),
        };
      }
    },
    cleanup: async () => {
      if (!out.writableFinished) out.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
