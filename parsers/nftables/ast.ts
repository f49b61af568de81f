/**
 * The nftables syntax tree: what an nftables ruleset says, before any meaning is given to it.
 *
 * Both readers produce it - the text reader (grammar.ts: `nft list ruleset` output, hand-written
 * files, command files) and the JSON reader (json.ts: `nft -j list ruleset` and JSON command
 * batches) - and one mapper (mapper.ts) turns it into the common model. So the two input forms
 * cannot drift apart in meaning.
 *
 * A ruleset is a flat, ordered list of commands, as nft itself executes it: the block form
 * `table inet f { chain c { ... } }` is read as `add table`, `add chain`, `add rule`... in
 * source order. Defines (`define X = ...`, `$X`) and includes are resolved by the text reader
 * before commands are built; the tree has neither.
 *
 * Values stay as the source spelled them (`ssh`, `10.0.0.0/8` is a prefix node, `established`,
 * `"eth0"`): their meaning depends on what they are compared with, which is the mapper's business.
 */
import type { SourceSpan } from "../../src/model/types.js";

export type NftFamily = "ip" | "ip6" | "inet" | "arp" | "bridge" | "netdev";
export const NFT_FAMILIES: readonly NftFamily[] = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];
/** The chain types nft knows (the kernel's: filter, nat, route). */
export const CHAIN_TYPES: ReadonlySet<string> = new Set(["filter", "nat", "route"]);
/** The hook names nft's readers know, of any family (which family has which: the mapper). */
export const HOOK_NAMES: ReadonlySet<string> = new Set(["prerouting", "input", "forward", "output", "postrouting", "ingress", "egress"]);

/** Table flags (`flags dormant`): nft 1.0.6 knows dormant and owner, nft 1.1 persist too. */
export const TABLE_FLAGS: ReadonlySet<string> = new Set(["dormant", "owner", "persist"]);

