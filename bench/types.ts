/** One measured figure of a benchmark, printed by bench/run.ts. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The target in words, e.g. '>= 1 000 000 visits/s'. */
  target?: string;
  /** Whether the target was met; absent when the figure has no target. */
  ok?: boolean;
}
