/**
 * Compiles the model's declarative conditions into exact packet sets.
 */
import type { AddrRange, Condition, CtState, Family, MarkRewrite, NatRewrite, Pipeline, PipelineKind, Rule, Ruleset, Stage } from "../model/types.js";
import { CT_STATES, placeRef } from "../model/types.js";
import { stateHolds } from "../model/conditions.js";
import { GROUP_ADDRESSES } from "../model/address.js";
import { Dim, PORT_PROTOS, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, ifacePrefixRange, ifaceToValue } from "../space/dims.js";
import { type BoxSpec, PacketSet, type Ranges } from "../space/packet-set.js";
import { onResetCaches } from "../space/idd.js";

const big = (lo: number, hi: number = lo): [bigint, bigint] => [BigInt(lo), BigInt(hi)];
const PORT_PROTO_RANGES: Ranges = PORT_PROTOS.map((p) => big(p));
const FAMILY_RANGES: Readonly<Record<Family, Ranges>> = { 4: [big(4)], 6: [big(6)] };

/** At least this many address ranges: the condition is compiled once, not into each rule's box. */
const LARGE_ADDR = 64;
/** At least this many alternatives: an `or` is built as one union of boxes. */
const LARGE_OR = 16;

/** Large conditions and `or`s by identity: a parser hands every rule that names one set the same condition. */
const largeConditions = new WeakMap<Condition, PacketSet>();

/**
 * The packets a single condition admits (an `unknown` condition admits everything). A large one
 * (a set's worth of addresses or alternatives), and an `or` several rules share (a vendor
 * configuration's service group), are compiled once, however many rules name them.
 */
export function compileCondition(c: Condition): PacketSet {
  const large = (c.kind === "addr" && c.ranges.length >= LARGE_ADDR) || (c.kind === "or" && c.anyOf.length >= LARGE_OR);
  if (!large && (c.kind !== "or" || !metBefore(c))) return conditionSet(c);
  let s = largeConditions.get(c);
  if (!s) largeConditions.set(c, (s = conditionSet(c)));
  return s;
}

/**
 * Small conditions compiled so far. One met a second time is shared by several rules and is kept
 * compiled from then on; one that a single rule names (most rules of a host firewall) is not
 * kept, its set living no longer than the rule's compilation.
 */
const compiledOnce = new WeakSet<object>();

function metBefore(key: object): boolean {
  if (compiledOnce.has(key)) return true;
  compiledOnce.add(key);
  return false;
}

