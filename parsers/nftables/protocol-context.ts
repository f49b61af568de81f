/**
 * What nft refuses in a rule by the protocols its expressions imply. nft's evaluator keeps, per
 * rule, the network and transport protocols known so far - from the table's family, from matches
 * on a protocol key (`meta nfproto ipv4`, `meta l4proto tcp`, `ip protocol udp`) and from the
 * headers the rule reads (`ip saddr` makes the packets IPv4, `tcp dport` makes them TCP) - and
 * refuses a rule that then reads another protocol's header ("conflicting protocols specified: tcp
 * vs. udp"), a `reject with tcp reset` of packets that are not TCP, a `reject with icmp` of IPv6
 * packets, and, in an inet table, a NAT to an address whose family nothing in the rule tells. By
 * the table's family alone: `ct` expressions in netdev tables (whose hooks run before connection
 * tracking) and `fwd` outside them. An IPv6 extension header (`frag`, `rt type`, `exthdr hbh`)
 * is an IPv6 header read: refused in packets known to be IPv4 or ARP ("cannot use exthdr with ip"). And, of any rule, a statement after one that ends it (a
 * verdict but continue, a reject, a NAT: "Statement after terminal statement has no effect" - two
 * rules run together on one line). One such rule and nft loads none of the file.
 *
 * Checked against nft 1.0.6 (`nft -c -f`, see test/parsers/nftables/protocol-context.test.ts):
 * - The network protocol is one: each match on a protocol key replaces it (a set of families: its
 *   last element), and a header read where none is known sets it.
 * - The transport protocols are a list: each match on a protocol key adds to it - every element of
 *   a set -, so `meta l4proto { tcp, udp } tcp dport 22` is refused as `udp vs. tcp` while
 *   `th dport` reads either. `meta l4proto` adds protocols nft has no header for as "unknown";
 *   `ip protocol` and `ip6 nexthdr` add only those it has.
 * - Matches that do not test equality (`!=`, a named set, a bit mask), verdict map keys and `ct`
 *   keys change nothing.
 */
import type { SourceSpan } from "../../src/model/types.js";
import type { Expr, MatchOp, NftFamily, Stmt } from "./ast.js";
import { exprText } from "./expr-text.js";
import { protocolNumber } from "../../src/model/names.js";
import { networkProtocol, nftNumber } from "./datatypes.js";
import { readsExtensionHeader } from "./vocabulary.js";
import { nameTable } from "../../src/model/name-table.js";

export interface ProtocolRefusal {
  span: SourceSpan;
  message: string;
}

/** The transport headers nft reads, by IP protocol number. */
const TRANSPORT_HEADERS: ReadonlyMap<number, string> = new Map([
  [1, "icmp"],
  [2, "igmp"],
  [6, "tcp"],
  [17, "udp"],
  [33, "dccp"],
  [50, "esp"],
  [51, "ah"],
  [58, "icmpv6"],
  [108, "comp"],
  [132, "sctp"],
  [136, "udplite"],
]);
const TRANSPORT_NAMES: ReadonlySet<string> = new Set(TRANSPORT_HEADERS.values());

/** A transport protocol the rule named: nft's name for it ("unknown" for one it has no header for) and how the rule wrote it. */
interface Named {
  nft: string;
  written: string;
}

/** The values a protocol-key match tests for equality, in order; undefined when it tests none (`!=`, a named set, a range). */
function equalValues(op: MatchOp, right: Expr): string[] | undefined {
  if (op !== "implicit" && op !== "==") return undefined;
  const items = right.kind === "set" ? right.elements.map((e) => e.key) : right.kind === "list" ? right.items : [right];
  const out: string[] = [];
  for (const v of items) {
    if (v.kind !== "value") return undefined;
    out.push(v.text);
  }
  return out;
}

function transportOf(text: string): string | undefined {
  if (TRANSPORT_NAMES.has(text)) return text;
  const n = nftNumber(text, 255) ?? protocolNumber(text);
  return n === null ? undefined : TRANSPORT_HEADERS.get(n);
}

type Network = "ip" | "ip6" | "arp";
const NETWORK_NAMES: Readonly<Record<Network, string>> = nameTable({ ip: "IPv4", ip6: "IPv6", arp: "ARP" });

