/**
 * The common model every parser produces and every analysis reads.
 *
 * It is plain data: a rule's match is a conjunction of declarative conditions over packet
 * fields. Parsers know nothing of packet sets; src/analysis compiles conditions to the exact
 * packet-set algebra in src/space.
 */

export type Family = 4 | 6;

/** Where something came from: 1-based line and column. */
export interface SourceSpan {
  file: string;
  line: number;
  column: number;
  /** The source line's text (without the newline), for reports. */
  text?: string;
  /**
   * How a person tells the place apart when its line holds others too (`nft -j` writes a whole
   * ruleset on one line): "handle 12". Messages name it after the line number (see lineRef).
   */
  label?: string;
}

/** A span's line for messages: "5", or "1 (handle 12)" when the line holds other places too. */
export function lineRef(span: SourceSpan): string {
  return span.label === undefined ? `${span.line}` : `${span.line} (${span.label})`;
}

/** "file:5", or "file:1 (handle 12)" (see lineRef). */
export function placeRef(span: SourceSpan): string {
  return `${span.file}:${lineRef(span)}`;
}

export type DiagnosticSeverity = "error" | "warning" | "info";

export interface Diagnostic {
  severity: DiagnosticSeverity;
  message: string;
  file: string;
  line: number;
  column: number;
  /**
   * An error of fwlint's reading, not of the file: a part it could not read here (an include
   * outside the scanned tree, or not found), which the loader on the firewall may well read, or
   * a reader's internal error.
   */
  unread?: true;
  /**
   * A diagnostic naming what the file does not define (a chain, a set, a table, a variable): what a
   * fragment loaded together with other files has (ufw's before.rules, an nft include, a shell
   * script another one sources).
   */
  unresolved?: true;
}

/** Inclusive integer range. Addresses are bigint (IPv4 fits in 32 bits, IPv6 in 128). */
export interface AddrRange {
  lo: bigint;
  hi: bigint;
}
export type PortRange = [number, number];

export type CtState = "new" | "established" | "related" | "invalid" | "untracked";
export const CT_STATES: readonly CtState[] = ["new", "established", "related", "invalid", "untracked"];

/**
 * One constraint on a packet. A rule matches when all its conditions hold.
 * `negate` inverts the single condition (iptables `!`).
 */
export type Condition =
  | { kind: "family"; family: Family }
  /** IP protocol numbers (6 tcp, 17 udp, 1 icmp, 58 icmpv6 ...). */
  | { kind: "proto"; protos: number[]; negate?: boolean }
  /** Source or destination address in any of the ranges (of the given family). */
  | { kind: "addr"; field: "src" | "dst"; family: Family; ranges: AddrRange[]; negate?: boolean }
  /** Port in any of the ranges. Implies a protocol that has ports; combine with a proto condition. */
  | { kind: "port"; field: "sport" | "dport"; ranges: PortRange[]; negate?: boolean }
  /** ICMP (family 4) or ICMPv6 (family 6) type, optionally with a code range; type undefined = any type. */
  | { kind: "icmp"; family: Family; type?: number; codeLo?: number; codeHi?: number; negate?: boolean }
  /** Interface name; `prefix` for iptables `eth+` (matches every name starting with `name`). */
  | { kind: "iface"; field: "iif" | "oif"; name: string; prefix: boolean; negate?: boolean }
  | { kind: "ctstate"; states: CtState[]; negate?: boolean }
  /** TCP flags: (flags & mask) == comp. */
  | { kind: "tcpflags"; mask: number; comp: number; negate?: boolean }
  /**
   * The IPv4 TTL or IPv6 hop limit (iptables -m ttl / -m hl, nft `ip ttl`, `ip6 hoplimit`) in any of
   * the ranges, as the chain sees it: on the forward path the kernel has taken one off before the
   * FORWARD hook (see compile.ts). Combine with a family condition where the format implies one.
   */
  | { kind: "ttl"; ranges: [number, number][]; negate?: boolean }
  /** iptables -f: second and later fragments. fwlint models unfragmented packets and first fragments. */
  | { kind: "fragment"; negate?: boolean }
  /** Any one of the alternatives (each a conjunction) holds, e.g. multiport --ports. */
  | { kind: "or"; anyOf: Condition[][]; negate?: boolean }
  /**
   * The destination is an address of this host (iptables `-m addrtype --dst-type LOCAL`, nft
   * `fib daddr type local`). Host addresses are not in the ruleset, so the analysis decides it
   * per path: true for every packet delivered to the host (inbound), false once a packet has been
   * routed through (forward, after PREROUTING), unknown before routing on the forward path
   * (a published port's public address is local until DNAT rewrites it).
   */
  | { kind: "local-dst"; text: string; negate?: boolean }
  /**
   * The connection's destination was rewritten by destination NAT (nft `ct status dnat`): decided
   * per packet from the DNAT and REDIRECT rules on its own path so far (the usual port-forwarding
   * pair is a DNAT in prerouting and `ct status dnat accept` in forward).
   */
  | { kind: "ct-dnat"; text: string; negate?: boolean }
  /**
   * The packet mark (iptables `-m mark --mark V/M`, nft `meta mark`): (mark & mask) is one of
   * `values`. Decided per packet from the marks rules set on its own path (see Rule.setMark).
   */
  | { kind: "mark"; mask: number; values: number[]; text: string; negate?: boolean }
  /**
   * Something the format can express but fwlint does not model (rate limits, marks, ipsets,
   * time, owner, ...). Analysis treats it soundly: the packet may or may not match.
   */
  | {
      kind: "unknown";
      text: string;
      reason: string;
      /**
       * Which packets match is drawn anew for each packet or connection - a random number, a
       * counter, a hash of the packet (iptables `-m statistic`, nft `numgen`, `jhash`, `symhash`) -
       * or decided by how much the sender sends (a rate, quota or connection count limit: under it
       * with a first connection, over it with many): over many connections both outcomes happen.
       * A load balancer's endpoints are picked so.
       */
      drawn?: true;
      /**
       * Its value for ordinary traffic: a unicast packet to one address of the host or through
       * it, whose source routes back through the interface it arrived on (not spoofed), with no
       * IPv6 extension header, its source's first connection on a host no other traffic loads -
       * the connections strangers open, and that every reachability question is about. Set for
       * the tests of how the kernel classifies a packet (nft `meta pkttype`, `fib saddr . iif oif
       * missing`, `fib daddr type broadcast`, `rt type 0`; iptables `-m rpfilter`, `-m pkttype`,
       * `-m addrtype`, `-m rt`), for limits (with `drawn`: the value of that first connection) and
       * for lists only something outside the ruleset fills (`-m recent` with no `--set`), where
       * that tells the answer; unset where it does not.
       */
      ordinary?: boolean;
    };