function conditionSet(c: Condition): PacketSet {
  switch (c.kind) {
    case "family":
      return PacketSet.box({ [Dim.Family]: FAMILY_RANGES[c.family] });
    case "proto":
      return negateIn(PacketSet.box({ [Dim.Proto]: pairs(c.protos, protoPair) }), c.negate, PacketSet.universe());
    case "addr": {
      // (a large list - a set's 200k addresses - is compiled once here and its pairs not kept)
      const fam = PacketSet.box({ [Dim.Family]: FAMILY_RANGES[c.family] });
      const dim = c.field === "src" ? Dim.Src : Dim.Dst;
      const pos = PacketSet.box({ [Dim.Family]: FAMILY_RANGES[c.family], [dim]: c.ranges.map(addrPair) });
      return negateIn(pos, c.negate, fam);
    }
    case "port": {
      const within = PacketSet.box({ [Dim.Proto]: PORT_PROTO_RANGES });
      const dim = c.field === "sport" ? Dim.Sport : Dim.Dport;
      const pos = PacketSet.box({ [Dim.Proto]: PORT_PROTO_RANGES, [dim]: pairs(c.ranges, numberPair) });
      return negateIn(pos, c.negate, within);
    }
    case "icmp": {
      const proto = c.family === 4 ? PROTO_ICMP : PROTO_ICMPV6;
      const within = PacketSet.box({ [Dim.Family]: FAMILY_RANGES[c.family], [Dim.Proto]: [big(proto)] });
      if (c.type === undefined) return negateIn(within, c.negate, within);
      const pos = PacketSet.box({
        [Dim.Family]: FAMILY_RANGES[c.family],
        [Dim.Proto]: [big(proto)],
        [Dim.IcmpType]: [big(c.type)],
        [Dim.IcmpCode]: [big(c.codeLo ?? 0, c.codeHi ?? 255)],
      });
      return negateIn(pos, c.negate, within);
    }
    case "iface": {
      const dim = c.field === "iif" ? Dim.Iif : Dim.Oif;
      const range: [bigint, bigint] = c.prefix ? ifacePrefixRange(c.name) : [ifaceToValue(c.name), ifaceToValue(c.name)];
      return negateIn(PacketSet.box({ [dim]: [range] }), c.negate, PacketSet.universe());
    }
    case "ctstate":
      return negateIn(PacketSet.box({ [Dim.CtState]: c.states.map((s) => big(ctIndex(s))) }), c.negate, PacketSet.universe());
    case "tcpflags": {
      const values: [bigint, bigint][] = [];
      for (let f = 0; f < 256; f++) if ((f & c.mask) === c.comp) values.push(big(f));
      const within = PacketSet.box({ [Dim.Proto]: [big(PROTO_TCP)] });
      const pos = PacketSet.box({ [Dim.Proto]: [big(PROTO_TCP)], [Dim.TcpFlags]: values });
      return negateIn(pos, c.negate, within);
    }
    case "ttl":
      return negateIn(PacketSet.box({ [Dim.Ttl]: pairs(c.ranges, numberPair) }), c.negate, PacketSet.universe());
    case "fragment":
      // fwlint models unfragmented packets and first fragments: `-f` matches none of them.
      return c.negate ? PacketSet.universe() : PacketSet.empty();
    case "or":
      // An alternative with an unmodelled condition may hold anywhere (its known part is a
      // superset): the `or` certainly holds only where a fully modelled alternative does, so its
      // negation excludes only that (the rule is uncertain, see uncertainIn).
      if (!c.negate) return anyOfConjunctions(c.anyOf);
      return PacketSet.universe().minus(anyOfConjunctions(c.anyOf.filter((alt) => uncertainIn(alt).length === 0)));
    case "unknown":
    case "local-dst":
    case "ct-dnat":
    case "mark":
      return PacketSet.universe();
  }
}

/**
 * The conditions of a conjunction that fwlint cannot decide exactly, at its top level or inside
 * an `or` at any depth: unmodelled ones, and whether the destination is local (decided per path
 * at the top level only: inside an alternative it is one more unknown). A rule with one of
 * these anywhere is uncertain, not one whose alternative matches everything for certain.
 */
export function uncertainIn(conds: readonly Condition[]): Unknown[] {
  const out: Unknown[] = [];
  for (const c of conds) {
    if (c.kind === "unknown") out.push(c);
    else if (c.kind === "or") out.push(...uncertainInOr(c));
  }
  return out;
}

type Unknown = Extract<Condition, { kind: "unknown" }>;
type Or = Extract<Condition, { kind: "or" }>;

/** Per `or`, by identity: a set's worth of alternatives that many rules name is walked once. */
const orUncertain = new WeakMap<Or, Unknown[]>();

function uncertainInOr(c: Or): Unknown[] {
  let out = orUncertain.get(c);
  if (out) return out;
  out = [];
  for (const alt of c.anyOf) {
    // whether the rule matches follows from one alternative's unknowns only together with the
    // others': what ordinary traffic does with each says nothing of the whole (Condition ordinary)
    for (const u of uncertainIn(alt)) {
      const { ordinary: _ordinary, ...rest } = u;
      out.push(rest);
    }
    for (const x of alt) {
      if (x.kind === "local-dst") out.push({ kind: "unknown", text: x.text, reason: "whether the destination is an address of this host, inside one of several alternatives, is not modelled" });
      if (x.kind === "ct-dnat") out.push({ kind: "unknown", text: x.text, reason: "whether the connection was DNATed, inside one of several alternatives, is not modelled" });
      if (x.kind === "mark") out.push({ kind: "unknown", text: x.text, reason: "the packet mark, inside one of several alternatives, is not modelled" });
    }
  }
  orUncertain.set(c, out);
  return out;
}

function negateIn(pos: PacketSet, negate: boolean | undefined, within: PacketSet): PacketSet {
  return negate ? within.minus(pos) : pos;
}

export function ctIndex(s: CtState): number {
  return CT_STATES.indexOf(s);
}

