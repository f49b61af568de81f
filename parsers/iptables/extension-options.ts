/**
 * What iptables 1.8.9 and the kernel require of the options of the match modules and targets
 * fwlint does not model: which options a rule must give, which exclude each other, which need
 * another, the range of each value, and the protocols and hooks the kernel takes them in. A rule
 * that breaks one of these makes `iptables-restore` refuse the whole file, so a hand-written ruleset
 * with one would not load at all; fwlint reports it as an error at the option.
 *
 * Each requirement here was checked against this machine's iptables-restore 1.8.9 (nf_tables)
 * loading the rule in a throwaway network namespace, and the upstream test vectors
 * (extensions/*.t) exercise them (test/parsers/iptables/upstream-conformance.test.ts). Where a
 * verdict depends on something outside the ruleset (a connlabel name, an SELinux context) nothing
 * is required.
 */
import type { Family } from "../../src/model/types.js";
import { parseIP } from "../../src/model/address.js";
import type { Pos } from "./ast.js";
import { nameTable } from "../../src/model/name-table.js";

/** An option of the extension as the rule gives it. */
export interface GivenOption {
  name: string;
  negate: boolean;
  args: readonly string[];
  /** The option itself, and each argument. */
  pos: Pos;
  argPos: readonly Pos[];
}

export interface ExtensionContext {
  family: Family;
  table: string;
  chain: string;
  chainIsBuiltin: boolean;
  /** `-p`, when given. */
  proto?: { num: number; negate: boolean };
}

export interface OptionProblem {
  at: Pos;
  message: string;
}

/** Checks an option's arguments: a message saying what was expected, or undefined. */
type ValueCheck = (args: readonly string[], family: Family) => string | undefined;

interface ExtensionRules {
  /** Per option, its arguments (count and values). */
  values?: Record<string, ValueCheck>;
  /** At least one option of each list must be given. */
  required?: readonly (readonly string[])[];
  /** At most one option of each list. */
  exclusive?: readonly (readonly string[])[];
  /** An option given needs one of these given too. */
  requires?: Record<string, readonly string[]>;
  /** Options iptables refuses to negate. */
  notNegatable?: readonly string[];
  /** The kernel takes it only with `-p` one of these (not negated). */
  protos?: readonly number[];
  /** Built-in chains the kernel takes it in. */
  hooks?: readonly string[];
  /** Options may repeat once this one has been given since (policy's --next starts an element). */
  repeatAfter?: string;
  /** What the lists above cannot say. */
  custom?: (opts: readonly GivenOption[], ctx: ExtensionContext) => OptionProblem | undefined;
}

// ---- values ----

const NUMBER = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

/** An unsigned integer as iptables reads one (strtoul, base 0: decimal, 0x hex, 0 octal). */
function parseUint(text: string): bigint | null {
  if (!NUMBER.test(text)) return null;
  if (/^0[xX]/.test(text)) return BigInt(text);
  if (text.length > 1 && text[0] === "0") return BigInt(`0o${text.slice(1)}`);
  return BigInt(text);
}

const U16 = 65535n;
const U32 = 4294967295n;
const U64 = 18446744073709551615n;

function argCount(args: readonly string[], want: number, what: string): string | undefined {
  if (args.length < want) return `expected ${what}`;
  if (args.length > want) return `unexpected '${args[want]}' after ${what}`;
  return undefined;
}

/**
 * A rate as libxt_limit reads one (parse_rate): N, or N/ and a prefix of second, minute, hour or
 * day in any case (`5/m`, `5/MIN`); N as atoi reads it (its leading digits: `5x/s` is 5), not 0,
 * and at most 10,000 per unit ("Rate too fast").
 */
const limitRate: ValueCheck = (args) => {
  const what = "a rate (N/second, N/minute, N/hour, N/day)";
  const n = argCount(args, 1, what);
  if (n) return n;
  const text = args[0]!;
  const slash = text.indexOf("/");
  let perSeconds = 1;
  if (slash >= 0) {
    const unit = text.slice(slash + 1).toLowerCase();
    const hit = unit.length === 0 ? undefined : ([["second", 1], ["minute", 60], ["hour", 3600], ["day", 86400]] as const).find(([u]) => u.startsWith(unit));
    if (!hit) return `expected ${what}, found '${text}' (iptables: bad rate)`;
    perSeconds = hit[1];
  }
  const r = Number(/^\s*\+?(\d*)/.exec(text)![1] || "0");
  if (r === 0) return `expected ${what}, found '${text}' (iptables: bad rate)`;
  if (Math.floor((10000 * perSeconds) / r) === 0) return `'${text}' is faster than iptables' limit takes: at most 10000 per unit (iptables: Rate too fast)`;
  return undefined;
};