/**
 * A change to the packet mark: the new mark is (mark & and) ^ xor, which covers iptables MARK's
 * --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark and nft's `meta mark set`;
 * "unknown" when it comes from outside the ruleset (the connection's mark, a map, a hash).
 */
export type MarkRewrite = { and: number; xor: number } | "unknown";

/** What a NAT target rewrites. Absent fields are unchanged. */
export interface NatRewrite {
  /** Address range chosen from (single address when lo == hi), or mapped onto (see `map`). */
  addr?: AddrRange;
  ports?: PortRange;
  family?: Family;
  /**
   * `addr` is not a choice but a 1:1 mapping, each address keeping its place:
   * - offset: the address `from + k` becomes `addr.lo + k` (static NAT of a subnet or range onto
   *   one of the same size: ASA, JunOS `static-nat prefix`, IOS `static network`);
   * - prefix: the host bits are kept and the network bits become addr's, `addr` being an aligned
   *   block of 2^n addresses (iptables NETMAP).
   */
  map?: { kind: "offset"; from: bigint } | { kind: "prefix" };
  /**
   * The port is drawn at random from `ports` even when the packet's is inside it (iptables
   * `--random`, nft `random` / `fully-random`); otherwise a DNAT keeps a port already in the range.
   */
  randomPort?: true;
}

export type Action =
  | { kind: "accept" }
  | { kind: "drop" }
  | { kind: "reject"; with?: string }
  | { kind: "return" }
  | { kind: "jump"; chain: string }
  | { kind: "goto"; chain: string }
  /** Non-terminating: LOG, NFLOG, MARK, counters ... evaluation goes on with the next rule. */
  | { kind: "continue"; target: string }
  /** Destination NAT (DNAT, REDIRECT): terminates the nat chain; the packet goes on rewritten. */
  | { kind: "dnat"; to: NatRewrite; target: string }
  /** Source NAT (SNAT, MASQUERADE): terminates the nat chain; does not change filtering. */
  | { kind: "snat"; to: NatRewrite; target: string }
  /** A terminating target fwlint does not model exactly (QUEUE, NFQUEUE with bypass ...). */
  | { kind: "unknown"; target: string };

