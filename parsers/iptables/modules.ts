/**
 * What iptables 1.8.9 knows: match modules and target extensions with their options
 * (from `iptables -m NAME -h`, `iptables -j NAME -h` and iptables-extensions(8)), the tables and
 * built-in chains. Every option has its argument count (none, one, two: NO_ARGUMENT), but for the
 * few whose argument is optional and the options of xtables-addons, which take whatever follows.
 */
import type { Family } from "../../src/model/types.js";
import { nameTable } from "../../src/model/name-table.js";

export interface OptSpec {
  min: number;
  max: number;
  negatable: boolean;
}

const ANY_ARGS: OptSpec = { min: 0, max: Infinity, negatable: true };
const one = (negatable = true): OptSpec => ({ min: 1, max: 1, negatable });
const none = (negatable = true): OptSpec => ({ min: 0, max: 0, negatable });
const two = (negatable = true): OptSpec => ({ min: 2, max: 2, negatable });

export interface ModuleSpec {
  name: string;
  /** Only loadable in this family (icmp, ttl: 4; icmp6, hl, rt, frag: 6). */
  family?: Family;
  /** Option name (with `--`) -> spec. null: not listed, any option is taken. */
  options: Record<string, OptSpec> | null;
  /** Alias option name -> canonical name. */
  aliases?: Record<string, string>;
  /** The kernel refuses the match unless `-p` is one of these (not negated). */
  protos?: number[];
  /** Built-in chains (hooks) the kernel accepts it in. */
  hooks?: string[];
  /** Tables the kernel accepts it in. */
  tables?: string[];
  /** iptables refuses the match without one of these options (true: without any option). */
  needs?: string[] | true;
  /** Per option, what iptables says of arguments it refuses (undefined: it takes them). */
  check?: Record<string, (args: readonly string[]) => string | undefined>;
}

/** `--pkt-type`: a link-layer class by name, as iptables 1.8.9 reads it (any case; each checked with iptables-restore --test). */
const PKT_TYPES: ReadonlySet<string> = new Set(["unicast", "broadcast", "multicast", "host", "otherhost"]);
/** `--src-type`, `--dst-type`: address types, comma-separated, as iptables reads them (any case). */
const ADDR_TYPES: ReadonlySet<string> = new Set([
  "UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE",
]);
const addrTypes = (args: readonly string[]) => {
  const bad = (args[0] ?? "").split(",").find((t) => !ADDR_TYPES.has(t.toUpperCase()));
  return bad === undefined ? undefined : `addrtype: bad type "${bad}"`;
};

/**
 * Options of the match modules and targets kept whole that take no argument (iptables-extensions(8),
 * each module's and target's help); the others take one, those of TWO_ARGUMENTS two, and those of
 * ANY_ARGUMENTS (an optional argument) whatever follows. A word more is refused by iptables-restore
 * ("Bad argument"), one missing too.
 */
const NO_ARGUMENT: Readonly<Record<string, readonly string[]>> = nameTable({
  addrtype: ["limit-iface-in", "limit-iface-out"],
  ah: ["ahres"],
  connlabel: ["set"],
  connlimit: ["connlimit-saddr", "connlimit-daddr"],
  ecn: ["ecn-tcp-cwr", "ecn-tcp-ece"],
  frag: ["fragres", "fragfirst", "fragmore", "fraglast"],
  hashlimit: ["hashlimit-rate-match"],
  ipcomp: ["compres"],
  ipv6header: ["soft"],
  ipvs: ["ipvs"],
  owner: ["socket-exists", "suppl-groups"],
  physdev: ["physdev-is-in", "physdev-is-out", "physdev-is-bridged"],
  policy: ["strict", "next"],
  recent: ["set", "rsource", "rdest", "rcheck", "update", "remove", "reap", "rttl"],
  rpfilter: ["loose", "validmark", "accept-local", "invert"],
  rt: ["rt-0-res", "rt-0-not-strict"],
  socket: ["transparent", "nowildcard", "restore-skmark"],
  string: ["icase"],
  time: ["contiguous", "kerneltz", "localtz", "utc"],
  NFQUEUE: ["queue-bypass", "queue-cpu-fanout"],
  CONNMARK: ["save-mark", "restore-mark"],
  TCPMSS: ["clamp-mss-to-pmtu"],
  CT: ["notrack"],
  SET: ["exist", "map-mark", "map-prio", "map-queue"],
  CHECKSUM: ["checksum-fill"],
  CONNSECMARK: ["save", "restore"],
  ECN: ["ecn-tcp-remove"],
  IDLETIMER: ["alarm"],
  LED: ["led-always-blink"],
  CLUSTERIP: ["new"],
  SYNPROXY: ["timestamp", "sack-perm", "ecn"],
});
const TWO_ARGUMENTS: Readonly<Record<string, readonly string[]>> = nameTable({ SET: ["add-set", "del-set", "map-set"] });
/** Options with an optional argument (libxt_rateest's --rateest-bps, ...): whatever follows. */
const ANY_ARGUMENTS: ReadonlySet<string> = new Set(["rateest"]);