const none: ValueCheck = (args) => (args.length > 0 ? `takes no argument, found '${args[0]}'` : undefined);

const word: ValueCheck = (args) => argCount(args, 1, "an argument");

function uint(max: bigint, min = 0n): ValueCheck {
  const what = `a number ${min}-${max}`;
  return (args) => {
    const n = argCount(args, 1, what);
    if (n) return n;
    const v = parseUint(args[0]!);
    return v === null || v < min || v > max ? `expected ${what}, found '${args[0]}'` : undefined;
  };
}

/**
 * `from[:to]` of unsigned numbers up to max (an end left out is 0 or max). A reversed range is
 * refused unless `reversedOk`.
 */
function uintRange(max: bigint, reversedOk: boolean): ValueCheck {
  const what = `a number or range from:to of numbers 0-${max}`;
  return (args) => {
    const n = argCount(args, 1, what);
    if (n) return n;
    const parts = args[0]!.split(":");
    if (parts.length > 2) return `expected ${what}, found '${args[0]}'`;
    const [a, b] = parts.map((p, i) => (p === "" ? (i === 0 ? 0n : max) : parseUint(p)));
    if (a === null || a === undefined || b === null || a > max || (b !== undefined && b > max)) return `expected ${what}, found '${args[0]}'`;
    if (!reversedOk && b !== undefined && a > b) return `the range '${args[0]}' is reversed (from > to)`;
    return undefined;
  };
}

function oneOf(names: readonly string[], caseInsensitive: boolean): ValueCheck {
  const set = new Set(caseInsensitive ? names.map((n) => n.toLowerCase()) : names);
  const what = names.length <= 4 ? `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}` : `one of ${names.join(", ")}`;
  return (args) => {
    const n = argCount(args, 1, what);
    if (n) return n;
    return set.has(caseInsensitive ? args[0]!.toLowerCase() : args[0]!) ? undefined : `expected ${what}, found '${args[0]}'`;
  };
}

/**
 * A prefix length: up to 128 in IPv6; in IPv4 up to `max4` (iptables 1.8.9 takes any 32-bit
 * number for connlimit's mask there, the kernel refuses hashlimit's past 32).
 */
function prefixLength(max4: bigint): ValueCheck {
  return (args, family) => uint(family === 6 ? 128n : max4)(args, family);
}

/** A 32-bit value with an optional /mask. */
const mark: ValueCheck = (args) => {
  const n = argCount(args, 1, "VALUE[/MASK]");
  if (n) return n;
  const parts = args[0]!.split("/");
  const ok = parts.length <= 2 && parts.every((p) => {
    const v = parseUint(p);
    return v !== null && v <= U32;
  });
  return ok ? undefined : `expected VALUE[/MASK] of 32-bit numbers, found '${args[0]}'`;
};

/** DSCP class names (libxt_dscp's dscp_helper), any case. */
const DSCP_CLASSES = ["CS0", "CS1", "CS2", "CS3", "CS4", "CS5", "CS6", "CS7", "BE", "AF11", "AF12", "AF13", "AF21", "AF22", "AF23", "AF31", "AF32", "AF33", "AF41", "AF42", "AF43", "EF"];
const dscpClass = oneOf(DSCP_CLASSES, true);

/** TOS names of libxt_tos (any case), or VALUE[/MASK] of 8-bit numbers. */
const TOS_NAMES = new Set(["minimize-delay", "maximize-throughput", "maximize-reliability", "minimize-cost", "normal-service"]);
const tosValue: ValueCheck = (args) => {
  const n = argCount(args, 1, "a TOS name or VALUE[/MASK]");
  if (n) return n;
  if (TOS_NAMES.has(args[0]!.toLowerCase())) return undefined;
  const parts = args[0]!.split("/");
  const ok = parts.length <= 2 && parts.every((p) => {
    const v = parseUint(p);
    return v !== null && v <= 255n;
  });
  return ok ? undefined : `expected Minimize-Delay, Maximize-Throughput, Maximize-Reliability, Minimize-Cost, Normal-Service or VALUE[/MASK] of 8-bit numbers, found '${args[0]}'`;
};