export interface CompiledMatch {
  /** Packets that satisfy every modelled condition. */
  known: PacketSet;
  /** Conditions fwlint does not model: inside `known`, the packet may or may not match. */
  unknowns: Extract<Condition, { kind: "unknown" }>[];
  /** Conditions the evaluation decides from the path (see resolveContext). */
  context: Extract<Condition, { kind: "local-dst" }>[];
  /** Whether the connection was DNATed (see dnatHolds): decided per packet, from its own path. */
  dnat: Extract<Condition, { kind: "ct-dnat" }>[];
  /** Tests of the packet mark (see markHolds): decided per packet, from the marks set on its path. */
  marks: Extract<Condition, { kind: "mark" }>[];
}

/** Do the rule's DNAT-status conditions hold for a packet that was (`dnatted`) or was not DNATed on its path? */
export function dnatHolds(m: CompiledMatch, dnatted: boolean): boolean {
  return m.dnat.every((c) => dnatted !== !!c.negate);
}

/** Do the rule's mark tests hold for a packet carrying `mark`? */
export function markHolds(m: CompiledMatch, mark: number): boolean {
  return m.marks.every((c) => c.values.includes((mark & c.mask) >>> 0) !== !!c.negate);
}

/**
 * The mark after `rewrite` (undefined: not known, from outside the ruleset), in the bits of
 * `observed` only (those some rule tests: the others never change a verdict).
 */
export function rewriteMark(mark: number | undefined, rewrite: MarkRewrite | undefined, observed = 0xffffffff): number | undefined {
  if (rewrite === undefined) return mark;
  if (rewrite === "unknown") return undefined;
  // bits the rewrite clears and sets whatever they were: known even when the mark was not
  if (mark === undefined) return (rewrite.and & observed) === 0 ? (rewrite.xor & observed) >>> 0 : undefined;
  return (((mark & rewrite.and) ^ rewrite.xor) & observed) >>> 0;
}

/**
 * The mark a packet starts a path with: 0 when it comes from the network (nothing outside the
 * ruleset marks it, as the kernel oracle's packets), not known when a local process sent it.
 */
export function markOnArrival(kind: PipelineKind): number | undefined {
  return kind === "outbound" ? undefined : 0;
}

/** The mark bits some rule of the ruleset tests (0: none, marks need not be followed). */
export function observedMarkBits(ruleset: Ruleset): number {
  let bits = 0;
  for (const c of ruleset.chains.values()) for (const r of c.rules) for (const x of r.conditions) if (x.kind === "mark") bits |= x.mask;
  return bits >>> 0;
}

/**
 * Where a rule is evaluated: which path, and the hook of the base chain it runs under. Decides
 * "is the destination a local address?" without knowing the host's addresses.
 */
export function localDstOnPath(kind: PipelineKind, stage: Stage): boolean | undefined {
  if (kind === "inbound") return true; // delivered to the host: its own address (but an IPv4 group or broadcast one: see notLocalDestinations)
  // Forwarded: after routing, addressed elsewhere; before it, the packet may also be addressed to
  // this host and be forwarded by a DNAT (a port forward of "what comes to me").
  if (kind === "forward") return stage.beforeRouting ? undefined : false;
  return undefined;
}

/**
 * Whether the source NAT of stage `i` of `pipeline` changes what a later chain on the path sees:
 * some stage after it has rules. Without one, only whether the stage drops matters.
 */
export function sourceNatSeenLater(ruleset: Ruleset, pipeline: Pipeline, i: number): boolean {
  return pipeline.stages[i]?.role === "srcnat" && pipeline.stages.slice(i + 1).some((s) => (ruleset.chains.get(s.chain)?.rules.length ?? 0) > 0);
}

/**
 * The unknowns of a compiled rule on a given path, or null when a context condition is false
 * there (the rule cannot match on that path).
 */