/** The argument count of option `--opt` of module or target `owner` (NO_ARGUMENT). */
function arity(owner: string, opt: string): OptSpec {
  if (ANY_ARGUMENTS.has(owner)) return ANY_ARGS;
  if (NO_ARGUMENT[owner]?.includes(opt)) return none();
  return TWO_ARGUMENTS[owner]?.includes(opt) ? two() : one();
}

function opaque(name: string, opts: string[], family?: Family): ModuleSpec {
  const options: Record<string, OptSpec> = {};
  for (const o of opts) options[`--${o}`] = arity(name, o);
  return family ? { name, family, options } : { name, options };
}

const PORT_ALIASES = { "--source-port": "--sport", "--destination-port": "--dport" };

/** Match modules whose options fwlint turns into conditions (exact arity). */
const MODELLED: ModuleSpec[] = [
  {
    name: "tcp",
    protos: [6],
    options: { "--sport": one(), "--dport": one(), "--tcp-flags": two(), "--syn": none(), "--tcp-option": one() },
    aliases: PORT_ALIASES,
  },
  { name: "udp", protos: [17], options: { "--sport": one(), "--dport": one() }, aliases: PORT_ALIASES },
  {
    name: "sctp",
    protos: [132],
    options: { "--sport": one(), "--dport": one(), "--chunk-types": { min: 2, max: 3, negatable: true } },
    aliases: PORT_ALIASES,
  },
  {
    name: "dccp",
    protos: [33],
    options: { "--sport": one(), "--dport": one(), "--dccp-types": one(), "--dccp-option": one() },
    aliases: PORT_ALIASES,
  },
  { name: "icmp", family: 4, protos: [1], options: { "--icmp-type": one() }, needs: ["--icmp-type"] },
  { name: "icmp6", family: 6, protos: [58], options: { "--icmpv6-type": one() }, needs: ["--icmpv6-type"] },
  {
    name: "multiport",
    protos: [6, 17, 33, 132, 136],
    options: { "--sports": one(), "--dports": one(), "--ports": one() },
    aliases: { "--source-ports": "--sports", "--destination-ports": "--dports" },
    needs: true,
  },
  {
    name: "conntrack",
    options: {
      "--ctstate": one(),
      "--ctproto": one(),
      "--ctorigsrc": one(),
      "--ctorigdst": one(),
      "--ctreplsrc": one(),
      "--ctrepldst": one(),
      "--ctorigsrcport": one(),
      "--ctorigdstport": one(),
      "--ctreplsrcport": one(),
      "--ctrepldstport": one(),
      "--ctstatus": one(),
      "--ctexpire": one(),
      "--ctdir": one(false),
    },
    needs: true,
  },
  { name: "state", options: { "--state": one() }, needs: ["--state"] },
  { name: "mark", options: { "--mark": one() }, needs: ["--mark"] },
  // TTL / hop limit: exactly one of the three; only the equality can be negated (libxt_ttl, libxt_hl)
  { name: "ttl", family: 4, options: { "--ttl-eq": one(), "--ttl-lt": one(false), "--ttl-gt": one(false) }, needs: ["--ttl-eq", "--ttl-lt", "--ttl-gt"] },
  { name: "hl", family: 6, options: { "--hl-eq": one(), "--hl-lt": one(false), "--hl-gt": one(false) }, needs: ["--hl-eq", "--hl-lt", "--hl-gt"] },
  { name: "iprange", options: { "--src-range": one(), "--dst-range": one() }, needs: true },
  { name: "comment", options: { "--comment": one(false) }, needs: ["--comment"] },
  { name: "mac", options: { "--mac-source": one() }, hooks: ["PREROUTING", "INPUT", "FORWARD"], needs: ["--mac-source"] },
  {
    name: "set",
    options: {
      "--match-set": two(),
      "--set": two(),
      "--return-nomatch": none(false),
      "--update-counters": none(),
      "--update-subcounters": none(),
      "--packets-eq": one(),
      "--packets-lt": one(false),
      "--packets-gt": one(false),
      "--bytes-eq": one(),
      "--bytes-lt": one(false),
      "--bytes-gt": one(false),
    },
    needs: ["--match-set", "--set"],
  },
];