/** `--hashlimit-mode`: a comma-separated list of srcip, srcport, dstip, dstport. */
const HASHLIMIT_MODES = new Set(["srcip", "srcport", "dstip", "dstport"]);
const hashlimitMode: ValueCheck = (args) => {
  const n = argCount(args, 1, "a list of srcip, srcport, dstip, dstport");
  if (n) return n;
  const bad = args[0]!.split(",").find((m) => !HASHLIMIT_MODES.has(m));
  return bad === undefined ? undefined : `expected a list of srcip, srcport, dstip, dstport, found '${bad}'`;
};

/** A probability 0-1 as strtod reads it. */
const probability: ValueCheck = (args) => {
  const n = argCount(args, 1, "a probability 0-1");
  if (n) return n;
  const s = args[0]!.trim();
  const v = Number(s);
  return s === "" || !Number.isFinite(v) || v < 0 || v > 1 ? `expected a probability 0-1, found '${args[0]}'` : undefined;
};

/** A string of at most 128 bytes (XT_STRING_MAX_PATTERN_SIZE). */
const pattern: ValueCheck = (args) => {
  const n = argCount(args, 1, "a string");
  if (n) return n;
  return Buffer.byteLength(args[0]!) > 128 ? "a string of at most 128 bytes is expected" : undefined;
};

/** An IPv6 prefix of at most 64 bits (nf_nat's NPTv6), an address alone being /128. */
const nptPrefix: ValueCheck = (args, family) => {
  const n = argCount(args, 1, "an IPv6 prefix");
  if (n) return n;
  const [addr, len, more] = args[0]!.split("/");
  if (more !== undefined || parseIP(addr ?? "", family) === null) return `expected an IPv6 prefix, found '${args[0]}'`;
  const bits = len === undefined ? 128 : /^[0-9]+$/.test(len) ? Number(len) : NaN;
  if (!(bits >= 0 && bits <= 128)) return `expected an IPv6 prefix, found '${args[0]}'`;
  return bits > 64 ? `NPTv6 takes a prefix of at most 64 bits, found /${bits}` : undefined;
};

/**
 * `--queue-balance`: first:last queue numbers, first < last <= 65534; an end left out is 0 or
 * open (both left out: refused).
 */
const queueBalance: ValueCheck = (args) => {
  const what = "a range first:last of queue numbers (first < last <= 65534)";
  const n = argCount(args, 1, what);
  if (n) return n;
  const parts = args[0]!.split(":");
  const bad = `expected ${what}, found '${args[0]}'`;
  if (parts.length !== 2 || (parts[0] === "" && parts[1] === "")) return bad;
  const a = parts[0] === "" ? 0n : parseUint(parts[0]!);
  const b = parts[1] === "" ? undefined : parseUint(parts[1]!);
  if (a === null || b === null || a > 65534n) return bad;
  if (b !== undefined && (a >= b || b > 65534n)) return bad;
  return undefined;
};

/** TCP options TCPOPTSTRIP knows by name; numbers 2-255 otherwise (EOL and NOP cannot be stripped). */
const TCP_OPTION_NAMES = new Set(["wscale", "mss", "sack-permitted", "sack", "timestamp", "md5"]);
const tcpOptions: ValueCheck = (args) => {
  const n = argCount(args, 1, "a list of TCP options");
  if (n) return n;
  const bad = args[0]!.split(",").find((o) => {
    if (TCP_OPTION_NAMES.has(o)) return false;
    const v = parseUint(o);
    return v === null || v < 2n || v > 255n;
  });
  return bad === undefined ? undefined : `expected TCP options (wscale, mss, sack-permitted, sack, timestamp, md5 or a number 2-255), found '${bad}'`;
};

/** `--set-class MAJOR:MINOR` in hex. */
const classId: ValueCheck = (args) => {
  const n = argCount(args, 1, "MAJOR:MINOR");
  if (n) return n;
  return /^[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}$/.test(args[0]!) ? undefined : `expected MAJOR:MINOR (hex), found '${args[0]}'`;
};

