// Derived results (/endpoints, /analysis) are computed by the server in the background the first time
// a study's data are asked for (issue 16): until they are ready the route answers 202 "computing"
// with when it started and when to ask again. The pages show "Computing…" and ask again.

/** The 202 answer of a derived-results route (contract `computing`). */
export interface Computing {
  status: 'computing';
  startedAt: string;
  retryAfterSeconds: number;
}

export function isComputing(x: unknown): x is Computing {
  return typeof x === 'object' && x !== null && (x as { status?: unknown }).status === 'computing';
}

/**
 * Asks `ask` until it answers with the result; while the server computes, `onComputing` is told when
 * it started (and `null` once the result is in). Stops asking (rejects) when `live()` turns false.
 */
export async function untilDerived<R>(
  ask: () => Promise<R>,
  onComputing: (c: Computing | null) => void,
  live: () => boolean,
): Promise<Exclude<R, Computing>> {
  for (;;) {
    const r = await ask();
    if (!isComputing(r)) {
      onComputing(null);
      return r as Exclude<R, Computing>;
    }
    if (!live()) throw new Error('the page was left while the results were computed');
    onComputing(r);
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, r.retryAfterSeconds) * 1000));
  }
}