export interface TableRef {
  family: NftFamily;
  name: string;
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** A packet field read from a protocol header: `ip saddr`, `tcp dport`, `th dport`, `icmp type`, `ip6 nexthdr`. */
export interface PayloadExpr {
  kind: "payload";
  /** Header: ip, ip6, tcp, udp, udplite, sctp, dccp, th, icmp, icmpv6, ether, vlan, arp, ... */
  protocol: string;
  field: string;
  span: SourceSpan;
}

/** `meta KEY` and the bare keys nft prints without `meta` (iifname, oif, l4proto, mark, ...). */
export interface MetaExpr {
  kind: "meta";
  key: string;
  span: SourceSpan;
}

/** `ct KEY`, `ct original saddr`, `ct reply ip daddr`, ... */
export interface CtExpr {
  kind: "ct";
  key: string;
  direction?: "original" | "reply";
  /** `ct original ip saddr`: the address family named between direction and key. */
  family?: "ip" | "ip6";
  span: SourceSpan;
}

/** `fib saddr . iif oif`, `fib daddr type`: flags are the inputs, result the output. */
export interface FibExpr {
  kind: "fib";
  flags: string[];
  result: string;
  span: SourceSpan;
}

/** A literal as written: number, name, address, interface name, ct state, icmp type, `$`-free. */
export interface ValueExpr {
  kind: "value";
  text: string;
  /** Written in double quotes (interface names, comments), or a JSON string: never a keyword. */
  quoted?: boolean;
  span: SourceSpan;
}

/** `10.0.0.0/8`, `2001:db8::/32`. */
export interface PrefixExpr {
  kind: "prefix";
  addr: string;
  length: number;
  span: SourceSpan;
}

/** `1024-65535`, `10.0.0.1-10.0.0.9`. */
export interface RangeExpr {
  kind: "range";
  low: Expr;
  high: Expr;
  span: SourceSpan;
}

/** Comma list without braces, as in `ct state established,related` or `tcp flags syn,ack`. */
export interface ListExpr {
  kind: "list";
  items: Expr[];
  span: SourceSpan;
}

/** Anonymous set `{ 22, 80-90, 10.0.0.0/8 }`; with data for anonymous maps and verdict maps. */
export interface SetExpr {
  kind: "set";
  elements: SetElement[];
  span: SourceSpan;
  /** A define whose comma list (no braces) was written into the set: `{ $P }` with `define P = 22,80`. */
  listDefine?: string;
}

/** A named set or map used in a rule: `@trusted`. */
export interface SetRefExpr {
  kind: "setref";
  name: string;
  span: SourceSpan;
}

/** `ip saddr . tcp dport`, and the concatenated element values `10.0.0.1 . 22`. */
export interface ConcatExpr {
  kind: "concat";
  parts: Expr[];
  span: SourceSpan;
}

/** Bit operations: `tcp flags & (syn | ack)`, `ip saddr & 255.255.0.0`, `meta mark & 0xff`. */
export interface BinopExpr {
  kind: "binop";
  op: "&" | "|" | "^" | "<<" | ">>";
  left: Expr;
  right: Expr;
  span: SourceSpan;
}

/** A data lookup `KEY map { k : v, ... }` or `KEY map @name` (used by nat statements, `meta mark set`). */
export interface MapLookupExpr {
  kind: "map";
  key: Expr;
  map: SetExpr | SetRefExpr;
  span: SourceSpan;
}

/** A verdict used as map data (`{ 22 : accept, 80 : jump web }`). */
export interface VerdictExpr {
  kind: "verdict";
  verdict: Verdict;
  span: SourceSpan;
}

/**
 * Anything else the readers recognise as a well-formed expression whose meaning fwlint does not
 * model (exthdr, rt, osf, socket, numgen, jhash, symhash, ipsec, tunnel, ...): kept verbatim so the
 * mapper can make it an Unknown condition with the source text.
 */
export interface OpaqueExpr {
  kind: "opaque";
  /** The expression's leading keyword, e.g. "numgen", "exthdr", "osf". */
  name: string;
  text: string;
  span: SourceSpan;
}

export type Expr =
  | PayloadExpr
  | MetaExpr
  | CtExpr
  | FibExpr
  | ValueExpr
  | PrefixExpr
  | RangeExpr
  | ListExpr
  | SetExpr
  | SetRefExpr
  | ConcatExpr
  | BinopExpr
  | MapLookupExpr
  | VerdictExpr
  | OpaqueExpr;

export interface SetElement {
  key: Expr;
  /** Map data (`k : v`): a value, a concatenation, a verdict. */
  data?: Expr;
  /** Element options as written: timeout, expires, counter, comment. Not modelled; kept for reports. */
  options?: Record<string, string>;
  span: SourceSpan;
}

// ---------------------------------------------------------------------------------------------
// Verdicts and statements

export type Verdict =
  | { kind: "accept" | "drop" | "continue" | "return" }
  /** `queue`, `queue num 3 bypass`: the packet leaves the ruleset for user space. */
  | { kind: "queue"; text: string }
  /** `jump NAME`, `goto NAME`; `jump { ... }` is an anonymous chain with its own rules. */
  | { kind: "jump" | "goto"; target: string; anonymous?: RuleNode[] };

/** A relational match. `implicit` is a match written without an operator (`tcp dport 22`, `tcp flags syn`). */
export type MatchOp = "implicit" | "==" | "!=" | "<" | ">" | "<=" | ">=";

export interface MatchStmt {
  kind: "match";
  left: Expr;
  op: MatchOp;
  right: Expr;
  span: SourceSpan;
}

/**
 * `tcp flags ! fin,syn`, nft's negation of a bitmask (how `nft list ruleset` writes `tcp flags &
 * (fin | syn) == 0`): none of the bits is set. (What nft refuses is told by negationRefusal.)
 */
export function noneOfMatch(left: Expr, bits: Expr, span: SourceSpan): MatchStmt {
  return { kind: "match", left: { kind: "binop", op: "&", left, right: bits, span }, op: "==", right: { kind: "value", text: "0", span }, span };
}

export interface VerdictStmt {
  kind: "verdict";
  verdict: Verdict;
  span: SourceSpan;
}

/** `KEY vmap { k : verdict, ... }` or `KEY vmap @name`. */
export interface VmapStmt {
  kind: "vmap";
  key: Expr;
  map: SetExpr | SetRefExpr;
  span: SourceSpan;
}

/** `reject`, `reject with tcp reset`, `reject with icmpx type admin-prohibited`. */
export interface RejectStmt {
  kind: "reject";
  with?: string;
  span: SourceSpan;
}

/**
 * `dnat [ip|ip6] to ADDR[:PORT]`, `dnat to ip daddr map { ... }`, `dnat ip to ... map @m`,
 * `redirect to :PORT`, `snat to ...`, `masquerade`. The address or port may be any expression
 * (a value, range, prefix, map lookup, concatenation for `dnat to ip daddr . tcp dport map {...}`).
 */
export interface NatStmt {
  kind: "nat";
  type: "dnat" | "snat" | "masquerade" | "redirect";
  /** `dnat ip to`, `snat ip6 to` in inet tables. */
  family?: "ip" | "ip6";
  addr?: Expr;
  port?: Expr;
  /** `persistent`, `random`, `fully-random`, `netmap`, `prefix`. */
  flags?: string[];
  span: SourceSpan;
}

/** `set update ip saddr @blocked`, `add @s { ip saddr }`, `update @s { ... }`, `delete @s { ... }`. */
export interface SetStmt {
  kind: "setop";
  op: "add" | "update" | "delete";
  set: string;
  elem: Expr;
  /** A map's data for the key: `update @m { ip saddr : tcp dport }`. */
  data?: Expr;
  /** Where the element is given a `timeout` (the set must have timeouts). */
  timeout?: SourceSpan;
  /**
   * Statements attached to the element (`limit rate over 3/minute`, `ct count over 2`, `counter`):
   * the kernel runs them on the element, and a filtering one stops the rule like the statement alone.
   */
  effects?: EffectStmt[];
  span: SourceSpan;
}

/**
 * A statement that acts but does not decide (counter, log, `meta mark set`, `ct mark set`, nftrace,
 * notrack, dup, fwd, synproxy, tproxy, flow offload, ...) - `filters` is true for the ones that also
 * stop matching packets they reject (limit, quota, meter, connlimit, `ct count`): the mapper makes
 * those an Unknown condition.
 */
export interface EffectStmt {
  kind: "effect";
  /** Leading keyword: counter, log, limit, quota, meter, notrack, meta, ct, dup, fwd, ... */
  name: string;
  text: string;
  filters: boolean;
  /** A `KEY set VALUE` statement (`meta mark set mark | 0x10`): what it writes, and with what. */
  assign?: { key: Expr; value: Expr };
  /** The named object it uses by a literal name: `counter name "c"`, `ct helper set "ftp"`, `flow add @ft`. */
  object?: { type: ObjectType; name: string };
  /** What picks the named object per packet: `synproxy name ip saddr map { 10.0.0.0/8 : "p" }` (a packet no element holds is passed over). */
  chooser?: Expr;
  /** The type of object `chooser` picks where the statement's name does not tell it (nft JSON's `{"ct helper": {"map": ...}}`, named "ct"). */
  chooses?: ObjectType;
  /** A meter's key (`meter m { tcp dport limit rate over 10/second }`): the rule reads its headers. */
  key?: Expr;
  span: SourceSpan;
}

export interface CommentStmt {
  kind: "comment";
  text: string;
  span: SourceSpan;
}

export type Stmt = MatchStmt | VerdictStmt | VmapStmt | RejectStmt | NatStmt | SetStmt | EffectStmt | CommentStmt;

export interface RuleNode {
  stmts: Stmt[];
  /** `comment "..."` of the rule. */
  comment?: string;
  /** `# handle 7` in `nft -a list` output, or the JSON handle. */
  handle?: number;
  span: SourceSpan;
}

// ---------------------------------------------------------------------------------------------
// Definitions and commands

/** Chain priority as written: a number, or a named priority with an offset (`filter + 10`). */
export interface Priority {
  base: number | string;
  offset: number;
  span: SourceSpan;
}

export interface BaseChainSpec {
  /** filter, nat, route. */
  type: string;
  /** prerouting, input, forward, output, postrouting, ingress, egress. */
  hook: string;
  /** netdev/ingress `device eth0` or `devices = { ... }`. */
  devices?: string[];
  priority: Priority;
  span: SourceSpan;
}

export interface SetDefinition {
  kind: "set" | "map";
  name: string;
  /** `type ipv4_addr . inet_service` -> ["ipv4_addr", "inet_service"]; empty with `typeof`. */
  keyType: string[];
  /** `typeof ip saddr . tcp dport`: the expressions the key is read from. */
  keyTypeof?: Expr[];
  /** Maps only: the data type (`verdict`, `ipv4_addr`, `ipv4_addr . inet_service`, ...). */
  dataType?: string[];
  /** Where each name of keyType, then of dataType, stands (text form; nft JSON has no positions inside an object). */
  typeSpans?: SourceSpan[];
  dataTypeof?: Expr[];
  /** constant, interval, timeout, dynamic. */
  flags: string[];
  elements: SetElement[];
  /** Anything else declared (timeout, size, policy, counter, auto-merge, comment). */
  options: Record<string, string>;
  span: SourceSpan;
}

/**
 * A chain's `policy`: `accept` or `drop`, or `invalid` for another word (reported by the reader; nft
 * refuses the file, so what the chain would do is not known).
 */
export type ChainPolicy = { verdict: "accept" | "drop"; span: SourceSpan } | { verdict: "invalid"; text: string; span: SourceSpan };

export type Command =
  | {
      object: "table";
      op: "add" | "create" | "delete" | "destroy" | "flush";
      table: TableRef;
      /** `flags dormant`, `flags owner,persist`: the table's flags as declared by this command. */
      flags?: string[];
      span: SourceSpan;
    }
  | {
      object: "chain";
      op: "add" | "create" | "delete" | "destroy" | "flush";
      table: TableRef;
      chain: string;
      base?: BaseChainSpec;
      policy?: ChainPolicy;
      span: SourceSpan;
    }
  | {
      object: "rule";
      op: "add" | "insert" | "replace" | "delete" | "destroy";
      table: TableRef;
      chain: string;
      /** `position N` / `handle N` (add/insert place relative to it; replace/delete name it). */
      handle?: number;
      /** `index N`: the rule's position in the chain (0-based). */
      index?: number;
      rule?: RuleNode;
      span: SourceSpan;
    }
  | { object: "set"; op: "add" | "create" | "delete" | "destroy" | "flush"; table: TableRef; name: string; definition?: SetDefinition; span: SourceSpan }
  | { object: "element"; op: "add" | "create" | "delete" | "destroy"; table: TableRef; set: string; elements: SetElement[]; span: SourceSpan }
  | { object: "ruleset"; op: "flush"; family?: NftFamily; span: SourceSpan }
  /**
   * Something valid that changes nothing fwlint analyses (flowtables, stateful objects, ct helpers,
   * `list`, `reset`, `rename`...). The mapper may note it in an info diagnostic.
   */
  /**
   * A named stateful object or flowtable (`counter c { }`, `ct helper h { ... }`, `add quota inet t q
   * { ... }`, `flowtable f { ... }`): rules name it (EffectStmt.object) and nft refuses a rule that
   * names one the table does not have.
   */
  | { object: "obj"; op: "add" | "create" | "delete" | "destroy"; table: TableRef; type: ObjectType; name: string; span: SourceSpan }
  | { object: "other"; what: string; span: SourceSpan };

/** The kinds of named object a rule can refer to. */
export type ObjectType = "counter" | "quota" | "limit" | "ct helper" | "ct timeout" | "ct expectation" | "synproxy" | "secmark" | "flowtable";
export const OBJECT_TYPES: ReadonlySet<string> = new Set<ObjectType>(["counter", "quota", "limit", "ct helper", "ct timeout", "ct expectation", "synproxy", "secmark", "flowtable"]);

/** What a reader returns: the commands in execution order and its own diagnostics. */
export interface NftDocument {
  commands: Command[];
  diagnostics: import("../../src/model/types.js").Diagnostic[];
  /** Files read through `include` (for reports and the pre-commit hook). */
  included: string[];
  /** The included files' lines, by the name their tokens carry (not the top file's). */
  includedLines?: Map<string, string[]>;
  /** Paths and glob patterns (absolute) whose files the includes read or would read once there (include.ts IncludeResolution.watch). */
  includeWatch?: string[];
  /** Read from nft JSON, whose reader (nft -j) takes some things its text reader refuses (see mapNft). */
  json?: true;
}
