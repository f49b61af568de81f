/**
 * One access-control entry (the text after the sequence number) as a typed AST:
 *
 *   standard:  {permit|deny} SRC [log]
 *   extended:  {permit|deny} PROTO SRC [PORTS] DST [PORTS] [ICMP-TYPE [CODE]] [OPTIONS...]
 *
 * SRC/DST: any | host A | A WILDCARD | A (a host) | A/LEN (NX-OS, EOS, IPv6) | object-group N
 * (also NX-OS `addrgroup N`, IOS-XR `net-group N`). PORTS: eq P.. | neq P | lt P | gt P |
 * range A B | portgroup N | port-group N. Port and ICMP names are resolved here (they depend on
 * the protocol); object-group names are resolved by the mapper.
 *
 * Never throws: the first thing that cannot be read stops the entry and is recorded in `problem`;
 * what was read before it is kept.
 */
import { parseIPv4Strict, parseIPv6 } from "../../src/model/address.js";
import { comparisonRanges } from "../../src/model/ports.js";
import type { Family } from "../../src/model/types.js";
import type { Token } from "./lines.js";
import { icmpName, iosPort, iosProtocol, type PortProto } from "./names.js";
import { nameTable } from "../../src/model/name-table.js";

export type AddrSpec =
  | { kind: "any" }
  /** Every address a with (a & ~wildcard) == (addr & ~wildcard). */
  | { kind: "wild"; family: Family; addr: bigint; wildcard: bigint; text: string; col?: number }
  | { kind: "group"; name: string; col: number };

export type PortOp = "eq" | "neq" | "lt" | "gt" | "range";

export type PortSpec = { kind: "op"; op: PortOp; values: number[]; text: string } | { kind: "group"; name: string; col: number };

export type ProtoSpec =
  | { kind: "any" }
  | { kind: "number"; n: number; word: string }
  /** `tcp-udp` (ASA/NX-OS spelling): either protocol, ports valid for both. */
  | { kind: "tcp-udp" }
  | { kind: "group"; name: string; col: number };

/** A TCP flags test: (flags & mask) == comp. */
export interface FlagTest {
  mask: number;
  comp: number;
}

export interface Ace {
  action: "permit" | "deny";
  proto: ProtoSpec;
  src: AddrSpec;
  sport?: PortSpec;
  dst: AddrSpec;
  dport?: PortSpec;
  icmp?: { type: number; code?: number };
  /** TCP with ACK or RST set (never the first SYN). */
  established: boolean;
  /** Every test must hold. */
  flagsAll: FlagTest[];
  /** At least one must hold (IOS-XE `match-any`). */
  flagsAny: FlagTest[];
  /** Non-initial fragments only. */
  fragments: boolean;
  /**
   * `evaluate NAME`: the reflexive entries a `reflect` entry made for sessions it saw leave; they
   * match only those sessions' return packets, never a new connection.
   */
  reflexive?: true;
  /**
   * `ttl OP VALUE..`: the TTL (IPv6: hop limit) in one of `ranges`, or in none with `negate`
   * (neq). As the packet arrived on an inbound list, one lower on an outbound one: the router takes
   * one off between the two (the stages say which, see the mapper).
   */
  ttl?: { ranges: [number, number][]; negate?: true };
  /** Parts fwlint does not model (time-range, dscp ...). */
  unknowns: { text: string; reason: string }[];
  /** The first part that could not be read: column and what was expected. */
  problem?: { col: number; message: string };
  /** Things that parse but look like mistakes (a subnet mask written where a wildcard goes). */
  notes: { col: number; message: string }[];
}

export const TCP_FLAG_BITS: Readonly<Record<string, number>> = nameTable({
  fin: 0x01,
  syn: 0x02,
  rst: 0x04,
  psh: 0x08,
  ack: 0x10,
  urg: 0x20,
  ece: 0x40,
  cwr: 0x80,
});

class Cursor {
  i: number;
  constructor(
    readonly toks: readonly Token[],
    start: number,
    readonly endCol: number,
  ) {
    this.i = start;
    // an inline `!` starts a comment (EOS/NX-OS exports)
    const bang = toks.findIndex((t, k) => k >= start && t.text.startsWith("!"));
    this.end = bang === -1 ? toks.length : bang;
  }
  readonly end: number;
  atEnd(): boolean {
    return this.i >= this.end;
  }
  peek(k = 0): string | undefined {
    return this.i + k < this.end ? this.toks[this.i + k]!.text : undefined;
  }
  col(): number {
    return this.i < this.end ? this.toks[this.i]!.col : this.endCol;
  }
  next(): string | undefined {
    return this.i < this.end ? this.toks[this.i++]!.text : undefined;
  }
}