/** `--mh-type`: a type or range; a reversed range of numbers is refused. */
const mhTypes: ValueCheck = (args) => {
  const n = argCount(args, 1, "a mobility header type or range");
  if (n) return n;
  const [a, b] = args[0]!.split(":").map(parseUint);
  return a !== null && b !== null && a !== undefined && b !== undefined && a > b ? `the range '${args[0]}' is reversed (from > to)` : undefined;
};

// ---- the extensions ----

const PORT_PROTOS_TCP_UDP = [6, 17];

/** `-m policy`: elements (separated by --next) and the hooks its direction is valid in. */
const POLICY_ELEMENT = ["--reqid", "--spi", "--proto", "--mode", "--tunnel-src", "--tunnel-dst"];
function policyProblem(opts: readonly GivenOption[], ctx: ExtensionContext): OptionProblem | undefined {
  const strict = opts.some((o) => o.name === "--strict");
  let element: GivenOption[] = [];
  const elements: GivenOption[][] = [element];
  for (const o of opts) {
    if (o.name === "--next") elements.push((element = []));
    else if (POLICY_ELEMENT.includes(o.name)) element.push(o);
  }
  for (const [i, el] of elements.entries()) {
    if (strict && el.length === 0) return { at: opts.find((o) => o.name === "--strict")!.pos, message: `policy: element ${i} is empty: with --strict each needs one of --reqid, --spi, --proto, --mode, --tunnel-src, --tunnel-dst` };
    const tunnel = el.find((o) => o.name === "--tunnel-src" || o.name === "--tunnel-dst");
    const mode = el.find((o) => o.name === "--mode");
    if (tunnel && mode?.args[0] !== "tunnel") return { at: tunnel.pos, message: `policy: ${tunnel.name} is only valid with --mode tunnel` };
  }
  const dir = opts.find((o) => o.name === "--dir");
  if (dir && ctx.chainIsBuiltin) {
    const hooks = dir.args[0] === "in" ? ["PREROUTING", "INPUT", "FORWARD"] : dir.args[0] === "out" ? ["FORWARD", "OUTPUT", "POSTROUTING"] : undefined;
    if (hooks && !hooks.includes(ctx.chain)) return { at: dir.argPos[0] ?? dir.pos, message: `policy: --dir ${dir.args[0]} is not valid in built-in chain ${ctx.chain} (only ${hooks.join(", ")})` };
  }
  return undefined;
}

/** `-m statistic`: what each mode needs; --packet below --every. */
function statisticProblem(opts: readonly GivenOption[]): OptionProblem | undefined {
  const get = (n: string) => opts.find((o) => o.name === n);
  const mode = get("--mode");
  if (!mode) return undefined;
  if (mode.args[0] === "random") {
    const stray = get("--every") ?? get("--packet");
    if (stray || !get("--probability")) return { at: (stray ?? mode).pos, message: "statistic: --mode random takes --probability (and not --every or --packet)" };
  } else {
    const every = get("--every");
    const packet = get("--packet");
    const stray = get("--probability");
    if (stray || !every || !packet) return { at: (stray ?? mode).pos, message: "statistic: --mode nth takes --every and --packet (and not --probability)" };
    const n = parseUint(every.args[0] ?? "");
    const p = parseUint(packet.args[0] ?? "");
    if (n !== null && p !== null && p > n - 1n) return { at: packet.argPos[0] ?? packet.pos, message: `statistic: --packet must be 0 to --every - 1 (${n - 1n}), found '${packet.args[0]}'` };
  }
  return undefined;
}

/** `-m cluster`: the local node (or mask) within the node count. */
function clusterProblem(opts: readonly GivenOption[]): OptionProblem | undefined {
  const total = parseUint(opts.find((o) => o.name === "--cluster-total-nodes")?.args[0] ?? "");
  if (total === null) return undefined;
  const node = opts.find((o) => o.name === "--cluster-local-node");
  if (node && (parseUint(node.args[0] ?? "") ?? 0n) > total) return { at: node.argPos[0] ?? node.pos, message: "cluster: --cluster-local-node must be <= --cluster-total-nodes" };
  const mask = opts.find((o) => o.name === "--cluster-local-nodemask");
  if (mask && (parseUint(mask.args[0] ?? "") ?? 0n) >= 1n << total) return { at: mask.argPos[0] ?? mask.pos, message: "cluster: --cluster-local-nodemask has bits past --cluster-total-nodes" };
  return undefined;
}