export function unknownsOnPath(m: CompiledMatch, kind: PipelineKind, stage: Stage): CompiledMatch["unknowns"] | null {
  if (m.context.length === 0) return m.unknowns;
  const out = [...m.unknowns];
  for (const c of m.context) {
    const v = localDstOnPath(kind, stage);
    // Before routing on the forward path a packet's destination is one of the host's addresses
    // only if a DNAT will send it on (else routing delivers it to the host): a port forward of
    // "what comes to me" (Docker's published ports, `fib daddr type local` / `-m addrtype
    // --dst-type LOCAL`). Which addresses are the host's the ruleset does not say, but strangers
    // open connections both ways - to the host's public address, and through it - so both ways
    // are taken, over many connections, as a condition drawn per connection is.
    if (v === undefined) out.push({ kind: "unknown", text: c.text, reason: "whether the destination is an address of this host is not known before routing", drawn: true });
    else if (v === !!c.negate) return null;
  }
  return out;
}

/** An open condition of a rule on a path: an unknown, or a mark test of a packet whose mark is not known. */
export type OpenCondition = Extract<Condition, { kind: "unknown" }> | Extract<Condition, { kind: "mark" }>;

/** What ordinary traffic makes of an open condition: true, false, either (drawn per connection), or not known. */
function ordinaryValueOf(u: OpenCondition): boolean | "either" | undefined {
  if (u.kind === "mark") return undefined;
  return u.drawn ? "either" : u.ordinary;
}

/** Does ordinary traffic match every one of a rule's open conditions? See Condition ordinary. */
export function ordinaryMatches(open: readonly OpenCondition[]): boolean {
  return open.every((u) => {
    const v = ordinaryValueOf(u);
    return v === true || v === "either";
  });
}

/** Does ordinary traffic never match a rule's open conditions: one of them is always false for it? */
export function ordinaryNeverMatches(open: readonly OpenCondition[]): boolean {
  return open.some((u) => ordinaryValueOf(u) === false);
}

/** Does ordinary traffic never miss a rule's open conditions: each of them is always true for it? */
export function ordinaryNeverMisses(open: readonly OpenCondition[]): boolean {
  return open.length > 0 && open.every((u) => ordinaryValueOf(u) === true);
}

/** Does ordinary traffic miss a rule's open conditions: one of them is false for it (or drawn)? */
export function ordinaryMisses(open: readonly OpenCondition[]): boolean {
  return open.some((u) => {
    const v = ordinaryValueOf(u);
    return v === false || v === "either";
  });
}

/** A conjunction split into what makes one box and what does not. */
interface SplitConjunction {
  /** The box of the plain (non-negated) one-field conditions. */
  box: BoxSpec;
  /** Conditions intersected after the box: negated ones, and those not written as a box. */
  rest: Condition[];
  unknowns: CompiledMatch["unknowns"];
  context: CompiledMatch["context"];
  dnat: CompiledMatch["dnat"];
  marks: CompiledMatch["marks"];
}

/**
 * A condition's list as the box takes it (bigint ranges), kept per list once a second rule names
 * it: parsers share one list among the rules that name the same object (an ASA group named by
 * hundreds of entries). The box only reads them.
 */
const pairsOf = new WeakMap<object, Ranges>();

function pairs<T>(list: readonly T[], range: (item: T) => readonly [bigint, bigint]): Ranges {
  let out = pairsOf.get(list);
  if (out) return out;
  out = list.map(range);
  if (metBefore(list)) pairsOf.set(list, out);
  return out;
}

const addrPair = (r: AddrRange): readonly [bigint, bigint] => [r.lo, r.hi];
const numberPair = ([lo, hi]: readonly [number, number]): readonly [bigint, bigint] => big(lo, hi);
const protoPair = (p: number): readonly [bigint, bigint] => big(p);