export interface Rule {
  /** Stable identifier inside the ruleset, e.g. "filter/INPUT#3". */
  id: string;
  conditions: Condition[];
  action: Action;
  span: SourceSpan;
  /** Free-text comment attached in the source (iptables -m comment). */
  comment?: string;
  /**
   * The element of a map it stands for, when one statement became a rule per element (nft
   * `tcp dport vmap { 22 : accept, 25 : drop }`): "22", as written. Messages name it.
   */
  element?: string;
  /**
   * The packet mark the rule sets on the packets it matches, before its action (iptables MARK,
   * CONNMARK --restore-mark; nft `meta mark set` in a rule that may also decide).
   */
  setMark?: MarkRewrite;
  /**
   * Named sets the rule looks a packet up in that hold no element (nft `tcp dport @ports` with an
   * empty `set ports`): why it matches nothing, for messages.
   */
  emptySets?: string[];
  /**
   * It writes a log entry for the packets it matches, before its verdict (nft `log prefix "x"
   * drop`): not redundant where others would give its verdict, as removing it loses the log.
   */
  logs?: true;
  /**
   * Not written in the source: the model's reading of a declaration (the devices of a netdev
   * chain, an access list's implicit deny, flow mode's pass for established sessions). Rule
   * anomaly checks do not report it, nor blame another rule on it: the user cannot move it.
   */
  implied?: true;
}

export interface Chain {
  name: string;
  /** Table (iptables), table+family (nft), ACL name (vendors). */
  table: string;
  rules: Rule[];
  /** Built-in/base chains: verdict when a packet falls off the end; user chains return to the caller. */
  policy?: "accept" | "drop";
  /** Where the policy is declared (the `:INPUT DROP [0:0]` line). */
  policySpan?: SourceSpan;
  span: SourceSpan;
  /**
   * Written inside the rule that jumps to it (nft `jump { ... }`): part of that rule, with no name
   * of its own ("{ ... } of line 8" is fwlint's), whether it runs is that rule's.
   */
  anonymous?: true;
  /**
   * Made by the tool that loads the ruleset, not declared by its author (ufw's ufw-* chains): one
   * that nothing enters is that tool's business, not a finding.
   */
  implied?: true;
  /**
   * What the device's own configuration calls this chain, for messages ("access-list OUTSIDE_IN",
   * "firewall family inet filter EDGE", "security policies from-zone trust to-zone untrust");
   * without it a message says "chain NAME".
   */
  label?: string;
  /**
   * What an ACCEPT policy means on this device, as a sentence's subject and verb ("the security
   * policies' default-policy is permit-all", "an interface with no input filter (family inet)
   * accepts what arrives"); without it a message says "NAME policy is ACCEPT".
   */
  acceptText?: string;
  /**
   * A vendor list (an access-list, a filter): what would apply it and how many entries it holds,
   * for the finding about one nothing applies (IOS: "no interface binds it with ip access-group").
   */
  applied?: {
    by: string;
    entries: number;
    /** What an entry is called, one and many (default entry, entries). */
    unit?: [string, string];
    /** The file is a fragment (no interfaces): what applies the list is not in it, so nothing is reported. */
    elsewhere?: true;
  };
}

export type PipelineKind = "inbound" | "forward" | "outbound";

/** One base chain a pipeline runs, in order. Nat stages may rewrite (dstnat before routing). */
export interface Stage {
  /** Chain name key into Ruleset.chains (table-qualified, e.g. "filter/INPUT"). */
  chain: string;
  /** "dstnat" stages see only NEW packets and may rewrite the destination. */
  role: "filter" | "dstnat" | "srcnat" | "mangle" | "raw";
  /**
   * The chain runs before the routing decision (PREROUTING, nft prerouting and ingress hooks):
   * whether the packet is addressed to this host is not yet told by the path it takes.
   */
  beforeRouting?: true;
  /**
   * The chain runs on nft's postrouting hook, after the path's own filter hook: a filter chain
   * there that cannot drop (DSCP marking, MSS clamping) decides nothing, as a mangle chain does.
   */
  postRouting?: true;
}

export interface Pipeline {
  kind: PipelineKind;
  family: Family;
  stages: Stage[];
}

