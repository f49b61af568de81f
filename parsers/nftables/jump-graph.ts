/**
 * What the kernel refuses in the jumps between an nftables table's chains when the ruleset is
 * loaded: a jump or goto to a base chain (EOPNOTSUPP, "Operation not supported" - nft -c finds
 * it too), and a chain 16 jumps below a base chain, which its jump stack (NFT_JUMP_STACK_SIZE, 16)
 * cannot hold - a loop of jumps reached from a base chain is one ("Too many links", EMLINK; only
 * a real load finds it, `nft -c` does not). Checked with nft 1.0.6 on this machine's kernel.
 */
import type { Chain, Rule } from "../../src/model/types.js";

/** The kernel's jump stack: a chain at this many jumps below a base chain is refused. */
const JUMP_STACK = 16;

export interface JumpRefusal {
  rule: Rule;
  message: string;
}

type Jump = Rule & { action: { kind: "jump" | "goto"; chain: string } };

function jumpsOf(c: Chain): Jump[] {
  return c.rules.filter((r): r is Jump => r.action.kind === "jump" || r.action.kind === "goto");
}

/** Later in the file (one file: by line and column; otherwise the second). */
function later(a: Rule, b: Rule): Rule {
  if (a.span.file !== b.span.file) return b;
  return b.span.line > a.span.line || (b.span.line === a.span.line && b.span.column > a.span.column) ? b : a;
}

/**
 * The refusals among `chains` (keyed `table/name`; `bases`: the keys of base chains). Each rule
 * jumping to a base chain is one; a base chain whose jumps reach JUMP_STACK levels (or a loop) is
 * one, told at the rule nft names: of the jumps on the way, the one latest in the file - nft
 * adds rules in file order and refuses the one whose jump completes the path.
 */
export function jumpRefusals(chains: ReadonlyMap<string, Chain>, bases: ReadonlySet<string>): JumpRefusal[] {
  const out: JumpRefusal[] = [];
  const target = (c: Chain, r: Jump) => `${c.table}/${r.action.chain}`;
  for (const c of chains.values()) {
    for (const r of jumpsOf(c)) {
      if (bases.has(target(c, r))) out.push({ rule: r, message: `${r.action.kind} to chain '${r.action.chain}', a base chain (type ... hook ...): the kernel takes jumps only to regular chains (nft: "Could not process rule: Operation not supported")` });
    }
  }
  // Levels below each chain: the most jumps a path from it makes (Infinity: a loop), and the jump it takes.
  const below = new Map<string, { levels: number; via?: Jump }>();
  const onStack = new Set<string>();
  const levels = (key: string): number => {
    const known = below.get(key);
    if (known) return known.levels;
    if (onStack.has(key)) return Infinity;
    const c = chains.get(key);
    if (!c) return 0;
    onStack.add(key);
    let best: { levels: number; via?: Jump } = { levels: 0 };
    for (const r of jumpsOf(c)) {
      const t = target(c, r);
      if (bases.has(t)) continue;
      const n = 1 + levels(t);
      if (n > best.levels) best = { levels: n, via: r };
      if (n === Infinity) break;
    }
    onStack.delete(key);
    // (a walk that met a chain on its own way found a loop through this one: Infinity holds for it)
    below.set(key, best);
    return best.levels;
  };
  for (const key of bases) {
    const n = levels(key);
    if (n < JUMP_STACK) continue;
    // The path the kernel fails on: follow the deepest jumps until the stack is full or a chain repeats.
    let at = key;
    let blame: Rule | undefined;
    const seen = new Set<string>([key]);
    const path: string[] = [chains.get(key)!.name];
    for (let depth = 0; depth < JUMP_STACK; depth++) {
      const via = below.get(at)?.via;
      if (!via) break;
      blame = blame ? later(blame, via) : via;
      at = target(chains.get(at)!, via);
      path.push(via.action.chain);
      if (seen.has(at)) break;
      seen.add(at);
    }
    if (!blame) continue;
    const loop = n === Infinity;
    const shown = path.length > 6 ? [...path.slice(0, 3), "...", ...path.slice(-2)] : path;
    out.push({
      rule: blame,
      message: loop
        ? `the jumps from base chain ${path[0]} loop (${shown.join(" -> ")}): the kernel refuses the ruleset when it is loaded (nft: "Could not process rule: Too many links"; nft -c does not tell)`
        : `the jumps from base chain ${path[0]} go ${JUMP_STACK} chains deep (${shown.join(" -> ")}): the kernel's jump stack holds ${JUMP_STACK - 1}, and it refuses the ruleset when it is loaded (nft: "Could not process rule: Too many links"; nft -c does not tell)`,
    });
  }
  return out;
}