function splitConjunction(conds: readonly Condition[]): SplitConjunction {
  const unknowns: CompiledMatch["unknowns"] = [];
  const context: CompiledMatch["context"] = [];
  const dnat: CompiledMatch["dnat"] = [];
  const marks: CompiledMatch["marks"] = [];
  const box: { [d in Dim]?: Ranges } = {};
  // (the lists are only read: constants and lists kept per condition are handed on as they are)
  const narrow = (dim: Dim, ranges: Ranges) => {
    const prev = box[dim];
    box[dim] = prev ? intersectRanges(prev, ranges) : ranges;
  };
  const rest: Condition[] = [];
  for (const c of conds) {
    if (c.kind === "or") unknowns.push(...uncertainInOr(c)); // (and the `or` is built below, as rest)
    if (c.kind === "unknown") unknowns.push(c);
    else if (c.kind === "local-dst") context.push(c);
    else if (c.kind === "ct-dnat") dnat.push(c);
    else if (c.kind === "mark") marks.push(c);
    else if ("negate" in c && c.negate) rest.push(c);
    else if (c.kind === "family") narrow(Dim.Family, FAMILY_RANGES[c.family]);
    else if (c.kind === "proto") narrow(Dim.Proto, pairs(c.protos, protoPair));
    else if (c.kind === "addr") {
      // A named set of thousands of addresses, used by several rules: built once (see compileCondition).
      if (c.ranges.length >= LARGE_ADDR) rest.push(c);
      else {
        narrow(Dim.Family, FAMILY_RANGES[c.family]);
        narrow(c.field === "src" ? Dim.Src : Dim.Dst, pairs(c.ranges, addrPair));
      }
    } else if (c.kind === "port") {
      narrow(Dim.Proto, PORT_PROTO_RANGES);
      narrow(c.field === "sport" ? Dim.Sport : Dim.Dport, pairs(c.ranges, numberPair));
    } else if (c.kind === "iface") {
      narrow(c.field === "iif" ? Dim.Iif : Dim.Oif, [c.prefix ? ifacePrefixRange(c.name) : [ifaceToValue(c.name), ifaceToValue(c.name)]]);
    } else if (c.kind === "ctstate") narrow(Dim.CtState, c.states.map((x) => big(ctIndex(x))));
    else if (c.kind === "ttl") narrow(Dim.Ttl, pairs(c.ranges, numberPair));
    else rest.push(c);
  }
  return { box, rest, unknowns, context, dnat, marks };
}

export function compileConjunction(conds: readonly Condition[], families?: readonly Family[]): CompiledMatch {
  const { box, rest, unknowns, context, dnat, marks } = splitConjunction(conds);
  // A box lies in the universe of both families already: one intersection less per rule.
  const fams = families ?? [4, 6];
  let known = Object.keys(box).length > 0 ? PacketSet.box(box) : PacketSet.universe();
  // A ruleset of one family: cut to its universe, unless the box holds only that family already
  // (an address condition names it: most rules of a vendor configuration without IPv6).
  const oneFamily = !fams.includes(4) || !fams.includes(6);
  const boxFamilies = box[Dim.Family];
  const inFamilies = boxFamilies !== undefined && boxFamilies.every(([lo, hi]) => lo === hi && fams.includes(Number(lo) as Family));
  if (oneFamily && !inFamilies) known = known.intersect(PacketSet.universe(fams));
  for (const c of rest) {
    if (known.isEmpty()) break;
    known = known.intersect(compileCondition(c));
  }
  return { known, unknowns, context, dnat, marks };
}

/**
 * The union of the conjunctions' known parts. Many conjunctions that are each a plain box (the
 * elements of a concatenated set) are joined in one pass (box-union.ts), not pairwise.
 */
function anyOfConjunctions(anyOf: readonly (readonly Condition[])[]): PacketSet {
  if (anyOf.length >= LARGE_OR) {
    const boxes: SplitConjunction["box"][] = [];
    for (const conj of anyOf) {
      const s = splitConjunction(conj);
      if (s.rest.length > 0 || s.unknowns.length > 0 || s.context.length > 0 || s.dnat.length > 0 || s.marks.length > 0) break;
      boxes.push(s.box);
    }
    if (boxes.length === anyOf.length) return PacketSet.boxUnion(boxes);
  }
  return PacketSet.unionAll(anyOf.map((conj) => compileConjunction(conj).known));
}

/** Intersection of two lists of inclusive ranges (each may be unsorted or overlapping). */
function intersectRanges(a: Ranges, b: Ranges): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const [alo, ahi] of a) {
    for (const [blo, bhi] of b) {
      const lo = alo > blo ? alo : blo;
      const hi = ahi < bhi ? ahi : bhi;
      if (lo <= hi) out.push([lo, hi]);
    }
  }
  return out;
}

const ruleCache = new WeakMap<Rule, CompiledMatch>();

export function compileRule(rule: Rule, families: readonly Family[]): CompiledMatch {
  let m = ruleCache.get(rule);
  if (!m) {
    m = compileConjunction(rule.conditions, families);
    ruleCache.set(rule, m);
  }
  return m;
}

