// Decoding an imported file's bytes as the file says they are encoded, never guessing and never
// replacing what cannot be decoded (a U+FFFD stored in place of an accent is data bent silently).
// - A byte order mark decides first: EF BB BF UTF-8, FF FE UTF-16LE, FE FF UTF-16BE (XML 1.0 §4.3.3
//   and appendix F; Unicode §23.8).
// - XML without a mark: UTF-16 is recognised by its first characters ("<?" as 3C 00 3F 00 or
//   00 3C 00 3F, XML 1.0 appendix F.1); otherwise the XML declaration's `encoding` names it (any WHATWG
//   label TextDecoder knows: ISO-8859-1 and windows-1252, which WHATWG decodes alike, UTF-8, …); no
//   declaration means UTF-8.
// - CSV without a mark is UTF-8 (RFC 4180 leaves the charset to the media type; msct's is UTF-8).
// A byte sequence invalid in the encoding is an UndecodableBytes error naming the encoding, the byte
// offset in the file and the line (1-based) it is on.

import { TextDecoder } from 'node:util';

export class UndecodableBytes extends Error {
  constructor(
    readonly encoding: string,
    /** Offset in the file of the first byte that cannot be decoded. */
    readonly offset: number,
    /** 1-based line on which it is. */
    readonly line: number,
    message?: string,
  ) {
    super(
      message ??
        `the file is not valid ${encoding}: the bytes at offset ${offset} (line ${line}) cannot be decoded; save it as ${encoding}, or declare the encoding it is in`,
    );
  }
}

type Sniff = (head: Buffer, final: boolean) => string | undefined;

const HEAD_BYTES = 1024;

function bom(head: Buffer): string | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** The encoding of an XML file from its first bytes; undefined while more bytes are needed. */
export const sniffXml: Sniff = (head, final) => {
  if (head.length < 4 && !final) return undefined;
  const marked = bom(head);
  if (marked) return marked;
  if (head[0] === 0x3c && head[1] === 0x00 && head[2] === 0x3f && head[3] === 0x00) return 'utf-16le';
  if (head[0] === 0x00 && head[1] === 0x3c && head[2] === 0x00 && head[3] === 0x3f) return 'utf-16be';
  const text = head.toString('latin1');
  if (!text.startsWith('<?xml')) return !final && '<?xml'.startsWith(text) ? undefined : 'utf-8';
  const end = text.indexOf('?>');
  if (end < 0 && !final && head.length < HEAD_BYTES) return undefined;
  const declared = /\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(
    end < 0 ? text : text.slice(0, end),
  )?.[1];
  if (!declared) return 'utf-8';
  let encoding: string;
  try {
    encoding = new TextDecoder(declared).encoding;
  } catch {
    throw new UndecodableBytes(
      declared,
      0,
      1,
      `the XML declaration names encoding "${declared.slice(0, 40)}", which msct cannot read (UTF-8, UTF-16, ISO-8859-1 and windows-1252 it can)`,
    );
  }
  // The declaration was readable one byte per character: the file is not UTF-16, whatever it says.
  if (encoding.startsWith('utf-16'))
    throw new UndecodableBytes(
      encoding,
      0,
      1,
      `the XML declaration says ${declared} but the file has no byte order mark and is written one byte per character`,
    );
  return encoding;
};

/** The encoding of a CSV file: its byte order mark, else UTF-8. */
export const sniffCsv: Sniff = (head, final) => {
  if (head.length < 3 && !final) return undefined;
  return bom(head) ?? 'utf-8';
};

/**
 * A streaming decoder: `write` each chunk, then `end`. Chunks may cut a character anywhere; the text
 * comes out without the byte order mark.
 */
export class ByteDecoder {
  private head: Buffer[] = [];
  private headBytes = 0;
  private decoder: TextDecoder | undefined;
  /** Bytes decoded so far (the offset of the next chunk's first byte). */
  private offset = 0;
  private lines = 1;
  private lastWasCR = false;
  /** UTF-8 bytes of a character cut by the previous chunk's end. */
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly sniff: Sniff) {}

  get encoding(): string | undefined {
    return this.decoder?.encoding;
  }

  write(chunk: Buffer | string): string {
    if (typeof chunk === 'string') return chunk;
    if (this.decoder) return this.decode(chunk, true);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    return this.decide(false);
  }

  end(): string {
    const text = this.decoder ? '' : this.decide(true);
    return text + this.decode(Buffer.alloc(0), false);
  }

  private decide(final: boolean): string {
    const head = Buffer.concat(this.head, this.headBytes);
    const encoding = this.sniff(head, final);
    if (!encoding) return '';
    this.head = [];
    this.decoder = new TextDecoder(encoding, { fatal: true });
    return this.decode(head, !final);
  }

  /** Counts the line ends of `text` (CR LF, LF or CR, as XML 1.0 §2.11 and the CSV reader count). */
  private countLines(text: string): number {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 || (c === 10 && !this.lastWasCR)) this.lines++;
      this.lastWasCR = c === 13;
    }
    return this.lines;
  }

  private decode(bytes: Buffer, stream: boolean): string {
    const decoder = this.decoder!;
    try {
      const text = decoder.decode(bytes, { stream });
      if (decoder.encoding === 'utf-8')
        this.carry = utf8Tail(bytes.length >= 3 ? bytes : Buffer.concat([this.carry, bytes]));
      this.offset += bytes.length;
      this.countLines(text);
      return text;
    } catch {
      // Where exactly: UTF-8 is checked byte by byte; another encoding is named by its chunk.
      let at = this.offset;
      let line = this.lines;
      if (decoder.encoding === 'utf-8') {
        const all = Buffer.concat([this.carry, bytes]);
        const bad = firstInvalidUtf8(all);
        at = this.offset - this.carry.length + bad;
        line = this.countLines(all.subarray(0, bad).toString('utf8'));
      }
      throw new UndecodableBytes(decoder.encoding.toUpperCase(), at, line);
    }
  }
}

/** The bytes of an unfinished UTF-8 character at the end of `b` (at most 3). */
function utf8Tail(b: Buffer): Buffer {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const c = b[b.length - back]!;
    if ((c & 0xc0) === 0x80) continue;
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > back ? b.subarray(b.length - back) : Buffer.alloc(0);
  }
  return Buffer.alloc(0);
}

/** Offset of the first byte of `b` that does not start a valid UTF-8 sequence (RFC 3629 §4). */
export function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [need, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [need, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    // A character cut short by the end of the bytes.
    if (i + need >= b.length) return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const d = b[i + k]!;
      if ((d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return b.length;
}