const REFUSED = "nft refuses the rule";

/** Why nft refuses a NAT port no transport protocol comes before (also told of a port a NAT map's data give, by the mapper). */
export const NAT_PORT_NEEDS_TRANSPORT =
  'a NAT port needs a transport protocol match earlier in the rule (tcp dport ..., meta l4proto tcp) ("transport protocol mapping is only valid after transport protocol match")';

/** "an ip table", "a netdev table". */
function aTable(family: NftFamily): string {
  return `${/^[aeiou]/.test(family) ? "an" : "a"} ${family} table`;
}

/** What made the network protocol known when the table's family did. */
function tableWhy(family: NftFamily): string {
  return `the table's family (${family})`;
}

/** The family of a NAT address written as an address, prefix or range (undefined: a name, a variable, a lookup). */
function literalFamily(e: Expr): "ip" | "ip6" | undefined {
  const text = e.kind === "value" ? e.text : e.kind === "prefix" ? e.addr : e.kind === "range" && e.low.kind === "value" ? e.low.text : undefined;
  if (text === undefined) return undefined;
  if (text.includes(":")) return "ip6";
  return /^\d+\.\d+\.\d+\.\d+$/.test(text) ? "ip" : undefined;
}

/** A statement nft lets nothing follow in its rule: a verdict other than continue, reject, a NAT statement. */
function isTerminal(s: Stmt): boolean {
  return (s.kind === "verdict" && s.verdict.kind !== "continue") || s.kind === "reject" || s.kind === "nat";
}

/** The keyword a terminal statement starts with (for messages). */
function stmtWord(s: Stmt): string {
  if (s.kind === "verdict") return s.verdict.kind;
  if (s.kind === "nat") return s.type;
  return s.kind;
}

/** One rule's protocol context, statement by statement (see the module comment). */
export class ProtocolContext {
  /** The network protocol known so far: the table's for ip, ip6 and arp tables. */
  network: Network | undefined;
  /** What made `network` known: the table, or the first expression that did. */
  private networkWhy: string;
  private readonly transport: Named[] = [];
  /** The transport protocol named last (nft's current one): what `reject with tcp reset` and a NAT port ask about. */
  private current: Named | undefined;
  private refusal: ProtocolRefusal | undefined;

  constructor(private readonly family: NftFamily) {
    this.network = family === "ip" || family === "ip6" || family === "arp" ? family : undefined;
    this.networkWhy = tableWhy(family);
  }

  /** The statement that ended the rule (a verdict but continue, a reject, a NAT), once one did. */
  private ended: Stmt | undefined;

  /** The first refusal among the statement's expressions, in nft's order (undefined: none). */
  statement(s: Stmt): ProtocolRefusal | undefined {
    this.refusal = undefined;
    if (this.ended && s.kind !== "comment") {
      this.refuse(s.span, `a statement after '${stmtWord(this.ended)}', which ends the rule ("Statement after terminal statement has no effect"); a missing line break between two rules?`);
      return this.refusal;
    }
    if (isTerminal(s)) this.ended = s;
    switch (s.kind) {
      case "match":
        this.match(s.left, s.op, s.right);
        break;
      case "vmap":
        this.read(s.key);
        if (s.map.kind === "set") this.ctPortValues(s.key);
        break;
      case "setop":
        // (an element a set statement writes is not compared with values: nft takes a
        // connection's port in it without a transport protocol, in a concatenation too)
        if (s.elem.kind === "concat") for (const p of s.elem.parts) this.read(p);
        else this.read(s.elem);
        if (s.data) this.read(s.data);
        break;
      case "effect":
        // (the netdev family alone forwards to a device)
        if (s.name === "fwd" && this.family !== "netdev") this.refuse(s.span, `'fwd' in ${aTable(this.family)}: nft forwards to a device only from netdev tables ("unsupported family")`);
        if (s.assign) {
          this.read(s.assign.key);
          this.read(s.assign.value);
        }
        break;
      case "nat": {
        // (what the statement's own map key reads tells nft no address family: `dnat to ip daddr
        // map { ... }` in an inet table still needs 'dnat ip')
        const before = this.network;
        if (s.addr) this.read(s.addr);
        if (s.port) this.read(s.port);
        this.nat(s, before);
        break;
      }
      case "reject":
        this.reject(s.with, s.span);
        break;
      default:
        break;
    }
    return this.refusal;
  }