/**
 * The TTL. Packets are points of the packet space with the TTL they arrived with (or were sent
 * with); a forwarded packet's TTL is taken down by one before the FORWARD hook (ip_forward,
 * ip6_forward: one that would reach 0 is dropped there, see ttlAfterRouting), so a rule that runs
 * after routing on the forward path and tests the TTL tests the arrival TTL minus one: its
 * ranges are compiled one higher. Everywhere else the rule's TTL is the arrival one.
 */
export function compileRuleOnPath(rule: Rule, ruleset: Ruleset, kind: PipelineKind, stage: Stage): CompiledMatch {
  const families = ruleset.families;
  const raw = stage.role === "raw" && rule.conditions.some(testsCtState);
  const routing = stage.beforeRouting === true && rule.conditions.some(testsOif);
  if (raw || routing) {
    // (such a stage runs before routing or on the host's own output: the TTL is as it came)
    const key = `${kind === "inbound"}|${raw}|${routing}`;
    let byPlace = onPathCache.get(rule);
    if (!byPlace) onPathCache.set(rule, (byPlace = new Map()));
    let m = byPlace.get(key);
    if (!m) {
      const seen = raw && notracksInRaw(ruleset);
      const conds = rule.conditions.map((c) => (raw ? stateBeforeConntrack(c, seen) : c)).map((c) => (routing ? oifBeforeRouting(c) : c));
      const plain = compileConjunction(conds, families);
      byPlace.set(key, (m = kind === "inbound" ? inboundMatch(plain) : plain));
    }
    return m;
  }
  if (kind === "inbound") return inboundMatch(compileRule(rule, families));
  if (!ttlDecremented(kind, stage)) return compileRule(rule, families);
  let m = forwardedCache.get(rule);
  if (!m) {
    m = testsTtl(rule.conditions) ? compileConjunction(rule.conditions.map(ttlOneHigher), families) : compileRule(rule, families);
    forwardedCache.set(rule, m);
  }
  return m;
}

/**
 * IPv4 destinations a host takes in that are not addresses of its own: multicast (224.0.0.0/4) and
 * the limited broadcast 255.255.255.255. `-m addrtype --dst-type LOCAL` and nft `fib daddr type
 * local` do not match them on the input path (a packet to 224.0.0.251 is MULTICAST there, and ufw's
 * ufw-not-local returns it as such); every other packet delivered to the host is addressed to it -
 * a subnet's directed broadcast aside, which depends on the interfaces' addresses (taken as ordinary
 * traffic takes it: a unicast packet to the host). For IPv6 the kernel's fib calls a multicast group
 * the host joined local (checked: nft `fib daddr type local` matches ff02::fb on input), so IPv6
 * destinations stay local there.
 */
function notLocalDestinations(): PacketSet {
  return (notLocal ??= PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Dst]: GROUP_ADDRESSES[4].map((r) => [r.lo, r.hi] as const) }));
}
let notLocal: PacketSet | undefined;
onResetCaches(() => {
  notLocal = undefined;
  inboundCache = new WeakMap();
});

/** Per compiled match, the same on the input path: its context conditions decided there (see notLocalDestinations). */
let inboundCache = new WeakMap<CompiledMatch, CompiledMatch>();

/**
 * A compiled match where the destination's locality is decided as on the input path: its context
 * conditions ("is the destination local?") made part of `known` (see notLocalDestinations).
 */
export function inboundMatch(m: CompiledMatch): CompiledMatch {
  if (m.context.length === 0) return m;
  let out = inboundCache.get(m);
  if (!out) {
    let known = m.known;
    for (const c of m.context) known = c.negate ? known.intersect(notLocalDestinations()) : known.minus(notLocalDestinations());
    inboundCache.set(m, (out = { ...m, known, context: [] }));
  }
  return out;
}

/** Per rule, its match where the TTL is one lower (the same as compileRule's when it tests none). */
const forwardedCache = new WeakMap<Rule, CompiledMatch>();

/** Per rule, its matches in a raw stage (see stateBeforeConntrack) or before routing (oifBeforeRouting), by path and place. */
const onPathCache = new WeakMap<Rule, Map<string, CompiledMatch>>();

