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
 * Pooled writes a file destination may have in flight (each ~1 MB of text, see flushPooled): one
 * being written while the next is built. Four held ~5 MB more for no measurable gain.
 */
const POOLED_WRITES = 2;
/** A pooled buffer's least size: a flush's megabyte of text (maybeFlush) and the subject after it. */
const POOLED_BUFFER_BYTES = 5 << 18;

export class XmlStream {
  readonly xml: XmlWriter;
  // One growing string (V8 ropes: appends are cheap and it is flattened once, when written), not an
  // array of small pieces joined at the flush: the pieces of a megabyte were ~half the export's GC.
  private text = '';
  /** Bytes handed to the destination so far. */
  written = 0;

  /** Reused write buffers, for a file destination only (see flushPooled). */
  private readonly pool: { free: Buffer[]; inFlight: number; waiting: (() => void)[] } | undefined;

  constructor(private readonly out: Writable) {
    this.pool = out instanceof WriteStream ? { free: [], inFlight: 0, waiting: [] } : undefined;
    this.xml = new XmlWriter((chunk) => {
      this.text += chunk;
    });
  }

  /**
   * Writes what has been built so far; resolves at once while the destination holds less than
   * `BACKLOG` bytes not yet written, else when it has drained: the next megabyte is built while the
   * last is written (waiting after every write left the export idle for a fifth of its time).
   */
  async flush(): Promise<void> {
    if (this.text.length === 0) return;
    if (this.pool) return this.flushPooled();
    // Encoded once here (a string written to a file stream is encoded again, after a byteLength pass).
    const bytes = Buffer.from(this.text);
    this.text = '';
    this.written += bytes.length;
    if (!this.out.write(bytes) && this.out.writableLength > BACKLOG)
      await new Promise<void>((r) => this.out.once('drain', () => r()));
  }

  /**
   * To a file: the text is encoded into one of a few buffers that are used again once the file has
   * written them (an fs.WriteStream is done with a chunk when its write callback runs). A new Buffer
   * per megabyte outlived the young generation while it waited to be written, so it was freed only
   * by a full GC, which V8 starts on external memory after ~64 MB: up to 75 MB of written buffers
   * were held at the export's peak RSS (bench/exchange.bench.ts, 1 000 000 values; issue #23).
   * Only for files: a PassThrough (the HTTP route) calls back before its reader has the chunk.
   */
  private async flushPooled(): Promise<void> {
    const pool = this.pool!;
    const text = this.text;
    this.text = '';
    const n = Buffer.byteLength(text);
    while (pool.inFlight >= POOLED_WRITES) await new Promise<void>((r) => pool.waiting.push(r));
    const i = pool.free.findIndex((b) => b.length >= n);
    const buffer =
      i >= 0 ? pool.free.splice(i, 1)[0]! : Buffer.allocUnsafeSlow(Math.max(n, POOLED_BUFFER_BYTES));
    buffer.write(text, 0, n, 'utf8');
    this.written += n;
    pool.inFlight++;
    this.out.write(buffer.subarray(0, n), () => {
      pool.inFlight--;
      // A buffer larger than usual (a page of long texts) is not kept.
      if (buffer.length <= 4 << 20 && pool.free.length < POOLED_WRITES) pool.free.push(buffer);
      pool.waiting.shift()?.();
    });
  }

  /** Flushes only when enough has piled up (keeps writes large, memory small). */
  async maybeFlush(threshold = 1 << 20): Promise<void> {
    if (this.text.length >= threshold) await this.flush();
  }
}

/** A one-language TranslatedText child (Description, Question, Decode, Symbol). */
export function translatedText(xml: XmlWriter, element: string, text: string): void {
  xml.ele(element).ele('TranslatedText', { 'xml:lang': 'en' }).txt(text).up().up();
}