  private refuse(span: SourceSpan, message: string): void {
    this.refusal ??= { span, message: `${message} (${REFUSED})` };
  }

  private match(left: Expr, op: MatchOp, right: Expr): void {
    if (left.kind === "meta" && left.key === "nfproto" && this.family !== "inet") {
      return this.refuse(left.span, `'meta nfproto' in ${aTable(this.family)}: nft takes it only in inet tables ("meta nfproto is only useful in the inet family")`);
    }
    this.read(left);
    if (this.refusal) return;
    if (right.kind !== "setref") this.ctPortValues(left);
    if (this.refusal) return;
    const values = equalValues(op, right);
    if (values === undefined || values.length === 0) return;
    const text = `${exprText(left)} ${values.length === 1 ? values[0] : `{ ${values.join(", ")} }`}`;
    // (the connection's protocol names the transport only once the network protocol is known: an
    // ip or ip6 table, or an inet table after 'meta nfproto')
    if ((left.kind === "meta" && left.key === "l4proto") || (left.kind === "ct" && left.key === "protocol" && this.network !== undefined)) {
      for (const v of values) this.addTransport({ nft: transportOf(v) ?? "unknown", written: v });
    } else if (left.kind === "payload" && ((left.protocol === "ip" && left.field === "protocol") || (left.protocol === "ip6" && left.field === "nexthdr"))) {
      for (const v of values) {
        const t = transportOf(v);
        if (t !== undefined) this.addTransport({ nft: t, written: v });
      }
    } else if (
      (left.kind === "meta" && left.key === "nfproto") ||
      (left.kind === "payload" && left.protocol === "ether" && left.field === "type") ||
      ((this.family === "bridge" || this.family === "netdev") && left.kind === "meta" && left.key === "protocol")
    ) {
      const last = networkProtocol(values[values.length - 1]!, left.kind === "meta" && left.key === "nfproto");
      if (last !== undefined) {
        this.network = last;
        this.networkWhy = `'${text}'`;
      }
    }
  }

  private addTransport(p: Named): void {
    if (!this.transport.some((t) => t.nft === p.nft && t.written === p.written)) this.transport.push(p);
    this.current = p;
  }

  /** Whether a transport protocol is known here, as a NAT port needs ("transport protocol mapping is only valid after transport protocol match"). */
  get transportKnown(): boolean {
    return this.current !== undefined;
  }

  /**
   * `key` is compared with values written in the rule (a match, an anonymous set or map): a port
   * of the connection's tuple is read as a port of the transport protocol the rule names, so nft
   * cannot read the values without one. (A named set's or map's type says how its elements read.)
   */
  private ctPortValues(key: Expr): void {
    if (isCtPort(key) && !this.transportKnown) {
      this.refuse(key.span, `'${exprText(key)}' ${NAMES_NO_TRANSPORT}: without it nft cannot read the port ("Can't parse symbolic invalid expressions")`);
    }
  }

  /** The headers `e` reads, in order. */
  private read(e: Expr): void {
    if (this.refusal) return;
    switch (e.kind) {
      case "ct":
        // netdev hooks run before connection tracking: the kernel refuses ct expressions there
        if (this.family === "netdev") this.refuse(e.span, `'${exprText(e)}' in a netdev table: its hooks run before connection tracking, and the kernel refuses ct expressions there (nft: "Could not process rule: Protocol error")`);
        return;
      case "payload":
        return this.header(e.protocol, e.span, exprText(e));
      case "concat":
        for (const p of e.parts) {
          this.read(p);
          // a port of the connection's tuple has no size until the rule names its transport protocol
          if (isCtPort(p) && !this.transportKnown) {
            return this.refuse(p.span, `'${exprText(p)}' in a concatenation ${NAMES_NO_TRANSPORT}: without it its size is unknown to nft ("can not use variable sized data types (invalid) in concat expressions")`);
          }
        }
        return;
      case "binop":
        return this.read(e.left);
      case "map":
        this.read(e.key);
        if (e.map.kind === "set") this.ctPortValues(e.key);
        return;
      case "range":
        this.read(e.low);
        return this.read(e.high);
      case "opaque":
        if (readsExtensionHeader(e.name, e.text)) this.extensionHeader(e.span, e.text);
        // the route's next hop is an IPv4 or an IPv6 address: the table or the rule must say which
        if (e.name === "rt" && /^rt\s+nexthop\b/.test(e.text) && this.family !== "ip" && this.family !== "ip6" && this.network !== "ip" && this.network !== "ip6") {
          this.refuse(e.span, `'rt nexthop' in ${aTable(this.family)}: nothing in the rule tells the address family; write 'rt ip nexthop' or 'rt ip6 nexthop', or match an address first ("cannot determine ip protocol version, use \"ip nexthop\" or \"ip6 nexthop\" instead")`);
        }
        return;
      default:
        return;
    }
  }

