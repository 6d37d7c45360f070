// A streaming XML writer: xmlbuilder2's callback builder emits text as elements are opened, and this
// collects it until `flush` hands it to the destination, waiting for the destination to drain. The
// exporter flushes after each page of subjects, so memory holds one page, never the whole file.
import type { Writable } from 'node:stream';
import { createCB } from 'xmlbuilder2';
import type { XMLBuilderCB } from 'xmlbuilder2/lib/interfaces.js';

export class XmlStream {
  readonly xml: XMLBuilderCB;
  private chunks: string[] = [];
  private size = 0;
  /** Bytes handed to the destination so far. */
  written = 0;

  constructor(private readonly out: Writable) {
    this.xml = createCB({
      prettyPrint: true,
      data: (chunk: string) => {
        this.chunks.push(chunk);
        this.size += chunk.length;
      },
    });
  }

  /** Writes what has been built so far; resolves when the destination can take more. */
  async flush(): Promise<void> {
    if (this.chunks.length === 0) return;
    const text = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    this.written += Buffer.byteLength(text);
    if (!this.out.write(text)) await new Promise<void>((r) => this.out.once('drain', () => r()));
  }

  /** Flushes only when enough has piled up (keeps writes large, memory small). */
  async maybeFlush(threshold = 1 << 20): Promise<void> {
    if (this.size >= threshold) await this.flush();
  }
}

/** A one-language TranslatedText child (Description, Question, Decode, Symbol). */
export function translatedText(xml: XMLBuilderCB, element: string, text: string): void {
  xml.ele(element).ele('TranslatedText', { 'xml:lang': 'en' }).txt(text).up().up();
}
