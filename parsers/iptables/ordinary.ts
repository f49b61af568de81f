/**
 * What ordinary traffic makes of the iptables matches that test how the kernel classifies a
 * packet, which fwlint has no dimension for (Condition unknown `ordinary`): `-m rpfilter`,
 * `-m pkttype`, `-m addrtype` (beyond `--dst-type LOCAL`, which the analysis decides per path).
 *
 * Ordinary traffic is a unicast packet to one address of the host or through it, whose source
 * routes back through the interface it arrived on: it passes the reverse-path filter, its
 * link-layer class is unicast, its source is a unicast address of another host, and its
 * destination is LOCAL (input) or UNICAST (forward), and it carries no IPv6 extension header. One
 * such connection is its source's first on a host no other traffic loads: under every rate limit
 * (`-m limit`, `-m hashlimit --hashlimit-upto`; a bucket starts full), the only connection a
 * `-m connlimit` counts (the new one is counted), and a `-m recent` list holds its source at most
 * once (the `--set` of the rule before it). Where those facts do not decide the match there is no
 * answer. (How much a source sends is the sender's to decide, so over its connections a limit goes
 * either way: see decidedBySender.)
 */

import type { Condition } from "../../src/model/types.js";

/** A match's option as the rule reader holds it: name (with or without `--`), negation, arguments. */
export interface OrdinaryOpt {
  name: string;
  negate: boolean;
  args: readonly string[];
}

/** An option's name without its `--`. */
const bare = (o: OrdinaryOpt): string => o.name.replace(/^--/, "");

/** What a `-m recent` match does: its command (possibly negated), the list it names, the hit count it asks for. */
interface RecentMatch {
  command: "set" | "rcheck" | "update" | "remove";
  negate: boolean;
  /** DEFAULT when no --name is given. */
  list: string;
  /** --hitcount as written; undefined when not given. */
  hitcount?: string;
}

const RECENT_COMMANDS: ReadonlySet<string> = new Set(["set", "rcheck", "update", "remove"]);

/** The `-m recent` match's options read; undefined without a command. */
function readRecent(opts: readonly OrdinaryOpt[]): RecentMatch | undefined {
  const command = opts.find((o) => RECENT_COMMANDS.has(bare(o)));
  if (command === undefined) return undefined;
  const hitcount = opts.find((o) => bare(o) === "hitcount")?.args[0];
  return {
    command: bare(command) as RecentMatch["command"],
    negate: command.negate,
    list: opts.find((o) => bare(o) === "name")?.args[0] ?? "DEFAULT",
    ...(hitcount !== undefined ? { hitcount } : {}),
  };
}

/**
 * A `-m recent` match of a rule: the list it names, and - when it asks of the list rather than
 * adding the address to it (`--set`) - its unknown condition (`check`) and whether that is negated
 * (`! --rcheck`); see recentListsFilledOutside.
 */
export type RecentUse = { list: string; check?: undefined } | { list: string; check: Extract<Condition, { kind: "unknown" }>; negate: boolean };

/** What the `-m recent` match with `opts`, made the unknown condition `condition`, does with its list; undefined without a command. */
export function recentUse(opts: readonly OrdinaryOpt[], condition: Extract<Condition, { kind: "unknown" }>): RecentUse | undefined {
  const r = readRecent(opts);
  if (r === undefined) return undefined;
  return r.command === "set" ? { list: r.list } : { list: r.list, check: condition, negate: r.negate };
}

/** The matches ordinaryMatchValue answers for option by option. */
const CLASSIFYING: ReadonlySet<string> = new Set(["rpfilter", "pkttype", "addrtype", "limit", "hashlimit", "connlimit"]);

/**
 * ip6tables matches on an IPv6 extension header - a routing header (`-m rt`, ufw's `--rt-type 0`
 * drop), a fragment header (`-m frag`), hop-by-hop or destination options (`-m hbh`, `-m dst`), a
 * mobility header (`-m mh`): whatever their options, they match only a packet that carries that
 * header, and the TCP and UDP connections strangers open carry none.
 */
const EXTENSION_HEADERS: ReadonlySet<string> = new Set(["rt", "frag", "hbh", "dst", "mh"]);

/**
 * Whether ordinary traffic satisfies match `name` with `opts` (every option must hold), or
 * undefined when that does not tell.
 */
export function ordinaryMatchValue(name: string, opts: readonly OrdinaryOpt[]): boolean | undefined {
  if (EXTENSION_HEADERS.has(name)) return false;
  if (name === "recent") return recentValue(opts);
  if (!CLASSIFYING.has(name)) return undefined;
  let all: boolean | undefined = true;
  // rpfilter tests the route back even with no option; the others need one that says what
  let decided = name === "rpfilter";
  for (const o of opts) {
    const a = ordinaryOption(name, bare(o), o.args);
    if (a === null) continue;
    decided = true;
    if (a === undefined) {
      if (all !== false) all = undefined;
    } else if (a === o.negate) all = false;
  }
  return decided ? all : undefined;
}