  private header(protocol: string, span: SourceSpan, text: string): void {
    if (protocol === "ip" || protocol === "ip6" || protocol === "arp") {
      if (this.network !== undefined && this.network !== protocol) {
        // (nft names an inet table's own protocol for ARP, which it places below IP there)
        const had = protocol === "arp" && this.family === "inet" ? "inet" : this.network;
        return this.refuse(span, `'${text}' reads an ${NETWORK_NAMES[protocol]} header, but ${this.networkWhy} makes the packets ${NETWORK_NAMES[this.network]} ("conflicting protocols specified: ${had} vs. ${protocol}")`);
      }
      if (protocol === "arp" && this.family === "inet") return this.refuse(span, `'${text}' in an inet table, whose packets are IPv4 or IPv6 ("conflicting protocols specified: inet vs. arp")`);
      if (this.network === undefined) {
        this.network = protocol;
        this.networkWhy = `'${text}'`;
      }
      return;
    }
    if (!TRANSPORT_NAMES.has(protocol)) return;
    const other = this.transport.find((t) => t.nft !== protocol);
    if (other) {
      const why = this.transport.length > 1 ? `the rule's earlier matches allow ${this.transport.map((t) => t.written).join(" and ")}, and nft takes only one` : `an earlier match makes the transport protocol ${other.written}`;
      return this.refuse(span, `'${text}' reads a ${protocol} header, but ${why} ("conflicting protocols specified: ${other.nft} vs. ${protocol}")`);
    }
    if (this.transport.length === 0) this.addTransport({ nft: protocol, written: text.split(" ")[0]! });
    // (ICMP and IGMP exist over IPv4 only, ICMPv6 over IPv6: nft makes the packets so where nothing did)
    const over = protocol === "icmp" || protocol === "igmp" ? "ip" : protocol === "icmpv6" ? "ip6" : undefined;
    if (over !== undefined && this.network === undefined) {
      this.network = over;
      this.networkWhy = `'${text}'`;
    }
  }

  /**
   * An IPv6 extension header read: refused where the packets are known to be of another network
   * protocol (nft: "cannot use exthdr with ip"), and it makes them IPv6 where nothing did, so that
   * an IPv4 header read after it conflicts ("ip6 vs. ip").
   */
  private extensionHeader(span: SourceSpan, text: string): void {
    if (this.network === undefined) {
      this.network = "ip6";
      this.networkWhy = `'${text}'`;
      return;
    }
    if (this.network === "ip6") return;
    const fromTable = this.networkWhy === tableWhy(this.family);
    const why = fromTable ? `which ${aTable(this.family)}'s packets do not have` : `but ${this.networkWhy} makes the packets ${NETWORK_NAMES[this.network]}`;
    this.refuse(span, `'${text}' reads an IPv6 extension header, ${why} (nft: "cannot use exthdr with ${this.network}")${fromTable ? "; use an ip6 or inet table" : ""}`);
  }

