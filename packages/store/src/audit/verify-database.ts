// Everything `msct audit verify` checks, in one place, so that a backup (backup.ts) is checked
// exactly like the live database.
import type { Db } from '../database.js';
import { type AnchorCheck, type AuditAnchor, checkAuditAnchor } from './anchor.js';
import { type AuditVerifyReport, verifyAuditChain } from './verify.js';
import { type DataFinding, type DataVerifyReport, verifyAuditedData } from './verify-data.js';

export interface DatabaseVerifyReport {
  ok: boolean;
  /** The hash chain: every event intact and linked, the head where the chain ends. */
  chain: AuditVerifyReport;
  /** The data: every audited row explained by the trail. */
  data: DataVerifyReport;
  /** The chain still holds an anchor exported earlier (when one is given). */
  anchor?: AnchorCheck;
  /** Wall-clock milliseconds the check took. */
  ms: number;
}

export async function verifyDatabase(
  db: Db,
  opts: { anchor?: AuditAnchor; onFinding?: (f: DataFinding) => void; maxFindings?: number } = {},
): Promise<DatabaseVerifyReport> {
  const t0 = performance.now();
  const chain = await verifyAuditChain(db);
  const anchor = opts.anchor ? await checkAuditAnchor(db, opts.anchor) : undefined;
  const data = await verifyAuditedData(db, { onFinding: opts.onFinding, maxFindings: opts.maxFindings });
  return {
    ok: chain.ok && data.ok && (anchor?.ok ?? true),
    chain,
    data,
    ...(anchor ? { anchor } : {}),
    ms: Math.round(performance.now() - t0),
  };
}

/** One line per problem, for error messages and the CLI. */
export function describeProblems(r: DatabaseVerifyReport, maxLines = 20): string[] {
  const out: string[] = [];
  if (!r.chain.ok && r.chain.firstBreak)
    out.push(`audit chain broken at event ${r.chain.firstBreak.seq}: ${r.chain.firstBreak.problem}`);
  if (r.anchor && !r.anchor.ok) out.push(`anchor: ${r.anchor.problem}`);
  for (const f of r.data.findings.slice(0, maxLines)) out.push(formatFinding(f));
  if (r.data.findingsTotal > maxLines)
    out.push(`… and ${r.data.findingsTotal - maxLines} more rows the trail does not explain`);
  return out;
}

export function formatFinding(f: DataFinding): string {
  const values =
    f.expected !== undefined || f.actual !== undefined
      ? ` (trail: ${JSON.stringify(f.expected ?? null)}, database: ${JSON.stringify(f.actual ?? null)})`
      : '';
  return `${f.table} ${f.recordId}${f.field ? ` ${f.field}` : ''}${f.seq !== null ? ` [event ${f.seq}]` : ''}: ${f.problem}${values}`;
}
