/**
 * What nftables names mean to the text reader: header fields, meta and ct keys, statement
 * options, and how a written value word splits into a range or a prefix. Names only - no
 * meaning is given to values here (that is the mapper's business).
 */
import type { SourceSpan } from "../../src/model/types.js";
import type { Expr, SetDefinition } from "./ast.js";
import { nftInteger } from "./datatypes.js";
import { exprText } from "./expr-text.js";
import { nameTable } from "../../src/model/name-table.js";

const set = (words: string): ReadonlySet<string> => new Set(words.split(/\s+/).filter(Boolean));

/** Fields per header, for `HEADER FIELD` expressions (nft 1.0.x and newer). */
export const PAYLOAD_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = nameTable({
  ip: set("version hdrlength dscp ecn length id frag-off ttl protocol checksum saddr daddr tos option"),
  ip6: set("version dscp ecn flowlabel length nexthdr hoplimit saddr daddr priority"),
  tcp: set("sport dport sequence ackseq doff reserved flags window checksum urgptr option"),
  udp: set("sport dport length checksum"),
  udplite: set("sport dport csumcov checksum"),
  sctp: set("sport dport vtag checksum chunk"),
  dccp: set("sport dport type"),
  th: set("sport dport"),
  icmp: set("type code checksum id sequence gateway mtu"),
  icmpv6: set("type code checksum parameter-problem packet-too-big id sequence max-delay mtu taddr daddr"),
  igmp: set("type mrt checksum group"),
  ah: set("nexthdr hdrlength reserved spi sequence"),
  esp: set("spi sequence"),
  comp: set("nexthdr flags cpi"),
  ether: set("saddr daddr type"),
  vlan: set("id cfi dei pcp type"),
  arp: set("htype ptype hlen plen operation saddr daddr"),
  gre: set("version flags protocol"),
  gretap: set("version flags protocol"),
  geneve: set("vni type"),
  vxlan: set("vni flags"),
  ipip: set("version"),
  ip6ip: set("version"),
});

/** Tunnel headers whose inner packet can be matched: `vxlan ip saddr 1.2.3.4`. */
export const TUNNEL_HEADERS = set("vxlan geneve gre gretap");

/** Sub-objects read as opaque expressions: `tcp option maxseg size`, `ip option ra`, `sctp chunk data flags`. */
export const PAYLOAD_SUBOBJECT: Readonly<Record<string, string>> = nameTable({ tcp: "option", ip: "option", sctp: "chunk" });
/** The names each of PAYLOAD_SUBOBJECT takes (asked of nft 1.0.6 one by one); a tcp option may also be a number. */
export const SUBOBJECT_NAMES: Readonly<Record<string, ReadonlySet<string>>> = nameTable({
  ip: set("lsrr rr ssrr ra"),
  tcp: set("eol nop noop maxseg mss window sack-perm sack-permitted sack sack0 sack1 sack2 sack3 timestamp mptcp fastopen md5sig"),
  sctp: set("data init init-ack sack heartbeat heartbeat-ack abort shutdown shutdown-ack error cookie-echo cookie-ack ecne cwr shutdown-complete asconf-ack forward-tsn asconf"),
});
export const SUBOBJECT_FIELDS = set(
  "kind length size count value left right left0 right0 left1 right1 left2 right2 left3 right3 tsval tsecr type flags " +
    "tsn stream ssn ppid init-tag a-rwnd num-outbound-streams num-inbound-streams initial-tsn cum-tsn-ack num-gap-ack-blocks " +
    "num-dup-tsns cookie-preservative ptr addr ttl subtype",
);

export const META_KEYS = set(
  "length nfproto l4proto protocol priority mark iif iifname iiftype oif oifname oiftype skuid skgid nftrace rtclassid " +
    "ibriport obriport ibridgename obridgename ibrname obrname pkttype cpu iifgroup oifgroup cgroup random secpath ipsec " +
    "iifkind oifkind time day hour secmark sdif sdifname broute ibrpvid ibrvproto ibrhwaddr",
);

export const CT_KEYS = set(
  "state direction status mark expiration helper l3proto saddr daddr protocol proto-src proto-dst label bytes packets avgpkt " +
    "zone event id secmark count timeout expectation",
);
export const FIB_FLAGS = set("saddr daddr mark iif oif");
export const FIB_RESULTS = set("oif oifname type check");

/** The routing expression's keys (`rt [ip|ip6] mtu`: nft 1.0.6's rt_key). */
export const RT_KEYS = set("classid nexthop mtu ipsec");
/** The IPv6 routing header's fields, which `rt` also reads when no ip/ip6 follows it. */
export const ROUTING_HEADER_FIELDS = set("nexthdr hdrlength type seg-left");
/** The IPv6 extension header expressions (nft's exthdr), beside the routing header's `rt FIELD`. */
const EXTHDR_NAMES = set("exthdr frag hbh dst mh srh rt0 rt2 rt4");

/** Does the opaque expression `name` (written `text`) read an IPv6 extension header? */
export function readsExtensionHeader(name: string, text: string): boolean {
  return EXTHDR_NAMES.has(name) || (name === "rt" && ROUTING_HEADER_FIELDS.has(text.split(/\s+/)[1] ?? ""));
}

/**
 * Does the TCP option expression (`tcp option maxseg size`, `tcp option @30,0,8`; nft JSON's
 * `tcp option name maxseg field size`) read a field of the option, rather than ask whether the
 * packet carries it (`tcp option sack-perm`, `... exists`)? A field read breaks off the rule for a
 * packet that is not TCP (the kernel's NFT_BREAK): the rule is for TCP only.
 */
export function readsTcpOptionField(text: string): boolean {
  const words = text.split(/\s+/);
  if (words[2] === "name") return words.includes("field");
  return words.length !== 3 || words[2]!.startsWith("@");
}

