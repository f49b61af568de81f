/**
 * The memory an exact analysis may take. Decision diagrams of a very large ruleset can outgrow the
 * JavaScript heap; V8 then aborts the whole process. Instead, node creation checks the heap now and
 * then, and past the budget the analysis stops with an error the caller reports as such. The
 * evaluator stops with the same error past its own limit (evaluate.ts, pathBudget).
 */
import { getHeapStatistics } from "node:v8";

/** An analysis stopped at one of its limits (memory, paths through the chains): the file is reported as not analysed. */
export class AnalysisLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AnalysisLimitError";
  }

  /** The heap budget is spent. */
  static heap(usedMB: number, limitMB: number): AnalysisLimitError {
    return new AnalysisLimitError(
      `the analysis needs more memory than this process may use (${usedMB} MB in use, heap limit ${limitMB} MB); ` +
        `run it with a larger heap, e.g. NODE_OPTIONS=--max-old-space-size=${Math.max(8192, limitMB * 2)}`,
    );
  }
}

/**
 * Share of V8's heap limit past which the analysis stops, and how many new nodes pass between two
 * looks at the heap; `limitBytes` overrides V8's limit (tests).
 */
export const heapBudget: { fraction: number; checkEvery: number; limitBytes?: number } = { fraction: 0.9, checkEvery: 16384 };

let sinceCheck = 0;
let created = 0;

/** Nodes created so far (a measure of the work operations did: see the evaluator's pending takes). */
export function nodesCreated(): number {
  return created;
}

/** Called for every node created; looks at the heap every `heapBudget.checkEvery` nodes. */
export function noteNodeCreated(): void {
  created++;
  if (++sinceCheck < heapBudget.checkEvery) return;
  sinceCheck = 0;
  const stats = getHeapStatistics();
  const limit = heapBudget.limitBytes ?? stats.heap_size_limit;
  if (stats.used_heap_size > limit * heapBudget.fraction) {
    throw AnalysisLimitError.heap(Math.round(stats.used_heap_size / 1048576), Math.round(limit / 1048576));
  }
}