/**
 * Matches on what the sender writes into its packet end to end: its length, its TCP MSS option,
 * its IPv6 extension headers (`-m tcp --tcp-option` is told by decidedBySender's caller).
 */
const SENDER_WRITES: ReadonlySet<string> = new Set(["length", "tcpmss", ...EXTENSION_HEADERS]);

/**
 * Does the match test what the sender decides - how much it has sent (a rate, a connection count,
 * how often a `-m recent` list saw it: under the limit with its first connection, over it with
 * many) or what it writes into its packet (a length, a TCP option, an extension header)? Then the
 * unknown is `drawn`: over a stranger's connections both outcomes happen.
 */
export function decidedBySender(name: string, opts: readonly OrdinaryOpt[]): boolean {
  if (name === "limit" || name === "hashlimit" || name === "connlimit" || SENDER_WRITES.has(name)) return true;
  if (name !== "recent") return false;
  const r = readRecent(opts);
  return r !== undefined && checks(r) && r.hitcount !== undefined;
}

/** Does the match ask of its list (--rcheck, --update)? */
function checks(r: RecentMatch): boolean {
  return r.command === "rcheck" || r.command === "update";
}

/** A check of at least two hits: one --set on the way is one hit. */
function countsHits(r: RecentMatch): boolean {
  const hits = Number(r.hitcount);
  return checks(r) && Number.isInteger(hits) && hits >= 2;
}

/** What `-m recent` (one of --set, --rcheck, --update, --remove, possibly negated) does with ordinary traffic. */
function recentValue(opts: readonly OrdinaryOpt[]): boolean | undefined {
  const r = readRecent(opts);
  if (r === undefined) return undefined;
  // --set adds the source and always matches
  if (r.command === "set") return !r.negate;
  // (a list no rule of the ruleset fills is decided once the whole ruleset is read: see
  // recentListsFilledOutside)
  return countsHits(r) ? r.negate : undefined;
}

/**
 * One option: true or false for ordinary traffic, null when it does not change the answer,
 * undefined when it leaves it open.
 */
function ordinaryOption(match: string, option: string, args: readonly string[]): boolean | null | undefined {
  switch (match) {
    case "rpfilter":
      // passes for a packet whose source routes back through its interface; --invert: fails
      return option === "invert" ? false : null;
    case "pkttype":
      if (option !== "pkt-type" || args.length !== 1) return undefined;
      return args[0]!.toLowerCase() === "unicast" || args[0]!.toLowerCase() === "host";
    case "limit":
      // under the rate: the bucket starts with its burst
      return option === "limit" ? true : null;
    case "hashlimit":
      if (option === "hashlimit-upto" || option === "hashlimit") return true;
      return option === "hashlimit-above" ? false : null;
    case "connlimit": {
      // the new connection is counted: one
      const n = Number(args[0]);
      if (option === "connlimit-above") return Number.isInteger(n) ? n < 1 : undefined;
      if (option === "connlimit-upto") return Number.isInteger(n) ? n >= 1 : undefined;
      return null;
    }
    case "addrtype": {
      if (option === "limit-iface-in" || option === "limit-iface-out") return null;
      if ((option !== "src-type" && option !== "dst-type") || args.length !== 1) return undefined;
      const types = args[0]!.toUpperCase().split(",");
      if (option === "src-type") return types.includes("UNICAST");
      // LOCAL on the input path, UNICAST on the forward path: both or neither, or no answer
      const local = types.includes("LOCAL");
      return local === types.includes("UNICAST") ? local : undefined;
    }
  }
  return undefined;
}

/**
 * The checks of `-m recent` lists that no rule of the ruleset fills (`--set`): such a list is
 * written from outside (`echo +ADDR > /proc/net/xt_recent/NAME`, a ban list), one address at a
 * time, and ordinary traffic's source is not in it, however much it sends - a check of it does not
 * match (`! --rcheck` does), and is not the sender's to decide. Returns what gives each such
 * check's condition in a rule that `ordinary` value; the others are left as they are (a list the
 * ruleset fills may hold the source by an earlier packet of its own).
 */
export function recentListsFilledOutside(uses: readonly RecentUse[]): (conditions: Condition[]) => Condition[] {
  const filled = new Set(uses.filter((u) => u.check === undefined).map((u) => u.list));
  const decided = new Map<Condition, boolean>();
  for (const u of uses) if (u.check && !filled.has(u.list)) decided.set(u.check, u.negate);
  if (decided.size === 0) return (conditions) => conditions;
  return (conditions) =>
    conditions.map((c) => {
      if (c.kind !== "unknown" || !decided.has(c)) return c;
      const { drawn: _drawn, ...rest } = c;
      return { ...rest, ordinary: decided.get(c)! };
    });
}
