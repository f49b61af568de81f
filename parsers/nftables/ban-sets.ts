/**
 * Sets the ruleset fills as ban lists: every rule that adds or updates an element does so only for
 * a packet over a rate, quota or connection limit (`meter flood { ip saddr limit rate over
 * 10/second } add @denylist { ip saddr }`, `ct state new add @m { ip saddr limit rate over
 * 5/minute } add @ban { ip saddr }`), or for a source already in such a set (`ip saddr @ban update
 * @ban { ip saddr timeout 1h }`), and puts that packet's own source in the element. A stranger's
 * first connection (ordinary traffic, see ordinary.ts) is under every limit and in no such set, so
 * no rule adds its source: looked up by the packet's source, what the rules may have added is an
 * unknown condition ordinary traffic does not meet, as for a ban list a daemon fills from outside
 * (../outside-filled.ts). A set any rule fills otherwise - a port knock's first step, a set
 * statement whose own element holds the limit (the kernel adds the element whatever its limit
 * says: one packet under `limit rate over` left its source in the set, asked in a namespace) -
 * stays unknown.
 *
 * The gate of a set statement is what runs before it in its rule: a limit statement, a meter, a
 * `ct count`, a quota, or another set statement's element limit that ordinary traffic passes under
 * (sentAmount says `ordinary: false`), or a lookup of the packet's own source in a ban list. The
 * ban lists are the largest family of sets whose every filler is so gated (a set's fillers may be
 * gated by its own lookup: `ip saddr @ban update @ban { ... }`): each filler needs a packet that
 * is over a limit or already banned, and ordinary traffic is neither, by induction over the
 * packets a host sees.
 */
import type { Expr, RuleNode, Stmt } from "./ast.js";
import { exprText } from "./expr-text.js";
import { sentAmount } from "./ordinary.js";

/** What gates one set statement that adds elements (see the module comment). */
interface Filler {
  /** A statement ordinary traffic never passes before it in the rule, as written; undefined without one. */
  stopper?: string;
  /** Sets a positive lookup of the packet's own source in them runs before it. */
  lookups: readonly string[];
  /** Where the element holds the packet's own source address (parts of a concatenation). */
  sourceAt: readonly number[];
}

/** A ban list: where its elements hold the source that was added, and why ordinary traffic is never added. */
export interface BanFill {
  /** Parts of the element the fillers all give the adding packet's source in. */
  sourceAt: ReadonlySet<number>;
  /** A statement that stops ordinary traffic before a filler (for messages); undefined when the fillers only renew what is banned. */
  gate?: string;
}

/** Is `e` the packet's own source address (`ip saddr`, `ip6 saddr`)? */
function isOwnSource(e: Expr): boolean {
  return e.kind === "payload" && (e.protocol === "ip" || e.protocol === "ip6") && e.field === "saddr";
}

/** The parts of an element (a concatenation's parts, or the one key). */
function partsOf(e: Expr): readonly Expr[] {
  return e.kind === "concat" ? e.parts : [e];
}

/** A statement that ordinary traffic never passes (see sentAmount), as written; undefined otherwise. */
function stopperOf(st: Stmt): string | undefined {
  if (st.kind === "effect") return st.filters && sentAmount(st.name, st.text).ordinary === false ? st.text : undefined;
  if (st.kind === "setop") {
    const e = (st.effects ?? []).find((x) => x.filters && sentAmount(x.name, x.text).ordinary === false);
    return e ? `${st.op} @${st.set} { ${exprText(st.elem)} ${e.text} }` : undefined;
  }
  return undefined;
}

/** The set a statement looks the packet's own source up in, positively (`ip saddr @ban`); undefined otherwise. */
function sourceLookupOf(st: Stmt): string | undefined {
  if (st.kind !== "match" || (st.op !== "==" && st.op !== "implicit")) return undefined;
  return st.right.kind === "setref" && isOwnSource(st.left) ? st.right.name : undefined;
}

/** The fillers of each set among `rules` (one table's rules, anonymous chains' included). */
function fillersOf(rules: readonly RuleNode[]): Map<string, Filler[]> {
  const out = new Map<string, Filler[]>();
  for (const n of rules) {
    let stopper: string | undefined;
    const lookups: string[] = [];
    for (const st of n.stmts) {
      if (st.kind === "setop" && st.op !== "delete") {
        const sourceAt = partsOf(st.elem).flatMap((p, i) => (isOwnSource(p) ? [i] : []));
        let list = out.get(st.set);
        if (!list) out.set(st.set, (list = []));
        list.push({ ...(stopper !== undefined ? { stopper } : {}), lookups: [...lookups], sourceAt });
      }
      stopper ??= stopperOf(st);
      const looked = sourceLookupOf(st);
      if (looked !== undefined) lookups.push(looked);
    }
  }
  return out;
}

/**
 * The sets of one table that are ban lists (see the module comment), from every rule of the table
 * (`rules`; a set is filled only by its own table's rules).
 */
export function banLists(rules: readonly RuleNode[]): Map<string, BanFill> {
  const fillers = fillersOf(rules);
  // the largest family: start from every filled set, drop those with a filler no stopper and no
  // lookup of a set still in it gates, until none is dropped
  const bans = new Set(fillers.keys());
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of bans) {
      const ok = fillers.get(name)!.every((f) => f.sourceAt.length > 0 && (f.stopper !== undefined || f.lookups.some((l) => bans.has(l))));
      if (!ok) {
        bans.delete(name);
        changed = true;
      }
    }
  }
  const out = new Map<string, BanFill>();
  for (const name of bans) {
    const list = fillers.get(name)!;
    const sourceAt = new Set(list[0]!.sourceAt.filter((i) => list.every((f) => f.sourceAt.includes(i))));
    if (sourceAt.size === 0) continue;
    // (a family gated only by one another's lookups has no way in: its sets keep what they list)
    const gate = list.find((f) => f.stopper !== undefined)?.stopper;
    out.set(name, { sourceAt, ...(gate !== undefined ? { gate } : {}) });
  }
  return out;
}
