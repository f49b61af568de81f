/**
 * Chains that give every packet entering them one verdict: an unconditional ACCEPT, DROP or
 * REJECT after rules that only log, count or mark - the shared `L_ACCEPT`, `LOG_DROP`, nft
 * `chain allow { counter accept }` that generated and hand-written rulesets jump to. Such a chain
 * decides nothing itself: a rule jumping to it decides, as if it had that verdict. Findings point
 * at the jump, and the checks that reason about verdicts read the jump as one (decidingAction).
 */
import type { Action, Chain, Rule, Ruleset } from "./types.js";

type Verdict = Extract<Action, { kind: "accept" | "drop" | "reject" }>;

const memo = new WeakMap<Chain, Verdict | null>();

/**
 * The verdict the chain gives every packet entering it, or undefined. A vendor's list (a chain
 * with a Chain.label: an access-list, a firewall filter, a zone pair's policies) is never one: it
 * is what its device decides with, and the binding that fwlint makes into a jump to it is no rule
 * of the user's.
 */
export function verdictOfAll(chain: Chain): Verdict | undefined {
  let v = memo.get(chain);
  if (v === undefined) {
    const first = chain.label === undefined ? chain.rules.find((r) => r.action.kind !== "continue") : undefined;
    const a = first && first.conditions.length === 0 ? first.action : undefined;
    v = a && (a.kind === "accept" || a.kind === "drop" || a.kind === "reject") ? a : null;
    memo.set(chain, v);
  }
  return v ?? undefined;
}

/** Does the rule log: itself (nft `log ... drop`), or the chain it jumps or goes to before that chain's one verdict (`-j LOGDROP`)? */
export function logsWhatItDecides(ruleset: Ruleset, chain: Chain, rule: Rule): boolean {
  if (rule.logs) return true;
  const a = rule.action;
  if (a.kind !== "jump" && a.kind !== "goto") return false;
  const target = ruleset.chains.get(`${chain.table}/${a.chain}`);
  if (!target || !verdictOfAll(target)) return false;
  for (const r of target.rules) {
    if (r.action.kind !== "continue") return false;
    if (r.logs || /^(N|U)?LOG\b/.test(r.action.target)) return true;
  }
  return false;
}

/** What a rule of `chain` decides with: the verdict of the chain it jumps or goes to when that gives one, else its own action. */
export function decidingAction(ruleset: Ruleset, chain: Chain, rule: Rule): Action {
  const a = rule.action;
  if (a.kind !== "jump" && a.kind !== "goto") return a;
  const target = ruleset.chains.get(`${chain.table}/${a.chain}`);
  return (target && verdictOfAll(target)) ?? a;
}

const dropMemo = new WeakMap<Chain, boolean>();

/**
 * Can a packet entering `chain` be dropped there: its DROP policy, or a DROP, REJECT or unmodelled
 * verdict in it or in a chain it jumps or goes to (a jump loop adds nothing: the kernel refuses one).
 */
export function canDrop(ruleset: Ruleset, chain: Chain): boolean {
  const hit = dropMemo.get(chain);
  if (hit !== undefined) return hit;
  dropMemo.set(chain, false); // a loop adds nothing new
  let res = chain.policy === "drop";
  for (const r of chain.rules) {
    if (res) break;
    const a = r.action;
    if (a.kind === "drop" || a.kind === "reject" || a.kind === "unknown") res = true;
    else if (a.kind === "jump" || a.kind === "goto") {
      const t = ruleset.chains.get(`${chain.table}/${a.chain}`);
      if (t && canDrop(ruleset, t)) res = true;
    }
  }
  dropMemo.set(chain, res);
  return res;
}