/** Options that only one `-p` makes valid (the kernel refuses the rule otherwise). */
function needsProto(option: string, protos: readonly number[], names: string): (opts: readonly GivenOption[], ctx: ExtensionContext) => OptionProblem | undefined {
  return (opts, ctx) => {
    const o = opts.find((x) => x.name === option);
    if (!o || (ctx.proto && !ctx.proto.negate && protos.includes(ctx.proto.num))) return undefined;
    return { at: o.pos, message: `${o.name} needs -p ${names}` };
  };
}

const MATCH_RULES: Readonly<Record<string, ExtensionRules | ((family: Family) => ExtensionRules)>> = nameTable({
  ah: (family): ExtensionRules =>
    family === 4
      ? { values: { "--ahspi": uintRange(U32, true) }, protos: [51] }
      : { values: { "--ahspi": uintRange(U32, true), "--ahlen": uint(U32), "--ahres": none } },
  esp: { values: { "--espspi": uintRange(U32, true) }, protos: [50] },
  connlimit: {
    values: { "--connlimit-upto": uint(U32), "--connlimit-above": uint(U32), "--connlimit-mask": prefixLength(U32), "--connlimit-saddr": none, "--connlimit-daddr": none },
    required: [["--connlimit-upto", "--connlimit-above"]],
    exclusive: [
      ["--connlimit-upto", "--connlimit-above"],
      ["--connlimit-saddr", "--connlimit-daddr"],
    ],
    notNegatable: ["--connlimit-mask", "--connlimit-saddr", "--connlimit-daddr"],
  },
  connbytes: {
    values: { "--connbytes": uintRange(U64, false), "--connbytes-dir": oneOf(["original", "reply", "both"], false), "--connbytes-mode": oneOf(["packets", "bytes", "avgpkt"], false) },
    required: [["--connbytes"], ["--connbytes-dir"], ["--connbytes-mode"]],
  },
  connlabel: { values: { "--set": none }, required: [["--label"]], custom: connlabelProblem },
  connmark: { values: { "--mark": mark }, required: [["--mark"]] },
  cpu: { values: { "--cpu": uint(U32) }, required: [["--cpu"]] },
  dscp: { values: { "--dscp": uint(63n), "--dscp-class": dscpClass }, required: [["--dscp", "--dscp-class"]], exclusive: [["--dscp", "--dscp-class"]] },
  ecn: {
    values: { "--ecn-tcp-cwr": none, "--ecn-tcp-ece": none, "--ecn-ip-ect": uint(3n) },
    required: [["--ecn-tcp-cwr", "--ecn-tcp-ece", "--ecn-ip-ect"]],
    custom: (opts, ctx) => needsProto("--ecn-tcp-cwr", [6], "tcp")(opts, ctx) ?? needsProto("--ecn-tcp-ece", [6], "tcp")(opts, ctx),
  },
  eui64: { hooks: ["PREROUTING", "INPUT", "FORWARD"] },
  frag: { values: { "--fragfirst": none, "--fragmore": none, "--fraglast": none }, exclusive: [["--fragmore", "--fraglast"]] },
  hashlimit: {
    values: {
      "--hashlimit": word,
      "--hashlimit-upto": word,
      "--hashlimit-above": word,
      "--hashlimit-burst": word,
      "--hashlimit-mode": hashlimitMode,
      "--hashlimit-srcmask": prefixLength(32n),
      "--hashlimit-dstmask": prefixLength(32n),
      "--hashlimit-name": word,
      "--hashlimit-htable-size": uint(U32),
      "--hashlimit-htable-max": uint(U32),
      "--hashlimit-htable-expire": uint(U32),
      "--hashlimit-htable-gcinterval": uint(U32),
      "--hashlimit-rate-match": none,
      "--hashlimit-rate-interval": uint(U32),
    },
    required: [["--hashlimit-upto", "--hashlimit-above", "--hashlimit"], ["--hashlimit-name"]],
    exclusive: [
      ["--hashlimit-upto", "--hashlimit-above"],
      ["--hashlimit", "--hashlimit-above"],
      ["--hashlimit", "--hashlimit-upto"],
    ],
  },
  helper: { values: { "--helper": word }, required: [["--helper"]] },
  length: { values: { "--length": uintRange(U16, true) }, required: [["--length"]] },
  mh: { values: { "--mh-type": mhTypes }, protos: [135] },
  nfacct: { values: { "--nfacct-name": word }, required: [["--nfacct-name"]] },
  osf: { values: { "--ttl": uint(2n), "--log": uint(2n) }, protos: [6] },
  owner: {
    values: { "--socket-exists": none, "--suppl-groups": none },
    required: [["--uid-owner", "--gid-owner", "--socket-exists"]],
    notNegatable: ["--suppl-groups"],
    custom: (opts) => {
      // iptables reads --suppl-groups as a modifier of the --gid-owner before it
      const at = opts.findIndex((o) => o.name === "--suppl-groups");
      if (at >= 0 && !opts.slice(0, at).some((o) => o.name === "--gid-owner")) return { at: opts[at]!.pos, message: "owner: --suppl-groups needs a --gid-owner before it" };
      return undefined;
    },
  },
  policy: {
    values: { "--dir": oneOf(["in", "out"], false), "--pol": oneOf(["none", "ipsec"], false), "--strict": none, "--next": none, "--mode": oneOf(["transport", "tunnel"], false) },
    required: [["--dir"]],
    requires: { "--next": ["--strict"] },
    repeatAfter: "--next",
    custom: policyProblem,
  },
  quota: { values: { "--quota": uint(U64) }, required: [["--quota"]] },
  realm: { required: [["--realm"]] },
  recent: {
    values: { "--set": none, "--rcheck": none, "--update": none, "--remove": none, "--rsource": none, "--rdest": none, "--rttl": none, "--reap": none, "--seconds": uint(U32), "--hitcount": uint(U16), "--name": word },
    required: [["--set", "--rcheck", "--update", "--remove"]],
    exclusive: [
      ["--set", "--rcheck", "--update", "--remove"],
      ["--rttl", "--set"],
      ["--rttl", "--remove"],
    ],
    requires: { "--reap": ["--seconds"], "--seconds": ["--rcheck", "--update"], "--hitcount": ["--rcheck", "--update"] },
  },
  statistic: {
    values: { "--mode": oneOf(["random", "nth"], false), "--probability": probability, "--every": uint(U32, 1n), "--packet": uint(U32) },
    required: [["--mode"]],
    custom: statisticProblem,
  },
  string: {
    values: { "--algo": oneOf(["bm", "kmp", "fsm"], false), "--string": pattern, "--hex-string": word, "--from": uint(U16), "--to": uint(U16), "--icase": none },
    required: [["--algo"], ["--string", "--hex-string"]],
    exclusive: [["--string", "--hex-string"]],
    custom: (opts) => {
      const from = parseUint(opts.find((o) => o.name === "--from")?.args[0] ?? "");
      const to = opts.find((o) => o.name === "--to");
      const toValue = parseUint(to?.args[0] ?? "");
      return to && from !== null && toValue !== null && from > toValue ? { at: to.argPos[0] ?? to.pos, message: "string: --to must not be below --from" } : undefined;
    },
  },
  tcpmss: { values: { "--mss": uintRange(U16, false) }, required: [["--mss"]], protos: [6] },
  tos: { values: { "--tos": tosValue }, required: [["--tos"]] },
  addrtype: { exclusive: [["--limit-iface-in", "--limit-iface-out"]] },
  limit: { values: { "--limit": limitRate, "--limit-burst": uint(10000n) } },
  cgroup: { required: [["--cgroup", "--path"]], exclusive: [["--cgroup", "--path"]] },
  cluster: {
    values: { "--cluster-total-nodes": uint(32n, 1n), "--cluster-local-node": uint(32n, 1n), "--cluster-local-nodemask": uint(U32), "--cluster-hash-seed": uint(U32) },
    required: [["--cluster-total-nodes"], ["--cluster-local-node", "--cluster-local-nodemask"], ["--cluster-hash-seed"]],
    exclusive: [["--cluster-local-node", "--cluster-local-nodemask"]],
    custom: clusterProblem,
  },
});