  /** `networkBefore`: the network protocol the rule's earlier matches tell (the statement's own reads aside). */
  private nat(s: Extract<Stmt, { kind: "nat" }>, networkBefore: Network | undefined): void {
    if (this.refusal) return;
    if (s.port !== undefined && s.port.kind !== "map" && !this.transportKnown) {
      return this.refuse(s.span, `'${s.type} to ...:${exprText(s.port)}': ${NAT_PORT_NEEDS_TRANSPORT}`);
    }
    // (masquerade, redirect and a port alone name no address family)
    if (s.addr === undefined && s.family === undefined) return;
    const table = this.family === "ip" || this.family === "ip6" ? this.family : undefined;
    const written = `${s.type}${s.family ? ` ${s.family}` : ""}`;
    const family = s.family ?? table;
    if (family !== undefined && this.network !== undefined && this.network !== family) {
      return this.refuse(s.span, `'${written}' of ${NETWORK_NAMES[family]} addresses in a rule whose packets are ${NETWORK_NAMES[this.network]} (by ${this.networkWhy}) ("conflicting protocols specified: ${this.network} vs. ${family}")`);
    }
    if (family === undefined && this.family === "inet" && networkBefore === undefined) {
      return this.refuse(s.span, `'${s.type} to ${exprText(s.addr!)}' in an inet table: nothing in the rule tells the address family; write '${s.type} ip to ...' or '${s.type} ip6 to ...', or match 'meta nfproto' or an address first ("ip or ip6 must be specified with address for inet tables")`);
    }
    // An ip or ip6 table reads the address in its own family; an inet table in the one the
    // statement names, or else the rule's.
    const literal = s.addr === undefined ? undefined : literalFamily(s.addr);
    const readAs = table ?? s.family ?? (this.network === "ip" || this.network === "ip6" ? this.network : undefined);
    if (literal !== undefined && readAs !== undefined && literal !== readAs) {
      this.refuse(s.addr!.span, `'${written} to ${exprText(s.addr!)}': an ${NETWORK_NAMES[literal]} address for ${NETWORK_NAMES[readAs]} packets ("Could not resolve hostname: Address family for hostname not supported")`);
    }
  }

  private reject(withText: string | undefined, span: SourceSpan): void {
    if (withText === undefined) return;
    const kind = withText.split(/\s+/)[0];
    if (kind === "tcp") {
      const now = this.current;
      if (now && now.nft !== "tcp") this.refuse(span, `'reject with tcp reset' of packets an earlier match makes ${now.written}: a TCP reset answers only TCP ("you cannot use tcp reset with this protocol")`);
      return;
    }
    if (kind === "icmpx" && (this.family === "ip" || this.family === "ip6")) {
      return this.refuse(span, `'reject with icmpx' in ${aTable(this.family)}: use 'reject with ${this.family === "ip" ? "icmp" : "icmpv6"}' (icmpx is for inet tables: "abstracted ICMP unreachable not supported")`);
    }
    // (an ip or ip6 table answers in its own family, whatever the rule matched)
    const needs = kind === "icmp" ? "ip" : kind === "icmpv6" ? "ip6" : undefined;
    const family = this.family === "ip" || this.family === "ip6" ? this.family : this.network;
    if (needs !== undefined && family !== undefined && family !== needs) {
      const why = family === this.family ? `the table's family (${this.family})` : this.networkWhy;
      this.refuse(span, `'reject with ${kind}' of ${NETWORK_NAMES[family]} packets (by ${why}): use 'reject with ${needs === "ip" ? "icmpv6" : "icmp"}' or 'icmpx' ("conflicting protocols specified: ip vs ip6")`);
    }
  }
}

/** What a conntrack port lacks where the rule names no transport protocol before it. */
const NAMES_NO_TRANSPORT = "needs the transport protocol from an earlier match ('meta l4proto tcp', 'tcp dport ...', or 'ct protocol tcp' where the address family is known)";

/** `ct [original|reply] proto-src|proto-dst`: a port of the connection's tuple, of whatever transport protocol it has. */
function isCtPort(e: Expr): boolean {
  return e.kind === "ct" && (e.key === "proto-src" || e.key === "proto-dst");
}

/** The first statement of a rule nft refuses by its protocols (see ProtocolContext), in a table of `family`. */
export function ruleRefusal(stmts: readonly Stmt[], family: NftFamily): ProtocolRefusal | undefined {
  const ctx = new ProtocolContext(family);
  for (const s of stmts) {
    const r = ctx.statement(s);
    if (r) return r;
  }
  return undefined;
}
