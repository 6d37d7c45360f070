// A streaming XML writer: elements are written as they are opened and collected until `flush`
// hands them to the destination, waiting for it to drain. The exporter flushes after each page of
// subjects, so memory holds one page, never the whole file.
// Hand-written rather than xmlbuilder2's callback builder, which builds a DOM node per element:
// profiled on the demo trial it spent ~70% of the export in node construction (DESIGN.md principle 8:
// our own code where speed demands it). The API is the subset of xmlbuilder2's we used.
import { WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

const TEXT_SPECIAL = /[&<>]/;
const ATTR_SPECIAL = /[&<>"\t\n\r]/;
// Most values need no escaping: one test instead of three to seven replacements.
export const escText = (s: string) =>
  TEXT_SPECIAL.test(s) ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : s;
export const escAttr = (s: string) =>
  ATTR_SPECIAL.test(s)
    ? escText(s)
        .replace(/"/g, '&quot;')
        .replace(/\t/g, '&#9;')
        .replace(/\n/g, '&#10;')
        .replace(/\r/g, '&#13;')
    : s;

export class XmlWriter {
  private readonly stack: { name: string; children: boolean; text: boolean }[] = [];
  private startOpen = false;

  constructor(private readonly emit: (chunk: string) => void) {}

  dec(_: { version: string; encoding: string }): this {
    this.emit('<?xml version="1.0" encoding="UTF-8"?>');
    return this;
  }

  ele(name: string, attributes: Record<string, string> = {}): this {
    const parent = this.stack[this.stack.length - 1];
    if (this.startOpen) this.emit('>');
    if (parent) parent.children = true;
    let tag = `\n${'  '.repeat(this.stack.length)}<${name}`;
    for (const [k, v] of Object.entries(attributes)) tag += ` ${k}="${escAttr(v)}"`;
    this.emit(tag);
    this.stack.push({ name, children: false, text: false });
    this.startOpen = true;
    return this;
  }

  /** Elements open now (the indentation of a child is two spaces for each). */
  get depth(): number {
    return this.stack.length;
  }

  /**
   * Child elements of the open element as text already laid out as `ele`/`up` would lay them out
   * (each starting on a new line, indented by `depth`): the export's hot loop builds them directly
   * (odm-item-history.ts). Nothing is written for an empty string.
   */
  children(text: string): this {
    if (text.length === 0) return this;
    if (this.startOpen) this.emit('>');
    this.startOpen = false;
    this.stack[this.stack.length - 1]!.children = true;
    this.emit(text);
    return this;
  }

  txt(text: string): this {
    if (this.startOpen) this.emit('>');
    this.startOpen = false;
    this.stack[this.stack.length - 1]!.text = true;
    this.emit(escText(text));
    return this;
  }

  up(): this {
    const el = this.stack.pop();
    if (!el) throw new Error('XmlWriter.up: no open element');
    if (this.startOpen) this.emit('/>');
    else if (el.children) this.emit(`\n${'  '.repeat(this.stack.length)}</${el.name}>`);
    else this.emit(`</${el.name}>`);
    this.startOpen = false;
    return this;
  }

  end(): void {
    while (this.stack.length > 0) this.up();
    this.emit('\n');
  }
}

/** Bytes a destination may hold unwritten before `flush` waits for it (memory stays bounded). */
const BACKLOG = 8 << 20;
/**
 * Pooled writes a file destination may have in flight (each ~1 MB, see `Pool`): one being written
 * while the next is built.
 */
const POOLED_WRITES = 2;
/** A pooled buffer's least size. */
const POOLED_BUFFER_BYTES = 5 << 18;

/**
 * To a file (an fs.WriteStream is done with a chunk when its write callback runs), the text is
 * encoded as it is emitted into one of a few buffers, each used again once the file has written it.
 * Two costs of the string path are gone (bench/exchange.bench.ts, 1 000 000 values; issue #23):
 * - a new Buffer per megabyte outlived the young generation while it waited to be written, so it was
 *   freed only by a full GC, which V8 starts on external memory after ~64 MB: up to 75 MB of written
 *   buffers were held at the export's peak RSS;
 * - the megabyte of text, held as a string until its flush, outlived the young generation too and
 *   grew the old space (heapTotal up to 142 MB when the file was written fast).
 * Only for files: a PassThrough (the HTTP route) calls back before its reader has the chunk.
 */
class Pool {
  private readonly free: Buffer[] = [];
  private readonly ready: { buffer: Buffer; length: number }[] = [];
  private current: Buffer | undefined;
  private pos = 0;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  /** Bytes encoded and not yet handed to the file. */
  pending = 0;

  constructor(private readonly out: Writable) {}

  append(chunk: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4).
    const room = chunk.length * 3;
    if (!this.current || this.pos + room > this.current.length) {
      if (this.current && this.pos > 0) this.ready.push({ buffer: this.current, length: this.pos });
      this.current = this.take(room);
      this.pos = 0;
    }
    const n = this.current.write(chunk, this.pos, 'utf8');
    this.pos += n;
    this.pending += n;
  }

  /** Hands every encoded byte to the file, waiting while `POOLED_WRITES` writes are in flight; returns the bytes written. */
  async flush(): Promise<number> {
    if (this.current && this.pos > 0) {
      this.ready.push({ buffer: this.current, length: this.pos });
      this.current = undefined;
      this.pos = 0;
    }
    let written = 0;
    while (this.ready.length > 0) {
      while (this.inFlight >= POOLED_WRITES) await new Promise<void>((r) => this.waiting.push(r));
      const { buffer, length } = this.ready.shift()!;
      this.inFlight++;
      written += length;
      this.pending -= length;
      this.out.write(buffer.subarray(0, length), () => {
        this.inFlight--;
        // A buffer larger than usual (a very long text) is not kept.
        if (buffer.length <= 4 << 20 && this.free.length < POOLED_WRITES + 1) this.free.push(buffer);
        this.waiting.shift()?.();
      });
    }
    return written;
  }

  private take(bytes: number): Buffer {
    const i = this.free.findIndex((b) => b.length >= bytes);
    return i >= 0 ? this.free.splice(i, 1)[0]! : Buffer.allocUnsafeSlow(Math.max(bytes, POOLED_BUFFER_BYTES));
  }
}

export class XmlStream {
  readonly xml: XmlWriter;
  // One growing string (V8 ropes: appends are cheap and it is flattened once, when written), not an
  // array of small pieces joined at the flush: the pieces of a megabyte were ~half the export's GC.
  // To a file the text goes to `pool` instead.
  private text = '';
  /** Bytes handed to the destination so far. */
  written = 0;
  private readonly pool: Pool | undefined;

  constructor(private readonly out: Writable) {
    const pool = out instanceof WriteStream ? new Pool(out) : undefined;
    this.pool = pool;
    this.xml = new XmlWriter(
      pool
        ? (chunk) => pool.append(chunk)
        : (chunk) => {
            this.text += chunk;
          },
    );
  }

  /**
   * Writes what has been built so far; resolves at once while the destination holds less than
   * `BACKLOG` bytes not yet written, else when it has drained: the next megabyte is built while the
   * last is written (waiting after every write left the export idle for a fifth of its time).
   */
  async flush(): Promise<void> {
    if (this.pool) {
      this.written += await this.pool.flush();
      return;
    }
    if (this.text.length === 0) return;
    // Encoded once here (a string written to a file stream is encoded again, after a byteLength pass).
    const bytes = Buffer.from(this.text);
    this.text = '';
    this.written += bytes.length;
    if (!this.out.write(bytes) && this.out.writableLength > BACKLOG)
      await new Promise<void>((r) => this.out.once('drain', () => r()));
  }

  /** Flushes only when enough has piled up (keeps writes large, memory small). */
  async maybeFlush(threshold = 1 << 20): Promise<void> {
    if ((this.pool ? this.pool.pending : this.text.length) >= threshold) await this.flush();
  }
}

/** A one-language TranslatedText child (Description, Question, Decode, Symbol). */
export function translatedText(xml: XmlWriter, element: string, text: string): void {
  xml.ele(element).ele('TranslatedText', { 'xml:lang': 'en' }).txt(text).up().up();
}