/** `--label`: a bit 0-127, or a name from connlabel.conf (outside the ruleset: taken). */
function connlabelProblem(opts: readonly GivenOption[]): OptionProblem | undefined {
  const label = opts.find((o) => o.name === "--label");
  if (!label) return undefined;
  const n = argCount(label.args, 1, "a label");
  if (n) return { at: label.pos, message: `--label: ${n}` };
  const v = parseUint(label.args[0]!);
  return v !== null && v > 127n ? { at: label.argPos[0] ?? label.pos, message: `--label: a connection label bit is 0-127, found '${label.args[0]}'` } : undefined;
}

const TTL_LIKE = (p: string): ExtensionRules => ({
  values: { [`--${p}-set`]: uint(255n), [`--${p}-inc`]: uint(255n, 1n), [`--${p}-dec`]: uint(255n, 1n) },
  required: [[`--${p}-set`, `--${p}-dec`, `--${p}-inc`]],
  exclusive: [[`--${p}-set`, `--${p}-dec`, `--${p}-inc`]],
});

const NPT = (hooks: string[]): ExtensionRules => ({
  values: { "--src-pfx": nptPrefix, "--dst-pfx": nptPrefix },
  required: [["--src-pfx"], ["--dst-pfx"]],
  hooks,
});

const TARGET_RULES: Readonly<Record<string, ExtensionRules>> = nameTable({
  AUDIT: { values: { "--type": oneOf(["accept", "drop", "reject"], true) }, required: [["--type"]] },
  CHECKSUM: { values: { "--checksum-fill": none }, required: [["--checksum-fill"]] },
  CLASSIFY: { values: { "--set-class": classId }, required: [["--set-class"]], hooks: ["OUTPUT", "FORWARD", "POSTROUTING"] },
  CONNMARK: {
    required: [["--set-mark", "--set-xmark", "--save-mark", "--restore-mark", "--and-mark", "--or-mark", "--xor-mark"]],
    exclusive: [["--set-mark", "--set-xmark", "--save-mark", "--restore-mark", "--and-mark", "--or-mark", "--xor-mark"]],
  },
  CONNSECMARK: { values: { "--save": none, "--restore": none }, required: [["--save", "--restore"]], exclusive: [["--save", "--restore"]] },
  CT: { values: { "--zone": word, "--zone-orig": word, "--zone-reply": word }, custom: ctZoneProblem },
  DSCP: { values: { "--set-dscp": uint(63n), "--set-dscp-class": dscpClass }, required: [["--set-dscp", "--set-dscp-class"]], exclusive: [["--set-dscp", "--set-dscp-class"]] },
  HMARK: {
    values: { "--hmark-mod": uint(U32, 1n), "--hmark-rnd": uint(U32), "--hmark-offset": uint(U32) },
    required: [["--hmark-mod"], ["--hmark-rnd"]],
    exclusive: [
      ["--hmark-sport-mask", "--hmark-spi-mask"],
      ["--hmark-dport-mask", "--hmark-spi-mask"],
    ],
  },
  IDLETIMER: { values: { "--timeout": uint(U32), "--label": word, "--alarm": none }, required: [["--timeout"], ["--label"]] },
  LED: { required: [["--led-trigger-id"]] },
  NFLOG: { values: { "--nflog-group": uint(U16), "--nflog-range": uint(U32), "--nflog-size": uint(U32), "--nflog-threshold": uint(U16) } },
  NFQUEUE: {
    values: { "--queue-num": uint(U16), "--queue-balance": queueBalance, "--queue-bypass": none, "--queue-cpu-fanout": none },
    exclusive: [["--queue-num", "--queue-balance"]],
    requires: { "--queue-cpu-fanout": ["--queue-balance"] },
  },
  SECMARK: { required: [["--selctx"]] },
  SYNPROXY: { protos: [6], hooks: ["INPUT", "FORWARD"] },
  TCPMSS: {
    values: { "--set-mss": uint(U16), "--clamp-mss-to-pmtu": none },
    required: [["--set-mss", "--clamp-mss-to-pmtu"]],
    exclusive: [["--set-mss", "--clamp-mss-to-pmtu"]],
    custom: (opts, ctx) => {
      const clamp = opts.find((o) => o.name === "--clamp-mss-to-pmtu");
      const hooks = ["FORWARD", "OUTPUT", "POSTROUTING"];
      return clamp && ctx.chainIsBuiltin && !hooks.includes(ctx.chain) ? { at: clamp.pos, message: `--clamp-mss-to-pmtu is not valid in built-in chain ${ctx.chain} (only ${hooks.join(", ")})` } : undefined;
    },
  },
  TCPOPTSTRIP: { values: { "--strip-options": tcpOptions }, protos: [6] },
  TEE: { values: { "--gateway": word }, required: [["--gateway"]], notNegatable: ["--gateway"] },
  TOS: { required: [["--set-tos", "--and-tos", "--or-tos", "--xor-tos"]], exclusive: [["--set-tos", "--and-tos", "--or-tos", "--xor-tos"]] },
  ECN: { values: { "--ecn-tcp-remove": none }, required: [["--ecn-tcp-remove"]], custom: needsProto("--ecn-tcp-remove", [6], "tcp") },
  TTL: TTL_LIKE("ttl"),
  HL: TTL_LIKE("hl"),
  DNPT: NPT(["PREROUTING", "OUTPUT"]),
  SNPT: NPT(["INPUT", "POSTROUTING"]),
  TPROXY: { values: { "--on-port": word }, required: [["--on-port"]], protos: PORT_PROTOS_TCP_UDP, hooks: ["PREROUTING"] },
});

