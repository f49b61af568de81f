/**
 * What ordinary traffic makes of the kernel's packet classifications that fwlint has no dimension
 * for (Condition unknown `ordinary`): `meta pkttype`, a reverse-path filter (`fib saddr . iif oif
 * missing`), the type of a packet's addresses (`fib daddr type { broadcast, multicast }`).
 *
 * Ordinary traffic is a unicast packet to one address of the host or through it, whose source
 * routes back through the interface it arrived on: its link-layer class is `host`, a route to
 * its source exists (through its incoming interface), its source address is a unicast one of
 * another host, its destination is `local` (input) or `unicast` (forward), and it carries no IPv6
 * extension header (the connections strangers open have none). One such connection is its
 * source's first on a host no other traffic loads: under every `limit rate` (a bucket starts with
 * its burst) and `quota`, the only connection a `ct count` counts (the new one is counted). Where
 * those facts do not decide the match - a type the two paths answer differently, a specific
 * interface, a relational operator - there is no answer. (How much a source sends is the sender's
 * to decide, so over its connections a limit goes either way: see sentAmount.)
 */
import type { Expr, MatchOp } from "./ast.js";
import { fibAddrType, nftNumber, PKT_TYPE, takesSymbol } from "./datatypes.js";
import { readsExtensionHeader, testsHeaderPresence } from "./vocabulary.js";

/** Is a `meta pkttype` value the class of ordinary traffic, `host` (PACKET_HOST, 0)? */
const isHost = (v: string) => v === "host" || v === "unicast" || nftNumber(v, 255) === 0;

/** "No route" and "a route" as a fib lookup of an interface answers them (`missing`, `exists`, `0`, nft JSON's booleans). */
const ABSENT: ReadonlySet<string> = new Set(["missing", "false", "0"]);
const PRESENT: ReadonlySet<string> = new Set(["exists", "true"]);

/**
 * Whether ordinary traffic satisfies `left OP right`, or undefined when that does not tell.
 * `values` gives the values a named set holds (the right side's elements otherwise).
 */
export function ordinaryValue(left: Expr, op: MatchOp, values: readonly Expr[]): boolean | undefined {
  // A field of an IPv6 extension header the packet does not carry (`rt type 0`, `frag more-fragments
  // 1`): the kernel ends the rule there (NFT_BREAK), whatever the operator - `rt type != 2` does not
  // match a packet without a routing header either.
  if (left.kind === "opaque" && readsExtensionHeader(left.name, left.text) && !testsHeaderPresence(left.name, left.text)) return false;
  if (op !== "==" && op !== "!=" && op !== "implicit") return undefined;
  const texts: string[] = [];
  for (const v of values) {
    if (v.kind !== "value") return undefined;
    texts.push(v.text.toLowerCase());
  }
  if (texts.length === 0) return undefined;
  const holds = matchesOrdinary(left, texts);
  return holds === undefined ? undefined : holds !== (op === "!=");
}

/** Is one of `values` what ordinary traffic has for `left` (see ordinaryValue)? */
function matchesOrdinary(left: Expr, values: readonly string[]): boolean | undefined {
  if (left.kind === "opaque") {
    // `exthdr frag exists` / `missing` (true / false in nft JSON): ordinary traffic has no such header
    if (!testsHeaderPresence(left.name, left.text)) return undefined;
    if (!values.every((v) => ABSENT.has(v) || PRESENT.has(v) || v === "1")) return undefined;
    return values.some((v) => ABSENT.has(v));
  }
  if (left.kind === "meta" && left.key === "pkttype") {
    // (the mapper refuses other names: each value is one of them or a number)
    if (!values.every((v) => takesSymbol(PKT_TYPE, v))) return undefined;
    return values.some(isHost);
  }
  if (left.kind !== "fib") return undefined;
  const bySource = left.flags.includes("saddr");
  const byDestination = left.flags.includes("daddr");
  if (bySource === byDestination) return undefined;
  if (left.result === "type") {
    // a destination of ordinary traffic is local on the input path and unicast on the forward
    // path; its source is unicast
    const types = values.map(fibAddrType);
    if (types.some((t) => t === undefined)) return undefined;
    if (bySource) return types.includes("unicast");
    // local on the input path, unicast on the forward path: both or neither, or no answer
    const local = types.includes("local");
    const unicast = types.includes("unicast");
    return local === unicast ? local : undefined;
  }
  // a route back to the source exists (through the incoming interface, with `iif`)
  if (bySource && (left.result === "oif" || left.result === "oifname" || left.result === "check")) {
    if (values.length !== 1) return undefined;
    if (ABSENT.has(values[0]!)) return false;
    if (PRESENT.has(values[0]!)) return true;
  }
  return undefined;
}

/**
 * What a statement that may stop the rule by how much was sent (`limit rate 10/second`, `limit rate
 * over ...`, `quota over 500 mbytes`, `ct count over 20`, a meter or a set statement holding one of
 * those: `meter m { ip saddr limit rate 5/minute }`) is for ordinary traffic: its value for one
 * connection (see ordinaryRate), and drawn - the sender decides the outcome, under the limit with
 * its first connection, over it with many (`text` is the statement as written, `name` its keyword).
 * Nothing for any other statement.
 */
export function sentAmount(name: string, text: string): { ordinary?: boolean; drawn?: true } {
  if (!STOPPERS.has(name) || !/\b(limit|quota|ct\s+count)\b/.test(text)) return {};
  // (a named limit or quota object says its rate elsewhere: still the sender's to decide)
  const ordinary = ordinaryRate(text);
  return ordinary === undefined ? { drawn: true } : { ordinary, drawn: true };
}

/** Whether one ordinary connection passes the statement (see sentAmount); undefined when that is not told. */
function ordinaryRate(text: string): boolean | undefined {
  // (nft JSON's statements are read into the same text: json.ts effectText)
  const answers: boolean[] = [];
  for (const m of text.matchAll(/\b(limit\s+rate|quota)\s+(over\s+|until\s+)?/g)) answers.push(m[2]?.trim() !== "over");
  for (const m of text.matchAll(/\bct\s+count\s+(over\s+)?(\d+)/g)) answers.push(m[1] === undefined ? Number(m[2]) >= 1 : Number(m[2]) < 1);
  if (answers.length !== 1) return undefined;
  return answers[0];
}

/** Statements that take packets off a rule by a rate, an amount or a count (see sentAmount). */
const STOPPERS: ReadonlySet<string> = new Set(["limit", "quota", "ct", "meter"]);

/** Packet fields the sender writes end to end and fwlint has no dimension for: lengths, the TCP window. */
const WRITTEN_FIELDS: ReadonlySet<string> = new Set(["ip length", "ip6 length", "udp length", "udplite length", "tcp window"]);

/**
 * Does `left` read what the sender writes into its packet - its length, a TCP option, the TCP
 * window, an IPv6 extension header? Then which way a test of it goes is the sender's to decide:
 * over a stranger's connections both happen (the unknown is `drawn`).
 */
export function writtenBySender(left: Expr): boolean {
  switch (left.kind) {
    case "meta":
      return left.key === "length";
    case "payload":
      return WRITTEN_FIELDS.has(`${left.protocol} ${left.field}`);
    case "opaque":
      return left.name === "tcp option" || readsExtensionHeader(left.name, left.text);
    default:
      return false;
  }
}