class Stop extends Error {
  constructor(
    readonly col: number,
    message: string,
  ) {
    super(message);
  }
}

function found(c: Cursor): string {
  const t = c.peek();
  return t === undefined ? "the end of the line" : `'${t}'`;
}

function hostMask(family: Family, len: number): bigint {
  const bits = family === 4 ? 32 : 128;
  return (1n << BigInt(bits - len)) - 1n;
}

/** `A/LEN` of the family, or null. */
function prefixSpec(text: string, family: Family): AddrSpec | null {
  const slash = text.indexOf("/");
  if (slash === -1) return null;
  const a = family === 4 ? parseIPv4Strict(text.slice(0, slash)) : parseIPv6(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (a === null || !/^[0-9]{1,3}$/.test(lenText)) return null;
  const len = Number(lenText);
  if (len > (family === 4 ? 32 : 128)) return null;
  return { kind: "wild", family, addr: a, wildcard: hostMask(family, len), text };
}

function parseAddress(c: Cursor, family: Family): AddrSpec {
  const col = c.col();
  const t = c.peek();
  const expected = `expected an address ('any', 'host A', ${family === 4 ? "'A WILDCARD', " : ""}'A/LEN' or 'object-group NAME'), found ${found(c)}`;
  if (t === undefined) throw new Stop(col, expected);
  const lower = t.toLowerCase();
  if (lower === "any" || (lower === "any4" && family === 4) || (lower === "any6" && family === 6)) {
    c.next();
    return { kind: "any" };
  }
  if (lower === "host") {
    c.next();
    const a = c.peek();
    const v = a === undefined ? null : family === 4 ? parseIPv4Strict(a) : parseIPv6(a);
    if (v === null) throw new Stop(c.col(), `expected an IPv${family} address after 'host', found ${found(c)}`);
    c.next();
    return { kind: "wild", family, addr: v, wildcard: 0n, text: a! };
  }
  if (lower === "object-group" || lower === "addrgroup" || lower === "net-group") {
    c.next();
    const name = c.peek();
    if (name === undefined) throw new Stop(c.col(), `expected an object-group name after '${t}'`);
    const gcol = c.col();
    c.next();
    return { kind: "group", name, col: gcol };
  }
  const pre = prefixSpec(t, family);
  if (pre) {
    c.next();
    return pre;
  }
  const v = family === 4 ? parseIPv4Strict(t) : parseIPv6(t);
  if (v === null) throw new Stop(col, expected);
  c.next();
  if (family === 4) {
    const w = c.peek();
    const wv = w === undefined ? null : parseIPv4Strict(w);
    if (wv !== null) {
      c.next();
      return { kind: "wild", family, addr: v, wildcard: wv, text: `${t} ${w}`, col };
    }
  }
  // a bare address is a host (standard ACLs; EOS/NX-OS extended entries)
  return { kind: "wild", family, addr: v, wildcard: 0n, text: t };
}

const PORT_OPS = new Set(["eq", "neq", "lt", "gt", "range"]);

function portProtoOf(proto: ProtoSpec): PortProto | null {
  if (proto.kind === "tcp-udp") return "tcp-udp";
  if (proto.kind !== "number") return null;
  return proto.n === 6 ? "tcp" : proto.n === 17 ? "udp" : proto.n === 132 ? "sctp" : null;
}

/** A port clause if one starts here (`eq 80 443`, `range 1 10`, `portgroup N` ...). */
export function parsePorts(c: Cursor, pp: PortProto | null): PortSpec | undefined {
  const t = c.peek()?.toLowerCase();
  if (t === undefined) return undefined;
  if (t === "portgroup" || t === "port-group") {
    c.next();
    const name = c.peek();
    if (name === undefined) throw new Stop(c.col(), `expected a port group name after '${t}'`);
    const col = c.col();
    c.next();
    return { kind: "group", name, col };
  }
  if (!PORT_OPS.has(t)) return undefined;
  const opCol = c.col();
  if (pp === null) throw new Stop(opCol, `'${t}' needs a protocol with ports (tcp, udp, sctp)`);
  c.next();
  const one = (): number => {
    const w = c.peek();
    const n = w === undefined ? null : iosPort(w, pp);
    if (n === null) throw new Stop(c.col(), `expected a ${pp} port number or name after '${t}', found ${found(c)}`);
    c.next();
    return n;
  };
  const op = t as PortOp;
  const values: number[] = [one()];
  if (op === "range") values.push(one());
  else if (op === "eq" || op === "neq") {
    // newer releases accept several ports: `eq 80 443`
    // (only numbers and IOS's own names continue the list: `auth`, an IANA name, is also an option)
    for (let w = c.peek(); w !== undefined && iosPort(w, pp, false) !== null; w = c.peek()) values.push(one());
  }
  if (op === "range" && values[0]! > values[1]!) throw new Stop(opCol, `range ${values[0]} ${values[1]}: the first port is above the second`);
  const text = c.toks.slice(c.toks.findIndex((x) => x.col === opCol), c.i).map((x) => x.text).join(" ");
  return { kind: "op", op, values, text };
}

/** Options that change nothing about which packets match. */
const NO_MATCH_EFFECT = new Set(["log", "log-input", "tracked", "counters"]);
/** Options with one argument that fwlint does not model. */
const UNMODELLED_WITH_ARG = new Set(["time-range", "dscp", "precedence", "tos", "option", "flow-label", "routing-type", "dest-option-type", "mobility-type", "hop-limit", "hoplimit"]);
/** Options without argument that fwlint does not model. */
const UNMODELLED_FLAG = new Set(["routing", "dest-option", "mobility", "undetermined-transport", "auth", "hbh"]);

/** Words that start an option of their own (so they are not a log cookie). */
function isOptionWord(w: string): boolean {
  return (
    NO_MATCH_EFFECT.has(w) ||
    UNMODELLED_WITH_ARG.has(w) ||
    UNMODELLED_FLAG.has(w) ||
    w in TCP_FLAG_BITS ||
    ["established", "fragments", "reflect", "ttl", "match-all", "match-any", "interval", "sequence"].includes(w)
  );
}

function parseOptions(c: Cursor, ace: Ace, family: Family): void {
  const isTcp = ace.proto.kind === "number" && ace.proto.n === 6;
  const isIcmp = ace.proto.kind === "number" && ace.proto.n === (family === 4 ? 1 : 58);
  // ICMP type [code] right after the destination
  if (isIcmp && !c.atEnd()) {
    const w = c.peek()!;
    if (/^[0-9]{1,3}$/.test(w) && Number(w) <= 255) {
      c.next();
      ace.icmp = { type: Number(w) };
      const k = c.peek();
      if (k !== undefined && /^[0-9]{1,3}$/.test(k) && Number(k) <= 255) {
        c.next();
        ace.icmp.code = Number(k);
      }
    } else {
      const n = icmpName(w, family);
      if (n) {
        c.next();
        ace.icmp = { ...n };
      }
    }
  }
  // IGMP message type (`permit igmp any any host-query`): not a modelled dimension
  const isIgmp = ace.proto.kind === "number" && ace.proto.n === 2;
  if (isIgmp && !c.atEnd() && !isOptionWord(c.peek()!.toLowerCase())) ace.unknowns.push({ text: `igmp ${c.next()!}`, reason: "IGMP message types are not modelled" });
  while (!c.atEnd()) {
    const col = c.col();
    const raw = c.next()!;
    const w = raw.toLowerCase();
    if (NO_MATCH_EFFECT.has(w)) {
      if (w === "log" || w === "log-input") {
        const lv = c.peek()?.toLowerCase();
        // ASA-style levels (`log 7 interval 600`, `log default`, `log disable`) or an IOS log
        // cookie (`log WEB-HITS`): any word that is not another option
        if (lv !== undefined && !isOptionWord(lv)) c.next();
        if (c.peek()?.toLowerCase() === "interval" && c.peek(1) !== undefined && /^[0-9]+$/.test(c.peek(1)!)) {
          c.next();
          c.next();
        }
      }
      continue;
    }
    if (w === "reflect") {
      // creates reflexive entries for return traffic; does not change what this entry matches
      c.next();
      if (c.peek()?.toLowerCase() === "timeout") {
        c.next();
        c.next();
      }
      continue;
    }
    if (w === "established") {
      if (!isTcp) throw new Stop(col, "'established' applies to tcp entries only");
      ace.established = true;
      continue;
    }
    if (w === "fragments") {
      ace.fragments = true;
      continue;
    }
    if (isTcp && w in TCP_FLAG_BITS) {
      const b = TCP_FLAG_BITS[w]!;
      ace.flagsAll.push({ mask: b, comp: b });
      continue;
    }
    if (isTcp && (w === "match-all" || w === "match-any")) {
      const tests: FlagTest[] = [];
      for (let f = c.peek(); f !== undefined && /^[+-][a-z]+$/i.test(f) && f.slice(1).toLowerCase() in TCP_FLAG_BITS; f = c.peek()) {
        const b = TCP_FLAG_BITS[f.slice(1).toLowerCase()]!;
        tests.push({ mask: b, comp: f[0] === "+" ? b : 0 });
        c.next();
      }
      if (tests.length === 0) throw new Stop(c.col(), `expected +flag or -flag after '${w}', found ${found(c)}`);
      if (w === "match-all") ace.flagsAll.push(...tests);
      else ace.flagsAny.push(...tests);
      continue;
    }
    if (w === "ttl") {
      if (ace.ttl) throw new Stop(col, "'ttl' given twice in one entry");
      ace.ttl = parseTtl(c);
      continue;
    }
    if (UNMODELLED_WITH_ARG.has(w)) {
      const a = c.next();
      if (a === undefined) throw new Stop(c.col(), `expected a value after '${raw}'`);
      ace.unknowns.push({ text: `${raw} ${a}`, reason: `'${raw}' is not modelled` });
      continue;
    }
    if (UNMODELLED_FLAG.has(w)) {
      ace.unknowns.push({ text: raw, reason: `'${raw}' is not modelled` });
      continue;
    }
    if (isIcmp && ace.icmp === undefined) throw new Stop(col, `'${raw}' is not an ICMP${family === 6 ? "v6" : ""} message name IOS knows`);
    throw new Stop(col, `unexpected '${raw}' in an access-list entry`);
  }
}

const TTL_VALUE = /^[0-9]{1,3}$/;

/** `eq V..`, `neq V..`, `lt V`, `gt V` or `range A B` after `ttl`, values 0-255, as ranges. */
function parseTtl(c: Cursor): NonNullable<Ace["ttl"]> {
  const op = c.peek()?.toLowerCase();
  if (op === undefined || !PORT_OPS.has(op)) throw new Stop(c.col(), `expected eq, neq, lt, gt or range after 'ttl', found ${found(c)}`);
  const opCol = c.col();
  c.next();
  const isValue = (w: string | undefined): boolean => w !== undefined && TTL_VALUE.test(w) && Number(w) <= 255;
  const one = (): number => {
    if (!isValue(c.peek())) throw new Stop(c.col(), `expected a TTL value (0-255) after 'ttl ${op}', found ${found(c)}`);
    return Number(c.next());
  };
  const values = [one()];
  if (op === "range") values.push(one());
  // like ports, eq and neq take several values: `ttl eq 10 20`
  else if (op === "eq" || op === "neq") while (isValue(c.peek())) values.push(one());
  if (op === "range" && values[0]! > values[1]!) throw new Stop(opCol, `ttl range ${values[0]} ${values[1]}: the first value is above the second`);
  // neq as a negated eq: the rule reads "not these TTLs", as written
  return op === "neq" ? { ranges: comparisonRanges("eq", values, 255), negate: true } : { ranges: comparisonRanges(op as PortOp, values, 255) };
}

function parseProto(c: Cursor, family: Family): ProtoSpec {
  const col = c.col();
  const t = c.peek();
  if (t === undefined) throw new Stop(col, "expected a protocol (ip, tcp, udp, icmp, a number or object-group NAME)");
  const w = t.toLowerCase();
  c.next();
  if (w === "ip" || w === "ipv6" || (w === "ipv4" && family === 4)) return { kind: "any" };
  if (w === "tcp-udp") return { kind: "tcp-udp" };
  if (w === "object-group") {
    const name = c.peek();
    if (name === undefined) throw new Stop(c.col(), "expected an object-group name after 'object-group'");
    const gcol = c.col();
    c.next();
    return { kind: "group", name, col: gcol };
  }
  const n = iosProtocol(w, family);
  if (n === null) throw new Stop(col, `expected a protocol (ip, tcp, udp, icmp, a number 0-255 or object-group NAME), found '${t}'`);
  return { kind: "number", n, word: w };
}

function emptyAce(action: "permit" | "deny"): Ace {
  return { action, proto: { kind: "any" }, src: { kind: "any" }, dst: { kind: "any" }, established: false, flagsAll: [], flagsAny: [], fragments: false, unknowns: [], notes: [] };
}

/**
 * Parses `permit|deny ...` starting at token index `start`. `standard` entries match the source
 * only. `endCol` is the column just past the line, for "found the end of the line" positions.
 */
export function parseAce(toks: readonly Token[], start: number, family: Family, standard: boolean, endCol: number): Ace {
  const c = new Cursor(toks, start, endCol);
  const action = c.next()!.toLowerCase() === "deny" ? "deny" : "permit";
  const ace = emptyAce(action);
  try {
    if (standard) {
      ace.src = parseAddress(c, family);
      while (!c.atEnd()) {
        const col = c.col();
        const w = c.next()!.toLowerCase();
        if (!NO_MATCH_EFFECT.has(w)) throw new Stop(col, `unexpected '${w}' in a standard access-list entry (only a source address and 'log')`);
      }
      return ace;
    }
    ace.proto = parseProto(c, family);
    const pp = portProtoOf(ace.proto);
    ace.src = parseAddress(c, family);
    ace.sport = parsePorts(c, pp);
    ace.dst = parseAddress(c, family);
    ace.dport = parsePorts(c, pp);
    parseOptions(c, ace, family);
  } catch (e) {
    if (e instanceof Stop) ace.problem = { col: e.col, message: e.message };
    else throw e;
  }
  for (const a of [ace.src, ace.dst]) {
    if (a.kind === "wild" && a.family === 4 && a.col !== undefined && looksLikeSubnetMask(a.wildcard)) {
      ace.notes.push({ col: a.col, message: `'${a.text}': the wildcard looks like a subnet mask; IOS reads it as a wildcard (the inverse, ${inverseText(a.wildcard)}, was probably meant)` });
    }
  }
  return ace;
}

/** 255.255.255.0-shaped: ones from the top, not all ones, not zero. */
function looksLikeSubnetMask(w: bigint): boolean {
  const inv = 0xffffffffn ^ w;
  return w !== 0n && inv !== 0n && (inv & (inv + 1n)) === 0n && w >= 0x80000000n;
}

function inverseText(w: bigint): string {
  const inv = 0xffffffffn ^ w;
  return [24n, 16n, 8n, 0n].map((s) => String((inv >> s) & 0xffn)).join(".");
}

/** A port clause on its own (object-group service / port members), from token `start`. */
export function parsePortClause(toks: readonly Token[], start: number, pp: PortProto | null, endCol: number): { port?: PortSpec; next: number; problem?: { col: number; message: string } } {
  const c = new Cursor(toks, start, endCol);
  try {
    const port = parsePorts(c, pp);
    return { port, next: c.i };
  } catch (e) {
    if (e instanceof Stop) return { next: c.i, problem: { col: e.col, message: e.message } };
    throw e;
  }
}

/** An address member of a network object group: `host A`, `A MASK` (netmask), `A/LEN`, `any`. */
export function parseGroupAddress(toks: readonly Token[], start: number, family: Family | undefined, endCol: number): { addr?: AddrSpec; problem?: { col: number; message: string } } {
  const t = toks[start];
  if (!t) return { problem: { col: endCol, message: "expected an address" } };
  const fam: Family = family ?? (t.text.includes(":") || toks[start + 1]?.text.includes(":") ? 6 : 4);
  const c = new Cursor(toks, start, endCol);
  try {
    const a = parseAddress(c, fam);
    if (!c.atEnd()) throw new Stop(c.col(), `unexpected ${found(c)} after the address`);
    // object-group network members use a subnet mask, not a wildcard: `10.0.0.0 255.255.255.0`
    if (a.kind === "wild" && fam === 4 && a.text.includes(" ")) {
      const inv = (1n << 32n) - 1n;
      return { addr: { ...a, wildcard: inv ^ a.wildcard } };
    }
    return { addr: a };
  } catch (e) {
    if (e instanceof Stop) return { problem: { col: e.col, message: e.message } };
    throw e;
  }
}