function testsCtState(c: Condition): boolean {
  return c.kind === "ctstate" || (c.kind === "or" && c.anyOf.some((alt) => alt.some(testsCtState)));
}

function testsOif(c: Condition): boolean {
  return (c.kind === "iface" && c.field === "oif") || (c.kind === "or" && c.anyOf.some((alt) => alt.some(testsOif)));
}

/**
 * An output interface test before routing (nft's prerouting and ingress hooks; iptables refuses
 * `-o` there): the kernel has chosen no output interface yet, and nft reads its name as empty
 * (`oifname "lan0"` holds for no packet, `oifname != "lan0"` for every one).
 */
function oifBeforeRouting(c: Condition): Condition {
  if (c.kind === "or") return { ...c, anyOf: c.anyOf.map((alt) => alt.map(oifBeforeRouting)) };
  if (c.kind !== "iface" || c.field !== "oif") return c;
  const holds = (c.name === "") !== (c.negate === true);
  return holds ? { kind: "or", anyOf: [[]] } : { kind: "or", anyOf: [] };
}

/** Whether a raw-table chain of the ruleset (or one of its table) holds a notrack (see stateBeforeConntrack). */
function notracksInRaw(ruleset: Ruleset): boolean {
  let v = rawNotracks.get(ruleset);
  if (v === undefined) {
    const tables = new Set(ruleset.pipelines.flatMap((p) => p.stages.filter((st) => st.role === "raw").map((st) => ruleset.chains.get(st.chain)?.table)));
    v = [...ruleset.chains.values()].some((chain) => tables.has(chain.table) && chain.rules.some(mayUntrack));
    rawNotracks.set(ruleset, v);
  }
  return v;
}
const rawNotracks = new WeakMap<Ruleset, boolean>();

/**
 * A conntrack state test where connection tracking has not run yet: the raw table's chains (nft's
 * below priority -200 on prerouting and output). No connection is attached to the packet there, and
 * the kernel's state is INVALID (checked: `-t raw -m state --state INVALID -j DROP` drops every
 * packet, `--state NEW` none) - but for a packet an earlier notrack made UNTRACKED, which a later
 * rule of the table sees as such. fwlint's packets carry the state conntrack gives them, so in a
 * ruleset with a notrack in its raw chains (`notracks`) one it calls untracked - never tracked (IPv6
 * neighbour discovery), or made so by a notrack before - may be either here: an unknown condition
 * there, and INVALID for every other packet. Without one, every packet is INVALID there.
 */
function stateBeforeConntrack(c: Condition, notracks: boolean): Condition {
  if (c.kind === "or") return { ...c, anyOf: c.anyOf.map((alt) => alt.map((x) => stateBeforeConntrack(x, notracks))) };
  if (c.kind !== "ctstate") return c;
  const invalid = stateHolds(c, "invalid");
  const untrackedToo = notracks ? stateHolds(c, "untracked") : invalid;
  const none: Condition = { kind: "or", anyOf: [] };
  if (invalid === untrackedToo) return invalid ? { kind: "or", anyOf: [[]] } : none;
  const which: Condition = { kind: "unknown", text: `ct state ${c.negate ? "not " : ""}${c.states.join(",")} before connection tracking`, reason: "before connection tracking a packet's state is INVALID, or UNTRACKED if a notrack before took it: fwlint does not tell the two apart for packets that end up untracked" };
  const untracked: Condition[] = [{ kind: "ctstate", states: ["untracked"] }, which];
  return { kind: "or", anyOf: invalid ? [[{ kind: "ctstate", states: ["untracked"], negate: true }], untracked] : [untracked] };
}

/** Whether a chain of `stage` sees the TTL one lower than the packet arrived with. */
function ttlDecremented(kind: PipelineKind, stage: Stage): boolean {
  return kind === "forward" && !stage.beforeRouting;
}

/** The packets that pass routing on the forward path: a TTL (hop limit) of 0 or 1 expires there. */
export function ttlAfterRouting(): PacketSet {
  return PacketSet.box({ [Dim.Ttl]: [[2n, 255n]] });
}

/** Does a rule's conjunction test the TTL (at any depth)? */
function testsTtl(conds: readonly Condition[]): boolean {
  return conds.some((c) => c.kind === "ttl" || (c.kind === "or" && c.anyOf.some(testsTtl)));
}