/** Match modules kept whole as one `unknown` condition. */
const OPAQUE: ModuleSpec[] = [
  { ...opaque("addrtype", ["src-type", "dst-type", "limit-iface-in", "limit-iface-out"]), needs: ["--src-type", "--dst-type"], check: { "--src-type": addrTypes, "--dst-type": addrTypes } },
  opaque("ah", ["ahspi", "ahlen", "ahres"]),
  opaque("bpf", ["bytecode", "object-pinned"]),
  opaque("cgroup", ["cgroup", "path"]),
  opaque("cluster", ["cluster-total-nodes", "cluster-local-node", "cluster-local-nodemask", "cluster-hash-seed"]),
  opaque("connbytes", ["connbytes", "connbytes-dir", "connbytes-mode"]),
  opaque("connlabel", ["label", "set"]),
  opaque("connlimit", ["connlimit-upto", "connlimit-above", "connlimit-mask", "connlimit-saddr", "connlimit-daddr"]),
  opaque("connmark", ["mark"]),
  opaque("cpu", ["cpu"]),
  opaque("devgroup", ["src-group", "dst-group"]),
  opaque("dscp", ["dscp", "dscp-class"]),
  opaque("dst", ["dst-len", "dst-opts"], 6),
  opaque("ecn", ["ecn-tcp-cwr", "ecn-tcp-ece", "ecn-ip-ect"]),
  opaque("esp", ["espspi"]),
  opaque("eui64", [], 6),
  opaque("frag", ["fragid", "fraglen", "fragres", "fragfirst", "fragmore", "fraglast"], 6),
  opaque("hashlimit", [
    "hashlimit",
    "hashlimit-upto",
    "hashlimit-above",
    "hashlimit-burst",
    "hashlimit-mode",
    "hashlimit-srcmask",
    "hashlimit-dstmask",
    "hashlimit-name",
    "hashlimit-htable-size",
    "hashlimit-htable-max",
    "hashlimit-htable-expire",
    "hashlimit-htable-gcinterval",
    "hashlimit-rate-match",
    "hashlimit-rate-interval",
  ]),
  opaque("hbh", ["hbh-len", "hbh-opts"], 6),
  opaque("helper", ["helper"]),
  opaque("ipcomp", ["ipcompspi", "compres"]),
  opaque("ipv6header", ["header", "soft"], 6),
  opaque("ipvs", ["ipvs", "vproto", "vaddr", "vport", "vdir", "vmethod", "vportctl"]),
  opaque("length", ["length"]),
  opaque("limit", ["limit", "limit-burst"]),
  opaque("mh", ["mh-type"], 6),
  opaque("nfacct", ["nfacct-name"]),
  opaque("osf", ["genre", "ttl", "log"]),
  { ...opaque("owner", ["uid-owner", "gid-owner", "socket-exists", "suppl-groups"]), hooks: ["OUTPUT", "POSTROUTING"] },
  opaque("physdev", ["physdev-in", "physdev-out", "physdev-is-in", "physdev-is-out", "physdev-is-bridged"]),
  {
    ...opaque("pkttype", ["pkt-type"]),
    needs: ["--pkt-type"],
    check: { "--pkt-type": (args) => (PKT_TYPES.has((args[0] ?? "").toLowerCase()) ? undefined : `Bad packet type '${args[0] ?? ""}'`) },
  },
  opaque("policy", ["dir", "pol", "strict", "reqid", "spi", "proto", "mode", "tunnel-src", "tunnel-dst", "next"]),
  opaque("quota", ["quota"]),
  opaque("rateest", [
    "rateest",
    "rateest1",
    "rateest2",
    "rateest-delta",
    "rateest-bps",
    "rateest-pps",
    "rateest-bps1",
    "rateest-bps2",
    "rateest-pps1",
    "rateest-pps2",
    "rateest-lt",
    "rateest-gt",
    "rateest-eq",
  ]),
  opaque("realm", ["realm"], 4),
  opaque("recent", ["name", "set", "rsource", "rdest", "mask", "rcheck", "update", "remove", "seconds", "reap", "hitcount", "rttl"]),
  { ...opaque("rpfilter", ["loose", "validmark", "accept-local", "invert"]), hooks: ["PREROUTING"], tables: ["raw", "mangle"] },
  opaque("rt", ["rt-type", "rt-segsleft", "rt-len", "rt-0-res", "rt-0-addrs", "rt-0-not-strict"], 6),
  opaque("socket", ["transparent", "nowildcard", "restore-skmark"]),
  opaque(
    "srh",
    [
      "srh-next-hdr",
      "srh-hdr-len-eq",
      "srh-hdr-len-gt",
      "srh-hdr-len-lt",
      "srh-segs-left-eq",
      "srh-segs-left-gt",
      "srh-segs-left-lt",
      "srh-last-entry-eq",
      "srh-last-entry-gt",
      "srh-last-entry-lt",
      "srh-tag",
      "srh-psid",
      "srh-nsid",
      "srh-lsid",
    ],
    6,
  ),
  opaque("statistic", ["mode", "probability", "every", "packet"]),
  opaque("string", ["algo", "from", "to", "string", "hex-string", "icase"]),
  opaque("tcpmss", ["mss"]),
  opaque("time", ["datestart", "datestop", "timestart", "timestop", "monthdays", "weekdays", "contiguous", "kerneltz", "localtz", "utc"]),
  opaque("tos", ["tos"]),
  opaque("u32", ["u32"]),
  // xtables-addons (not part of iptables, common on distributions): options not listed
  { name: "geoip", options: null },
  { name: "ipp2p", options: null },
  { name: "condition", options: null },
  { name: "account", options: null },
  { name: "psd", options: null },
  { name: "pknock", options: null },
  { name: "quota2", options: null },
  { name: "lscan", options: null },
  { name: "fuzzy", options: null },
  { name: "iface", options: null },
  { name: "ipv4options", options: null },
  { name: "dhcpmac", options: null },
  { name: "gradm", options: null },
  { name: "length2", options: null },
];

