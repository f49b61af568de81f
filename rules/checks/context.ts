/**
 * What a check sees: the parsed ruleset and the analyses of it, computed once and shared.
 */
import type { TracePath } from "../../src/analysis/trace.js";
import type { PipelineResult } from "../../src/analysis/evaluate.js";
import type { Finding, Location, TraceStep } from "../../src/model/finding.js";
import type { Pipeline, Ruleset } from "../../src/model/types.js";
import type { ServiceCatalog } from "../../src/engine/rule-pack.js";

export interface CheckContext {
  ruleset: Ruleset;
  catalog: ServiceCatalog;
  /** Interface names for readable witnesses. */
  ifaces: string[];
  /** Evaluation of every pipeline (computed on first use). */
  results(): PipelineResult[];
  /** The paths a concrete packet takes through a pipeline. */
  trace(pipeline: Pipeline, point: readonly bigint[]): TracePath[];
}

export type Check<P> = (ctx: CheckContext, params: P, rule: { id: string; severity: Finding["severity"] }) => Finding[];

export function locationOf(step: TraceStep | undefined, fallback: Location): Location {
  if (!step) return fallback;
  return { file: step.file, line: step.line, column: step.column ?? 1 };
}