/** CT zones are 16-bit; `mark` takes the zone from the packet mark. */
function ctZoneProblem(opts: readonly GivenOption[]): OptionProblem | undefined {
  for (const o of opts) {
    if (!o.name.startsWith("--zone")) continue;
    const v = o.args[0] ?? "";
    if (v === "mark") continue;
    const n = parseUint(v);
    if (n === null || n > U16) return { at: o.argPos[0] ?? o.pos, message: `expected a zone 0-65535 or 'mark' after ${o.name}, found '${v}'` };
  }
  return undefined;
}

function listText(names: readonly string[]): string {
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/**
 * What iptables-restore (or the kernel, when it loads the rule) refuses in the options of match
 * `-m name` or target `-j name`: the first problem, or undefined when there is none (and for an
 * extension this module has no requirements of).
 */
export function extensionProblem(kind: "match" | "target", name: string, opts: readonly GivenOption[], ctx: ExtensionContext, at: Pos): OptionProblem | undefined {
  const entry = kind === "match" ? MATCH_RULES[name] : TARGET_RULES[name];
  if (entry === undefined) return undefined;
  const rules = typeof entry === "function" ? entry(ctx.family) : entry;
  const given = new Set(opts.map((o) => o.name));
  const since = new Set<string>();
  for (const o of opts) {
    if (o.name === rules.repeatAfter) since.clear();
    else if (since.has(o.name)) return { at: o.pos, message: `${name}: ${o.name} can only be given once` };
    since.add(o.name);
    if (o.negate && rules.notNegatable?.includes(o.name)) return { at: o.pos, message: `${o.name} cannot be negated with '!'` };
    const why = rules.values?.[o.name]?.(o.args, ctx.family);
    if (why !== undefined) return { at: (o.args.length > 0 && !why.startsWith("unexpected") ? o.argPos[0] : undefined) ?? o.pos, message: `${o.name}: ${why}` };
  }
  for (const group of rules.exclusive ?? []) {
    // told at the second of them in the rule
    const both = opts.filter((o) => group.includes(o.name));
    if (both.length > 1) return { at: both[1]!.pos, message: `${name}: ${both[1]!.name} cannot be used together with ${both[0]!.name}` };
  }
  for (const group of rules.required ?? []) {
    if (!group.some((g) => given.has(g))) return { at, message: `${kind} ${name} needs ${listText(group)}` };
  }
  for (const [option, needs] of Object.entries(rules.requires ?? {})) {
    const o = opts.find((x) => x.name === option);
    if (o && !needs.some((n) => given.has(n))) return { at: o.pos, message: `${name}: ${option} needs ${listText(needs)} too` };
  }
  if (rules.protos) {
    const p = ctx.proto;
    if (!p || p.negate || !rules.protos.includes(p.num)) {
      const names = rules.protos.map((n) => PROTO_NAMES[n] ?? String(n));
      return { at, message: `${kind} ${name} needs -p ${listText(names)}` };
    }
  }
  if (rules.hooks && ctx.chainIsBuiltin && !rules.hooks.includes(ctx.chain)) return { at, message: `${kind} ${name} is not valid in built-in chain ${ctx.chain} (only ${rules.hooks.join(", ")})` };
  return rules.custom?.(opts, ctx);
}

const PROTO_NAMES: Record<number, string> = { 6: "tcp", 17: "udp", 50: "esp", 51: "ah", 135: "mobility-header" };