export type MatchSpec = ModuleSpec & { modelled: boolean };

/** Other names iptables loads a match module by (`-m icmpv6` is libip6t_icmp6). */
export const MATCH_ALIASES: Readonly<Record<string, string>> = nameTable({ icmpv6: "icmp6" });

export const MATCHES: ReadonlyMap<string, MatchSpec> = new Map<string, MatchSpec>([
  ...MODELLED.map((m): [string, MatchSpec] => [m.name, { ...m, modelled: true }]),
  ...OPAQUE.map((m): [string, MatchSpec] => [m.name, { ...m, modelled: false }]),
]);

/** An option of a module by any of its names, or undefined. */
export function moduleOption(spec: ModuleSpec, name: string): { canonical: string; spec: OptSpec } | undefined {
  if (spec.options === null) return name.startsWith("--") ? { canonical: name, spec: ANY_ARGS } : undefined;
  const canonical = spec.aliases?.[name] ?? name;
  const s = spec.options[canonical];
  return s ? { canonical, spec: s } : undefined;
}

/** The match module `-p NAME` loads implicitly (iptables' load_proto). */
export function implicitMatchFor(protoName: string, protoNum: number, family: Family): string | undefined {
  if (protoNum === 6) return "tcp";
  if (protoNum === 17) return "udp";
  if (protoNum === 132) return "sctp";
  if (protoNum === 33) return "dccp";
  if (protoNum === 1 && family === 4) return "icmp";
  if (protoNum === 58 && family === 6) return "icmp6";
  void protoName;
  return undefined;
}

export type TargetKind = "accept" | "drop" | "reject" | "return" | "continue" | "dnat" | "snat" | "unknown";

export interface TargetSpec {
  name: string;
  kind: TargetKind;
  family?: Family;
  /** null: options not listed. */
  options: Record<string, OptSpec> | null;
  /** Tables the kernel accepts it in. */
  tables?: string[];
  /** Built-in chains (hooks) the kernel accepts it in. */
  hooks?: string[];
}

function target(name: string, kind: TargetKind, opts: Record<string, OptSpec> | string[] | null, extra: Partial<TargetSpec> = {}): TargetSpec {
  let options: Record<string, OptSpec> | null;
  if (Array.isArray(opts)) {
    options = {};
    for (const o of opts) options[`--${o}`] = arity(name, o);
  } else options = opts;
  return { name, kind, options, ...extra };
}

const NO_OPTS = {};

