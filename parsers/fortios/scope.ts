/**
 * Where a FortiOS configuration keeps what: a device without virtual domains has every block at
 * the top; one with VDOMs keeps the device-wide blocks under `config global` and each VDOM's
 * firewall (addresses, services, zones, policies, VIPs) under `config vdom` / `edit NAME`.
 * Each VDOM is a firewall of its own, with its own objects and its own interfaces (`set vdom`).
 */
import type { Chain, SourceSpan } from "../../src/model/types.js";
import { chainKey } from "../../src/model/types.js";
import type { Diagnostics } from "../junos/statements.js";
import { type Block, type Container, type Token } from "./reader.js";

export interface Vdom {
  /** "root" for a device without VDOMs. */
  name: string;
  /** The VDOM's own blocks. */
  blocks: Container;
  /** Where it is declared (the `edit` of `config vdom`), or the file's start. */
  at: { line: number; column: number };
}

export interface FortiosContext {
  root: Container;
  /** Device-wide blocks: `config global`, or the top for a device without VDOMs. */
  global: Container;
  vdoms: Vdom[];
  diags: Diagnostics;
  file: string;
  lines: string[];
  chains: Map<string, Chain>;
  /** A whole device configuration (it declares interfaces), not a fragment of firewall objects. */
  complete: boolean;
  ruleCount: number;
}

export function readScopes(root: Container): { global: Container; vdoms: Vdom[] } {
  const vdomBlock = root.blocks.get("vdom");
  const global = root.blocks.get("global") ?? root;
  const declared = (vdomBlock?.entries ?? []).filter((e) => e.blocks.size > 0);
  if (declared.length === 0) return { global, vdoms: [{ name: "root", blocks: root, at: { line: 1, column: 1 } }] };
  return { global, vdoms: declared.map((e) => ({ name: e.key, blocks: e, at: e.at })) };
}

/** A block of the VDOM (or, for system-wide ones, of the device). */
export function blockOf(c: Container, path: string): Block | undefined {
  return c.blocks.get(path);
}

export function spanOf(ctx: FortiosContext, at: { line: number; column: number }): SourceSpan {
  return { file: ctx.file, line: at.line, column: at.column, text: (ctx.lines[at.line - 1] ?? "").replace(/\r$/, "") };
}

export function addChain(ctx: FortiosContext, chain: Chain): string {
  const key = chainKey(chain.table, chain.name);
  ctx.chains.set(key, chain);
  return key;
}

/** An undefined reference: an error in a complete configuration, a warning in a fragment. */
export function undefinedRef(ctx: FortiosContext, at: Token, message: string): void {
  if (ctx.complete) ctx.diags.error(at, message);
  else ctx.diags.warn(at, `${message} (not in this file; it is a configuration fragment)`);
}