/** The condition on the arrival TTL that a test of the TTL after the decrement is. */
function ttlOneHigher(c: Condition): Condition {
  if (c.kind === "or") return { ...c, anyOf: c.anyOf.map((alt) => alt.map(ttlOneHigher)) };
  if (c.kind !== "ttl") return c;
  const ranges: [number, number][] = [];
  for (const [lo, hi] of c.ranges) if (lo < 255) ranges.push([lo + 1, Math.min(hi + 1, 255)]);
  return { ...c, ranges };
}

const ttlTested = new WeakMap<Ruleset, boolean>();

/** Whether some rule of the ruleset tests the TTL (once per ruleset). */
function rulesetTestsTtl(ruleset: Ruleset): boolean {
  let v = ttlTested.get(ruleset);
  if (v === undefined) {
    v = [...ruleset.chains.values()].some((c) => c.rules.some((r) => testsTtl(r.conditions)));
    ttlTested.set(ruleset, v);
  }
  return v;
}

/**
 * The index of the stage before which routing drops a forwarded packet whose TTL would reach 0
 * (the packets that pass: ttlAfterRouting): the first stage after routing on a forward path, where
 * some rule tests the TTL; -1 elsewhere (a ruleset that tests none does not follow the TTL at all).
 * The evaluator and the trace both drop there.
 */
export function ttlExpiryStage(ruleset: Ruleset, pipeline: Pipeline): number {
  if (!rulesetTestsTtl(ruleset)) return -1;
  return pipeline.stages.findIndex((s) => ttlDecremented(pipeline.kind, s));
}

/** A raw-table target (iptables) or nft `notrack` statement that exempts packets from connection tracking (they become UNTRACKED). */
export function isNotrack(target: string): boolean {
  return /^(NOTRACK|notrack$|CT\b.*--notrack)/.test(target);
}

/**
 * The rule may make the packets it matches UNTRACKED: a notrack (see notrackTakes). A rule that goes
 * on (continue) changes what later rules see only by this or by the mark it sets: where its match
 * is uncertain, the packets take both ways - untracked and not.
 */
export function mayUntrack(rule: Rule): boolean {
  return rule.action.kind === "continue" && rule.action.target !== undefined && isNotrack(rule.action.target);
}

/**
 * Whether a notrack in `stage` makes UNTRACKED a packet whose conntrack state (as conntrack gives
 * it) is `state`: in a raw-table stage every packet, no connection being attached yet; after
 * connection tracking only those it left without one (INVALID) - the kernel's notrack ignores a
 * packet that has a connection.
 */
export function notrackTakes(stage: Stage, state: CtState): boolean {
  return stage.role === "raw" || state === "invalid";
}

/**
 * The destination ports a DNAT with a port range leaves as they are: a packet's port already inside
 * the range is kept (the kernel's get_unique_tuple leaves an in-range tuple that is not in use - a
 * first packet's - as it is), unless the rule asks for a random port (iptables --random, nft random,
 * fully-random), which draws even then; undefined when none is kept. The evaluator and the trace both
 * ask here.
 */
export function keptDnatPorts(to: NatRewrite): readonly [number, number] | undefined {
  if (!to.ports) return undefined;
  return to.randomPort && to.ports[1] > to.ports[0] ? undefined : to.ports;
}

const V4_LOOPBACK: readonly [bigint, bigint] = [127n << 24n, (128n << 24n) - 1n];

/**
 * On the inbound path a DNAT to another address sends the packet where routing takes its new
 * destination: to this host only when that address is one of the host's own, which a ruleset does
 * not say (loopback targets and REDIRECT are). Returns the assumption under which the packet is
 * still delivered to the host, or undefined when it certainly is (or on other paths).
 */
export function inboundDnatAssumption(kind: PipelineKind, to: NatRewrite, rule: Rule): string | undefined {
  if (kind !== "inbound" || !to.addr) return undefined;
  const { lo, hi } = to.addr;
  if ((lo >= V4_LOOPBACK[0] && hi <= V4_LOOPBACK[1]) || (lo === 1n && hi === 1n && to.family === 6)) return undefined;
  return `the DNAT target of ${placeRef(rule.span)} is an address of this host`;
}
