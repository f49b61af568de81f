/**
 * What a check sees: the parsed ruleset and the analyses of it, computed once and shared.
 */
import { tracerOf, type TracePath } from "../../src/analysis/trace.js";
import { evaluateRuleset, type PipelineResult } from "../../src/analysis/evaluate.js";
import { interfaceNames, witnessRoutes, type WitnessHints } from "../../src/analysis/witness.js";
import type { Finding, Location, TraceStep } from "../../src/model/finding.js";
import { chainKey, type ConnectedSubnets, type Pipeline, type Ruleset } from "../../src/model/types.js";
import { loadBuiltinCatalog, type ServiceCatalog } from "../../src/engine/rule-pack.js";
import type { InterfaceName } from "../../src/engine/config.js";
import { internetSideOf } from "../../src/engine/intent.js";

export interface CheckContext {
  ruleset: Ruleset;
  catalog: ServiceCatalog;
  /** Interface names for readable witnesses. */
  ifaces: string[];
  /** The device's routes for witnesses through it (witnessRoutes), when its file shows them. */
  routes?: ConnectedSubnets[] | undefined;
  /**
   * The interfaces that face the Internet, when known (the configuration's `internet:`, else the
   * vendor format's default); undefined: any interface but loopback and bridges may.
   */
  internet?: readonly InterfaceName[];
  /**
   * Without `internet`: the interfaces on trusted networks (Ruleset.internalInterfaces); every
   * other one may face the Internet.
   */
  internal?: readonly InterfaceName[];
  /** Evaluation of every pipeline (computed on first use). */
  results(): PipelineResult[];
  /**
   * The paths a concrete packet takes through a pipeline; with `deliveredTo`, those delivering it
   * to that destination address and port (after DNAT) are followed even where the others are cut.
   */
  trace(pipeline: Pipeline, point: readonly bigint[], deliveredTo?: readonly bigint[]): TracePath[];
}

export type Check<P> = (ctx: CheckContext, params: P, rule: { id: string; severity: Finding["severity"] }) => Finding[];

export function locationOf(step: TraceStep | undefined, fallback: Location): Location {
  if (!step) return fallback;
  return { file: step.file, line: step.line, column: step.column ?? 1 };
}

/**
 * Where a finding decided on `path` stands: at the rule that decided, or - when that rule is one
 * the tool made itself, no line of the configuration (Rule.implied: the ACCEPT of the rate-limit
 * chain every `ufw limit` rule of a ufw script jumps to) - at the last written rule on the path
 * that jumped on towards it.
 */
export function decisionLocation(rs: Ruleset, path: TracePath | undefined, fallback: Location): Location {
  const decided = path?.decidedBy;
  if (!path || !decided) return locationOf(decided, fallback);
  const implied = (s: TraceStep) => rs.chains.get(chainKey(s.table, s.chain))?.rules.some((r) => r.implied === true && r.span.file === s.file && r.span.line === s.line && (s.column === undefined || r.span.column === s.column)) === true;
  if (!implied(decided)) return locationOf(decided, fallback);
  // back along the jumps that led into the deciding rule's chain (not those that came back)
  let chain = decided.chain;
  const at = path.steps.indexOf(decided);
  for (let i = (at < 0 ? path.steps.length : at) - 1; i >= 0; i--) {
    const s = path.steps[i]!;
    if (s.table !== decided.table || (s.action !== `jump ${chain}` && s.action !== `goto ${chain}`)) continue;
    if (!implied(s)) return locationOf(s, fallback);
    chain = s.chain;
  }
  return locationOf(decided, fallback);
}

/** What a check's example packets on `pipeline` are drawn with: the path, the device's interface names and routes. */
export function witnessHints(ctx: CheckContext, pipeline: Pipeline): WitnessHints {
  return { family: pipeline.family, kind: pipeline.kind, ifaces: ctx.ifaces, routes: ctx.routes };
}

/**
 * A context for one ruleset (evaluation on first use): the engine's runChecks starts from it, and
 * tests and tools that call a check directly use it as it is.
 */
export function makeContext(ruleset: Ruleset, catalog: ServiceCatalog = loadBuiltinCatalog()): CheckContext {
  let results: PipelineResult[] | undefined;
  return {
    ruleset,
    catalog,
    ifaces: interfaceNames(ruleset),
    routes: witnessRoutes(ruleset),
    ...internetSideOf(ruleset, undefined),
    results: () => (results ??= evaluateRuleset(ruleset).results),
    trace: tracerOf(ruleset),
  };
}