const TARGET_LIST: TargetSpec[] = [
  target("ACCEPT", "accept", NO_OPTS),
  target("DROP", "drop", NO_OPTS),
  target("RETURN", "return", NO_OPTS),
  target("QUEUE", "unknown", NO_OPTS),
  target("REJECT", "reject", { "--reject-with": one(false) }, { tables: ["filter"], hooks: ["INPUT", "FORWARD", "OUTPUT"] }),
  target("DNAT", "dnat", { "--to-destination": one(false), "--random": none(false), "--persistent": none(false) }, { tables: ["nat"], hooks: ["PREROUTING", "OUTPUT"] }),
  target("REDIRECT", "dnat", { "--to-ports": one(false), "--random": none(false) }, { tables: ["nat"], hooks: ["PREROUTING", "OUTPUT"] }),
  target(
    "SNAT",
    "snat",
    { "--to-source": one(false), "--random": none(false), "--random-fully": none(false), "--persistent": none(false) },
    { tables: ["nat"], hooks: ["POSTROUTING", "INPUT"] },
  ),
  target("MASQUERADE", "snat", { "--to-ports": one(false), "--random": none(false), "--random-fully": none(false) }, { tables: ["nat"], hooks: ["POSTROUTING"] }),
  target("NETMAP", "unknown", ["to"], { tables: ["nat"] }),
  target("NFQUEUE", "unknown", ["queue-num", "queue-balance", "queue-bypass", "queue-cpu-fanout"]),
  target("LOG", "continue", {
    "--log-level": one(false),
    "--log-prefix": one(false),
    "--log-tcp-sequence": none(false),
    "--log-tcp-options": none(false),
    "--log-ip-options": none(false),
    "--log-uid": none(false),
    "--log-macdecode": none(false),
  }),
  target("NFLOG", "continue", ["nflog-group", "nflog-prefix", "nflog-range", "nflog-size", "nflog-threshold"]),
  target("ULOG", "continue", ["ulog-nlgroup", "ulog-prefix", "ulog-cprange", "ulog-qthreshold"], { family: 4 }),
  target("MARK", "continue", ["set-mark", "set-xmark", "and-mark", "or-mark", "xor-mark"]),
  target("CONNMARK", "continue", ["set-mark", "set-xmark", "save-mark", "restore-mark", "and-mark", "or-mark", "xor-mark", "mask", "nfmask", "ctmask"]),
  target("TOS", "continue", ["set-tos", "and-tos", "or-tos", "xor-tos"], { tables: ["mangle"] }),
  target("DSCP", "continue", ["set-dscp", "set-dscp-class"], { tables: ["mangle"] }),
  target("TCPMSS", "continue", ["set-mss", "clamp-mss-to-pmtu"]),
  target("CT", "continue", ["notrack", "helper", "ctevents", "expevents", "zone", "zone-orig", "zone-reply", "timeout"], { tables: ["raw"] }),
  target("NOTRACK", "continue", NO_OPTS, { tables: ["raw"] }),
  target("CLASSIFY", "continue", ["set-class"]),
  // The TTL is a dimension of the packet space that fwlint does not rewrite: what follows is not modelled.
  target("TTL", "unknown", ["ttl-set", "ttl-dec", "ttl-inc"], { family: 4, tables: ["mangle"] }),
  target("HL", "unknown", ["hl-set", "hl-dec", "hl-inc"], { family: 6, tables: ["mangle"] }),
  target("SET", "continue", ["add-set", "del-set", "map-set", "timeout", "exist", "map-mark", "map-prio", "map-queue"]),
  target("TRACE", "continue", NO_OPTS), // raw only with iptables-legacy; iptables-nft takes it anywhere
  target("AUDIT", "continue", ["type"]),
  target("CHECKSUM", "continue", ["checksum-fill"], { tables: ["mangle"] }),
  target("CONNSECMARK", "continue", ["save", "restore"], { tables: ["mangle", "security"] }),
  target("SECMARK", "continue", ["selctx"], { tables: ["mangle", "security"] }),
  target("ECN", "continue", ["ecn-tcp-remove"], { family: 4, tables: ["mangle"] }),
  target("HMARK", "continue", [
    "hmark-tuple",
    "hmark-mod",
    "hmark-offset",
    "hmark-src-prefix",
    "hmark-dst-prefix",
    "hmark-sport-mask",
    "hmark-dport-mask",
    "hmark-spi-mask",
    "hmark-proto-mask",
    "hmark-rnd",
  ]),
  target("IDLETIMER", "continue", ["timeout", "label", "alarm"]),
  target("LED", "continue", ["led-trigger-id", "led-delay", "led-always-blink"]),
  target("RATEEST", "continue", ["rateest-name", "rateest-interval", "rateest-ewmalog"]),
  target("TCPOPTSTRIP", "continue", ["strip-options"], { tables: ["mangle"] }),
  target("TEE", "continue", ["gateway"]),
  target("CLUSTERIP", "continue", ["new", "hashmode", "clustermac", "total-nodes", "local-node", "hash-init"], { family: 4 }),
  target("DNPT", "unknown", ["src-pfx", "dst-pfx"], { family: 6, tables: ["mangle"] }),
  target("SNPT", "unknown", ["src-pfx", "dst-pfx"], { family: 6, tables: ["mangle"] }),
  target("TPROXY", "unknown", ["on-port", "on-ip", "tproxy-mark"], { tables: ["mangle"] }),
  target("SYNPROXY", "unknown", ["mss", "wscale", "timestamp", "sack-perm", "ecn"]),
  // xtables-addons targets (options not listed)
  target("TARPIT", "unknown", null),
  target("DELUDE", "unknown", null),
  target("CHAOS", "unknown", null),
  target("ECHO", "unknown", null),
  target("SYSRQ", "unknown", null),
  target("STEAL", "unknown", null),
  target("RAWDNAT", "unknown", null),
  target("RAWSNAT", "unknown", null),
  target("DNETMAP", "unknown", null),
  target("LOGMARK", "continue", null),
  target("IPMARK", "continue", null),
  target("ACCOUNT", "continue", null),
  target("DHCPMAC", "continue", null),
  target("IPV4OPTSSTRIP", "continue", null),
];

