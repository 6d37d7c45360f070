// A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, newlines inside quotes, CRLF or
// LF). It yields one record at a time with its line number, so a file of any size is read in
// constant memory and a problem can name the row it is on.
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ByteDecoder, sniffCsv } from './text-decoding.js';

export interface CsvRecord {
  /** 1-based line on which the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

/** A source that can be read more than once: a file path, or a function opening a fresh stream. */
export type CsvSource = string | (() => Readable);

export function openSource(source: CsvSource): Readable {
  return typeof source === 'string' ? createReadStream(source) : source();
}

/**
 * Reads records from a UTF-8 (or, with its byte order mark, UTF-16) stream; bytes that are not valid
 * in it throw UndecodableBytes (text-decoding.ts) naming their offset and line, never U+FFFD. `digest`, when given, is fed every byte read, so a caller that
 * reads a file twice can tell whether it changed in between.
 */
export async function* readCsv(input: Readable, digest?: Hash): AsyncGenerator<CsvRecord> {
  // A chunk may end inside a multi-byte character: the decoder keeps the partial bytes for the next.
  const decoder = new ByteDecoder(sniffCsv);
  let field = '';
  let fields: string[] = [];
  let inQuotes = false;
  let quoteSeen = false; // a quote inside a quoted field: either the end or the first of a doubled pair
  let line = 1;
  let recordLine = 1;
  let bom = true;
  let pendingCR = false;
  // The decoder holds the first bytes until it knows the encoding: its end may still give text.
  const texts = async function* () {
    for await (const chunk of input) {
      if (digest) digest.update(chunk as Buffer | string);
      yield decoder.write(chunk as Buffer | string);
    }
    yield decoder.end();
  };
  for await (let text of texts()) {
    // The BOM's three bytes may come in more than one chunk: decide on the first decoded character.
    if (bom && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      bom = false;
    }
    const out: CsvRecord[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (pendingCR) {
        pendingCR = false;
        if (c === 10) {
          start = i + 1;
          continue;
        }
      }
      if (inQuotes) {
        if (quoteSeen) {
          quoteSeen = false;
          if (c === 34) {
            field += '"';
            start = i + 1;
            continue;
          }
          inQuotes = false; // the quote closed the field; fall through to handle c
        } else if (c === 34) {
          field += text.slice(start, i);
          quoteSeen = true;
          start = i + 1;
          continue;
        } else {
          if (c === 10) line++;
          continue;
        }
      }
      if (c === 34 && field === '' && start === i) {
        inQuotes = true;
        start = i + 1;
      } else if (c === 44) {
        fields.push(field + text.slice(start, i));
        field = '';
        start = i + 1;
      } else if (c === 10 || c === 13) {
        fields.push(field + text.slice(start, i));
        field = '';
        out.push({ line: recordLine, fields });
        fields = [];
        line++;
        recordLine = line;
        if (c === 13) pendingCR = true;
        start = i + 1;
      }
    }
    if (inQuotes && !quoteSeen) field += text.slice(start);
    else if (!inQuotes) field += text.slice(start);
    for (const r of out) if (!(r.fields.length === 1 && r.fields[0] === '')) yield r;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    yield { line: recordLine, fields };
  }
}