/**
 * Does the extension header read `name` (written `text`) only ask whether the packet carries the
 * header - `exthdr frag exists`, nft JSON's exthdr with a name and no field - rather than read a
 * field of it?
 */
export function testsHeaderPresence(name: string, text: string): boolean {
  if (name !== "exthdr") return false;
  const words = text.split(/\s+/);
  return words.length === 2 || (words.length === 3 && words[1] === "name");
}

export const NAT_FLAGS = set("random fully-random persistent netmap");

/** Options each word-option statement takes (first word of each option). */
export const EFFECT_OPTIONS: Readonly<Record<string, ReadonlySet<string>>> = nameTable({
  counter: set("packets bytes name"),
  log: set("prefix level group snaplen queue-threshold flags"),
  limit: set("rate name"),
  quota: set("over until name used"),
  notrack: set(""),
  last: set("used"),
  xt: set("match target watcher"),
  synproxy: set("mss wscale timestamp sack-perm name"),
  queue: set("num bypass fanout flags to"),
  dup: set("to device"),
  fwd: set("to device ip ip6"),
  tproxy: set("to ip ip6"),
});

/**
 * Statements that stop some matching packets (the mapper makes them Unknown conditions). Not
 * synproxy: it answers every SYN it sees itself (and drops an ACK without its cookie), so it
 * decides a packet like a verdict (the mapper makes it an unknown action, as fwd and tproxy).
 */
export const FILTERING_EFFECTS = set("limit quota meter connlimit");

/**
 * Keys of a bitmask type: the only ones nft takes a bare comma list for (`ct state
 * established,related`, one value of bits) and negates with `!`.
 */
export function isBitmaskKey(left: Expr): boolean {
  if (left.kind === "binop") return isBitmaskKey(left.left);
  if (left.kind === "ct") return left.direction === undefined && (left.key === "state" || left.key === "status" || left.key === "label" || left.key === "event");
  return left.kind === "payload" && left.protocol === "tcp" && left.field === "flags";
}
/**
 * Why nft refuses `left ! right`, its negation of a bitmask, or undefined when it takes it: only
 * a bitmask key, and only bits - a value or list, not a set, nor a masked value (`masked`).
 * nft's evaluation says so for both the text and the JSON form.
 */
export function negationRefusal(left: Expr, right: Expr, masked = false): string | undefined {
  if (isBitmaskKey(left) && right.kind !== "set" && !masked) return undefined;
  return `'!' after '${exprText(left)}' negates a bitmask (tcp flags, ct state, ct status, ct label): nft refuses it here ("negation can only be used with singleton bitmask values")`;
}

/** The data types of those keys, as a set's `type` names them. */
const BITMASK_TYPES = set("tcp_flag ct_state ct_status ct_label ct_event");

/** Does a set declared with `type` or `typeof` hold bitmask values (every part of its key)? */
export function isBitmaskSet(def: Pick<SetDefinition, "keyType" | "keyTypeof">): boolean {
  return def.keyTypeof ? def.keyTypeof.every(isBitmaskKey) : def.keyType.every((t) => BITMASK_TYPES.has(t));
}

/** The error for `{ $P }` where `define P = 22,80` and the key is no bitmask (`what`: the key, or a set's type). */
export function listDefineError(name: string, what: string): string {
  return `'$${name}' is a comma list without braces: in a set nft reads it as one value of bits, and ${what} takes no bitmask (nft: "... is not bitmask"); write 'define ${name} = { ... }'`;
}

export const SET_OPTIONS = set("timeout gc-interval size policy auto-merge counter comment quota limit last ct");
export const ELEMENT_OPTIONS = set("timeout expires comment counter quota limit last ct");
/** Element options that are no statement run on the element. */
export const ELEMENT_NON_STATEMENTS = set("timeout expires comment");
/**
 * The statements nft 1.0.6 runs on a set's element (its stateful_stmt; `ct` is `ct count`): the
 * ones a set gives every element, a set statement or a meter runs; the kernel takes at most 2.
 */
export const ELEMENT_STATEMENTS = set("counter quota limit ct");

export const REL_WORDS: Readonly<Record<string, "==" | "!=" | "<" | ">" | "<=" | ">=">> = nameTable({ eq: "==", ne: "!=", lt: "<", gt: ">", le: "<=", ge: ">=" });

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const NUM = /^(?:\d+|0x[0-9a-fA-F]+)$/;

function rangeSide(s: string): boolean {
  return NUM.test(s) || IPV4.test(s) || (s.includes(":") && /^[0-9a-fA-F:.]+$/.test(s));
}

/**
 * A value word as an expression: `10.0.0.0/8` is a prefix (and `65536/16`: nft reads an integer
 * as an address too), `1024-65535` a range, else a value.
 */
export function valueOf(image: string, span: SourceSpan): Expr {
  const slash = image.indexOf("/");
  if (slash > 0 && (image.includes(".") || image.includes(":") || NUM.test(image.slice(0, slash)))) {
    const len = image.slice(slash + 1);
    // the length is a number as nft's scanner reads one: `/010` is /8, `/0x18` /24
    const length = nftInteger(len);
    if (length !== undefined && length <= 999n) return { kind: "prefix", addr: image.slice(0, slash), length: Number(length), span };
  }
  const dash = image.indexOf("-", 1);
  if (dash > 0 && image.indexOf("-", dash + 1) < 0) {
    const lo = image.slice(0, dash);
    const hi = image.slice(dash + 1);
    if (rangeSide(lo) && rangeSide(hi)) {
      return { kind: "range", low: { kind: "value", text: lo, span }, high: { kind: "value", text: hi, span }, span };
    }
  }
  return { kind: "value", text: image, span };
}
