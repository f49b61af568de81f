/**
 * Where a FortiOS configuration keeps what: a device without virtual domains has every block at
 * the top; one with VDOMs keeps the device-wide blocks under `config global` and each VDOM's
 * firewall (addresses, services, zones, policies, VIPs) under `config vdom` / `edit NAME`.
 * Each VDOM is a firewall of its own, with its own objects and its own interfaces (`set vdom`).
 */
import type { VendorContext } from "../junos/context.js";
import type { Container } from "./reader.js";

export interface Vdom {
  /** "root" for a device without VDOMs. */
  name: string;
  /** The VDOM's own blocks. */
  blocks: Container;
  /** Where it is declared (the `edit` of `config vdom`), or the file's start. */
  at: { line: number; column: number };
}

/** `complete`: the file declares interfaces (`config system interface`), it is not a fragment of firewall objects. */
export interface FortiosContext extends VendorContext {
  /** Device-wide blocks: `config global`, or the top for a device without VDOMs. */
  global: Container;
  vdoms: Vdom[];
}

export function readScopes(root: Container): { global: Container; vdoms: Vdom[] } {
  const vdomBlock = root.blocks.get("vdom");
  const global = root.blocks.get("global") ?? root;
  const declared = (vdomBlock?.entries ?? []).filter((e) => e.blocks.size > 0);
  if (declared.length === 0) return { global, vdoms: [{ name: "root", blocks: root, at: { line: 1, column: 1 } }] };
  return { global, vdoms: declared.map((e) => ({ name: e.key, blocks: e, at: e.at })) };
}

export { addChain, spanOf, undefinedRef } from "../junos/context.js";