export interface Ruleset {
  format: string;
  file: string;
  /** Families the ruleset speaks for (iptables-save: [4]; ip6tables-save: [6]; nft inet: [4, 6]). */
  families: Family[];
  /** Chains by table-qualified key, e.g. "filter/INPUT", "nat/PREROUTING". */
  chains: Map<string, Chain>;
  pipelines: Pipeline[];
  diagnostics: Diagnostic[];
  /** Number of rules in the source (for the JSON report). */
  ruleCount: number;
  /** Files read through the ruleset's includes (nft `include`): absolute, or relative to the working folder as the file's own path is. */
  includedFiles?: string[];
  /** The lines of each included file, by the name its locations give it (a finding's source line). */
  includedLines?: ReadonlyMap<string, readonly string[]>;
  /**
   * The same file as it stands for other hosts, where it differs (an Ansible template rendered for
   * each host of its play): each is checked too, and what it alone is found to open is reported at
   * the same places, labelled with it.
   */
  variants?: { label: string; ruleset: Ruleset }[];
  /**
   * The program that loads the included files, when it is not the ruleset's own loader, and what
   * they hold: an iptables ruleset's ipset files, loaded by `ipset restore`, hold sets.
   */
  includedLoader?: { program: string; holds: string };
  /**
   * Absolute paths and glob patterns (`/etc/nftables.d/*.nft`) whose files the includes read, or
   * would read once there: a file created or removed there changes the ruleset (the review watches them).
   */
  includeWatch?: readonly string[];
  /**
   * Interfaces the device itself says face the Internet (vendor formats: ASA's lowest security
   * level, an SRX zone named untrust, ...). `.fwlint.yaml` `internet:` overrides it; absent means
   * every interface but loopback, container/VM bridges and overlay VPN tunnels (regions.ts).
   */
  internetInterfaces?: string[];
  /**
   * Interfaces the tool that wrote the ruleset puts on trusted networks, when it says which face
   * the Internet only by exception (firewalld: those of its trusted, home, work and internal zones;
   * every other interface is in a zone for untrusted networks or falls to the default one). With no
   * internetInterfaces, every interface but these (and loopback and container/VM bridges) faces
   * the Internet. `.fwlint.yaml` `internet:` overrides it.
   */
  internalInterfaces?: string[];
  /**
   * internetInterfaces or internalInterfaces come from zones the tool that wrote a host's ruleset
   * assigned (firewalld, OpenWrt's fw4), as a device's own interfaces do: what the Internet sends
   * back out of an Internet-facing interface reaches nothing behind the host.
   */
  zonedInterfaces?: true;
  /**
   * Every interface of the device, when the configuration declares them all (vendor formats: an
   * ASA's nameifs, a router's interfaces, an SRX's units): packets enter and leave on these only.
   * Absent: on any name (a Linux host's interfaces are not in its ruleset).
   */
  interfaces?: string[];
  /**
   * The subnets of the device's own interfaces, when the configuration shows them (vendor
   * formats): the networks directly behind it, which a packet reaches through that interface only
   * (src/model/routing.ts), and which are not "the Internet" whatever their addresses.
   */
  connected?: ConnectedSubnets[];
  /**
   * Per interface and family, the destinations the device's routes send out of it: its connected
   * subnets, and its static routes where the file has them all (src/model/routing.ts). What no
   * interface is listed for, the file does not tell. `fwlint trace` takes a forward packet's egress
   * interface from it when none is given.
   */
  routed?: ConnectedSubnets[];
  /**
   * Management services the device itself runs on the inbound path, when its configuration turns
   * them on: its web UI (ASA ASDM, the IOS HTTP server, JunOS J-Web). What reaches them is a way
   * into the device, not a web server: the exposure check reports them as such.
   */
  deviceServices?: DeviceService[];
  /**
   * Interfaces that each stand for hosts of their own, analysed apart, whose rules are their own: an
   * AWS security group or network ACL, whose packets arrive on (leave by) its name. An opening is
   * reported once per such interface it reaches - each at its own rule - not once for them all.
   * (Not the readers that copy one rule to several targets, GCP and Azure: the same rule would be
   * told once per target.)
   */
  hosts?: string[];
  /** What `hosts` are, in the plural, for messages: "security groups", "network ACLs". */
  hostsKind?: string;
}

/** A management service of the device (see Ruleset.deviceServices). */
export interface DeviceService {
  /** Stable id, reported as the finding's `exposure.service` ("asdm", "ios-http-server", "j-web"). */
  id: string;
  /** For messages: "ASDM (ASA web management)". */
  name: string;
  protocol: 6;
  /** Destination ports it listens on. */
  ports: [number, number][];
  /** Only on these interfaces (JunOS `web-management ... interface`); absent: on every interface. */
  interfaces?: string[];
  /** The line that turns it on. */
  span: SourceSpan;
}

/** An interface's connected subnets in one family. */
export interface ConnectedSubnets {
  iface: string;
  family: Family;
  ranges: AddrRange[];
}

export function chainKey(table: string, chain: string): string {
  return `${table}/${chain}`;
}
