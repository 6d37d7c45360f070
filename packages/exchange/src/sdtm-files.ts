// One SDTM-style domain written as two files side by side: the CSV and the CDISC Dataset-JSON 1.1
// dataset. Rows are streamed: the CSV is written as rows come; the Dataset-JSON rows go to a
// temporary file, because the header (records, each column's length) precedes them and is known
// only at the end, then the dataset is assembled from header and rows. Memory holds 64 kB of text.
//
// Dataset-JSON 1.1 (CDISC, github.com/cdisc-org/DataExchange-DatasetJson, schema/dataset.schema.json
// and doc/dataset-json1-1.md): top level datasetJSONCreationDateTime, datasetJSONVersion, fileOID,
// originator, sourceSystem {name, version}, studyOID, metaDataVersionOID, metaDataRef, itemGroupOID,
// records, name, label, columns [{itemOID, name, label, dataType, length, keySequence}], rows
// (arrays in column order). The OIDs are those of define.xml (sdtm-define-xml.ts).
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import type { DomainSpec, SdtmDataType, VariableSpec } from './sdtm-domains.js';

export type Cell = string | number | null | undefined;
export type Row = Record<string, Cell>;

export const DATASET_JSON_VERSION = '1.1.0';

/** OIDs shared by define.xml and the Dataset-JSON files. */
export const sdtmOid = {
  itemGroup: (domain: string) => `IG.${domain}`,
  item: (domain: string, variable: string) => `IT.${domain}.${variable}`,
  codeList: (name: string) => `CL.${name}`,
  leaf: (domain: string) => `LF.${domain}`,
  metaDataVersion: 'MDV.MSCT.SDTMIG.3.3',
} as const;

/** The key variables of a domain, in key order: STUDYID, USUBJID and the domain's --SEQ. */
export function keyVariables(spec: DomainSpec): string[] {
  return spec.name === 'DM' ? ['STUDYID', 'USUBJID'] : ['STUDYID', 'USUBJID', `${spec.name}SEQ`];
}

/** What the writer saw of one variable: the longest value and the most decimals. */
export interface VariableStats {
  maxLength: number;
  maxFractionDigits: number;
}

/** Dataset-JSON's data type of a variable. */
function jsonDataType(t: SdtmDataType): string {
  return t === 'text' ? 'string' : t;
}

export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The value as written: null for no value, a number for numeric variables, else text. */
function cellValue(x: VariableSpec, v: Cell): string | number | null {
  if (v === null || v === undefined || v === '') return null;
  if (x.type === 'Num') {
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return String(v);
}

export interface DomainFileOptions {
  studyDays: boolean;
  /** Dataset-JSON header fields common to every dataset of the export. */
  header: { studyOID: string; creationDateTime: string; sourceSystemVersion: string };
}

/** One domain's CSV and Dataset-JSON files, written row by row with backpressure. */
export class DomainFile {
  private readonly csv: WriteStream;
  private readonly rowsTmp: WriteStream;
  private readonly rowsPath: string;
  rows = 0;
  readonly stats: Map<string, VariableStats>;
  private error: Error | undefined;
  /** Text not yet handed to each file: written 64 kB at a time, not a write (and a wait) per line. */
  private pendingCsv = '';
  private pendingJson = '';
  constructor(
    private readonly outDir: string,
    readonly spec: DomainSpec,
    private readonly opts: DomainFileOptions,
  ) {
    const base = spec.name.toLowerCase();
    this.csv = createWriteStream(join(outDir, `${base}.csv`));
    this.rowsPath = join(outDir, `.${base}.rows.tmp`);
    this.rowsTmp = createWriteStream(this.rowsPath);
    // A write error (disk full…) is kept and thrown at the next write or at close, not left unhandled.
    for (const f of [this.csv, this.rowsTmp])
      f.on('error', (e) => {
        this.error ??= e;
      });
    this.stats = new Map(spec.variables.map((x) => [x.name, { maxLength: 0, maxFractionDigits: 0 }]));
    this.pendingCsv = `${spec.variables.map((x) => x.name).join(',')}\r\n`;
  }

  async write(r: Row): Promise<void> {
    if (this.error) throw this.error;
    const values = this.spec.variables.map((x) => {
      const v = cellValue(x, this.opts.studyDays && x.date ? null : r[x.name]);
      if (v !== null) {
        const st = this.stats.get(x.name)!;
        const text = String(v);
        if (text.length > st.maxLength) st.maxLength = text.length;
        const dot = typeof v === 'number' ? text.indexOf('.') : -1;
        if (dot >= 0 && text.length - dot - 1 > st.maxFractionDigits)
          st.maxFractionDigits = text.length - dot - 1;
      }
      return v;
    });
    this.pendingCsv += `${values.map(csvField).join(',')}\r\n`;
    this.pendingJson += `${this.rows === 0 ? '' : ','}\n${JSON.stringify(values)}`;
    this.rows++;
    if (this.pendingCsv.length + this.pendingJson.length >= 1 << 16) await this.flush();
  }

  private async flush(): Promise<void> {
    const pairs: [WriteStream, string][] = [
      [this.csv, this.pendingCsv],
      [this.rowsTmp, this.pendingJson],
    ];
    this.pendingCsv = '';
    this.pendingJson = '';
    for (const [file, text] of pairs)
      if (text && !file.write(text)) await new Promise<void>((res) => file.once('drain', () => res()));
  }

  /** Closes the CSV and assembles `<domain>.json` from its header and the spooled rows. */
  async close(): Promise<void> {
    if (this.error) throw this.error;
    await this.flush();
    this.csv.end();
    this.rowsTmp.end();
    await Promise.all([finished(this.csv), finished(this.rowsTmp)]);
    const keys = keyVariables(this.spec);
    const { name, label } = this.spec;
    const head = {
      datasetJSONCreationDateTime: this.opts.header.creationDateTime,
      datasetJSONVersion: DATASET_JSON_VERSION,
      fileOID: `${this.opts.header.studyOID}.SDTM.${name}`,
      originator: 'msct',
      sourceSystem: { name: 'msct', version: this.opts.header.sourceSystemVersion },
      studyOID: this.opts.header.studyOID,
      metaDataVersionOID: sdtmOid.metaDataVersion,
      metaDataRef: 'define.xml',
      itemGroupOID: sdtmOid.itemGroup(name),
      records: this.rows,
      name,
      label,
      columns: this.spec.variables.map((x) => {
        const st = this.stats.get(x.name)!;
        const k = keys.indexOf(x.name);
        return {
          itemOID: sdtmOid.item(name, x.name),
          name: x.name,
          label: x.label,
          dataType: jsonDataType(x.dataType),
          ...(x.dataType === 'text' ? { length: Math.max(1, st.maxLength) } : {}),
          ...(k >= 0 ? { keySequence: k + 1 } : {}),
        };
      }),
    };
    const json = createWriteStream(join(this.outDir, `${name.toLowerCase()}.json`));
    const text = JSON.stringify(head);
    json.write(`${text.slice(0, -1)},"rows":[`);
    await pipeline(createReadStream(this.rowsPath), json, { end: false });
    json.end('\n]}\n');
    await finished(json);
    await unlink(this.rowsPath);
  }

  destroy(): void {
    this.csv.destroy();
    this.rowsTmp.destroy();
    unlink(this.rowsPath).catch(() => undefined);
  }
}
