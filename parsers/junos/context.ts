/**
 * What the interpreters of one configuration share: the tree, diagnostics, source lines (for
 * spans), the chains built so far, and whether the file is a complete device configuration (a
 * load-merge fragment, e.g. a generated filter or policy file, may use objects defined
 * elsewhere: undefined references are warnings there, errors in a complete configuration).
 */
import type { Chain, Condition, SourceSpan } from "../../src/model/types.js";
import { chainKey } from "../../src/model/types.js";
import type { Diagnostics } from "./statements.js";
import type { ConfigNode } from "./tree.js";

/** What every vendor reader that keeps its file's lines shares (JunOS, FortiOS). */
export interface VendorContext {
  diags: Diagnostics;
  file: string;
  lines: string[];
  chains: Map<string, Chain>;
  /** A whole device configuration, not a fragment: undefined references are errors. */
  complete: boolean;
  ruleCount: number;
}

export interface JunosContext extends VendorContext {
  root: ConfigNode;
  /**
   * In a policy file without `security zones` that names an Internet zone, the zones its policies
   * name, each taken as one interface of its own (see policyFileZones); undefined otherwise.
   */
  standInZones?: ReadonlySet<string>;
}

export function spanOf(ctx: Pick<VendorContext, "file" | "lines">, n: { line: number; column: number }): SourceSpan {
  return { file: ctx.file, line: n.line, column: n.column, text: (ctx.lines[n.line - 1] ?? "").replace(/\r$/, "") };
}

export function addChain(ctx: Pick<VendorContext, "chains">, chain: Chain): string {
  const key = chainKey(chain.table, chain.name);
  ctx.chains.set(key, chain);
  return key;
}

/** An undefined reference: an error in a complete configuration, a warning in a fragment. */
export function undefinedRef(ctx: Pick<VendorContext, "complete" | "diags">, at: { line: number; column: number }, message: string): void {
  if (ctx.complete) ctx.diags.error(at, message);
  else ctx.diags.warn(at, `${message} (not in this file; it is a configuration fragment)`);
}

/** One condition that holds when any alternative (a conjunction) holds; simplified when trivial. */
export function anyOf(alternatives: Condition[][], negate = false): Condition[] {
  if (alternatives.some((a) => a.length === 0)) return negate ? [{ kind: "or", anyOf: [], negate: false }] : [];
  if (alternatives.length === 1 && !negate) return alternatives[0]!;
  return [{ kind: "or", anyOf: alternatives, ...(negate ? { negate: true } : {}) }];
}