export const TARGETS: ReadonlyMap<string, TargetSpec> = new Map(TARGET_LIST.map((t) => [t.name, t]));

export function targetOption(spec: TargetSpec, name: string): OptSpec | undefined {
  if (spec.options === null) return name.startsWith("--") ? ANY_ARGS : undefined;
  return spec.options[name];
}

export const TABLES: ReadonlyMap<string, readonly string[]> = new Map([
  ["raw", ["PREROUTING", "OUTPUT"]],
  ["mangle", ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]],
  ["nat", ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"]],
  ["filter", ["INPUT", "FORWARD", "OUTPUT"]],
  ["security", ["INPUT", "FORWARD", "OUTPUT"]],
]);

/** REJECT --reject-with values per family; aliases map to the canonical name. */
export const REJECT_WITH: Record<Family, ReadonlyMap<string, string>> = {
  4: new Map([
    ["icmp-net-unreachable", "icmp-net-unreachable"],
    ["net-unreach", "icmp-net-unreachable"],
    ["icmp-host-unreachable", "icmp-host-unreachable"],
    ["host-unreach", "icmp-host-unreachable"],
    ["icmp-proto-unreachable", "icmp-proto-unreachable"],
    ["proto-unreach", "icmp-proto-unreachable"],
    ["icmp-port-unreachable", "icmp-port-unreachable"],
    ["port-unreach", "icmp-port-unreachable"],
    ["icmp-net-prohibited", "icmp-net-prohibited"],
    ["net-prohib", "icmp-net-prohibited"],
    ["icmp-host-prohibited", "icmp-host-prohibited"],
    ["host-prohib", "icmp-host-prohibited"],
    ["tcp-reset", "tcp-reset"],
    ["tcp-rst", "tcp-reset"],
    ["icmp-admin-prohibited", "icmp-admin-prohibited"],
    ["admin-prohib", "icmp-admin-prohibited"],
  ]),
  6: new Map([
    ["icmp6-no-route", "icmp6-no-route"],
    ["no-route", "icmp6-no-route"],
    ["icmp6-adm-prohibited", "icmp6-adm-prohibited"],
    ["adm-prohibited", "icmp6-adm-prohibited"],
    ["icmp6-addr-unreachable", "icmp6-addr-unreachable"],
    ["addr-unreach", "icmp6-addr-unreachable"],
    ["icmp6-port-unreachable", "icmp6-port-unreachable"],
    ["port-unreach", "icmp6-port-unreachable"],
    ["tcp-reset", "tcp-reset"],
    ["icmp6-policy-fail", "icmp6-policy-fail"],
    ["policy-fail", "icmp6-policy-fail"],
    ["icmp6-reject-route", "icmp6-reject-route"],
    ["reject-route", "icmp6-reject-route"],
  ]),
};
