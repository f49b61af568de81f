/**
 * One rule line (`-A CHAIN ...`) -> conditions and target, the way iptables reads it: generic
 * options, `-m` module loading (and implicit loading by `-p`), module and target options, `!`
 * negation, and `-s`/`-d` lists expanded into one rule per address combination.
 */
import { setMatchConditions, setMatchWarning, type IpsetIndex } from "../ipset/match.js";
import { splitRule } from "../outside-filled.js";
import type { Action, Condition, DiagnosticSeverity, Family, MarkRewrite } from "../../src/model/types.js";
import { CONNECTED_STATES, stateHolds } from "../../src/model/conditions.js";
import { MULTICAST, formatIPv4, hostNameLookup, parseAddrRange, parseAddrSpec, parseCInt, parseInetAton } from "../../src/model/address.js";
import { PORT_PROTOCOLS, PROTOCOL_NAMES, protocolNumber } from "../../src/model/names.js";
import { comparisonRanges } from "../../src/model/ports.js";
import type { OptionNode, Pos } from "./ast.js";
import { extensionProblem, type GivenOption } from "./extension-options.js";
import { decidedBySender, ordinaryMatchValue, recentUse, type RecentUse } from "./ordinary.js";
import {
  implicitMatchFor,
  MATCH_ALIASES,
  MATCHES,
  moduleOption,
  REJECT_WITH,
  TARGETS,
  targetOption,
  type ModuleSpec,
  type OptSpec,
  type TargetSpec,
} from "./modules.js";
import {
  isMac,
  parseIcmpType,
  parseIface,
  parseNatSpec,
  parsePortList,
  parsePortRange,
  parseProtocol,
  portSurprises,
  type PortReader,
  parseStates,
  parseTcpFlags,
  parseToPorts,
} from "./values.js";
import { nameTable } from "../../src/model/name-table.js";

export interface RuleContext {
  family: Family;
  table: string;
  chain: string;
  chainIsBuiltin: boolean;
  /** The ipsets saved beside the ruleset (`-m set --match-set` reads them); absent: none found. */
  ipsets?: IpsetIndex;
  diag(severity: DiagnosticSeverity, pos: Pos, message: string): void;
}

/** Where a rule sends packets, before chain names are checked against the table. */
export type TargetRef =
  | { kind: "none" }
  | { kind: "chain"; name: string; goto: boolean; pos: Pos }
  | { kind: "action"; action: Action; pos: Pos; setMark?: MarkRewrite };

export interface RuleDraft {
  /** One condition list per -s/-d combination, in iptables' order. */
  variants: Condition[][];
  target: TargetRef;
  comment?: string;
  /** The rule's `-m recent` matches (see RecentUse). */
  recent?: RecentUse[];
}

/** An option after negation handling. */
interface Opt {
  node: OptionNode;
  name: string;
  negate: boolean;
  args: string[];
  /** Position of each argument. */
  argPos: Pos[];
  /** Arguments as written (quotes kept). */
  raw: string[];
}

interface MatchInstance {
  name: string;
  spec: (ModuleSpec & { modelled: boolean }) | undefined;
  pos: Pos;
  order: number;
  opts: Opt[];
  implicit: boolean;
  /** Where its first option was written (see protoOrder). */
  firstOptOrder?: number;
}

interface TargetInstance {
  name: string;
  spec: TargetSpec | undefined;
  pos: Pos;
  opts: Opt[];
  goto: boolean;
  /** An option of it was refused (and reported): what the target needs is not asked again. */
  refusedOption?: true;
}

type Entry = { order: number; conds: Condition[] } | { order: number; slot: "src" | "dst" };

interface GenericSpec {
  canonical: string;
  min: number;
  max: number;
  negatable: boolean;
  what: string;
}

const G = (canonical: string, what: string, min = 1, max = min, negatable = false): GenericSpec => ({ canonical, min, max, negatable, what });

const GENERIC: Readonly<Record<string, GenericSpec>> = nameTable({
  "-s": G("-s", "an address or network", 1, 1, true),
  "--source": G("-s", "an address or network", 1, 1, true),
  "--src": G("-s", "an address or network", 1, 1, true),
  "-d": G("-d", "an address or network", 1, 1, true),
  "--destination": G("-d", "an address or network", 1, 1, true),
  "--dst": G("-d", "an address or network", 1, 1, true),
  "-p": G("-p", "a protocol", 1, 1, true),
  "--protocol": G("-p", "a protocol", 1, 1, true),
  "-i": G("-i", "an interface name", 1, 1, true),
  "--in-interface": G("-i", "an interface name", 1, 1, true),
  "-o": G("-o", "an interface name", 1, 1, true),
  "--out-interface": G("-o", "an interface name", 1, 1, true),
  "-j": G("-j", "a target"),
  "--jump": G("-j", "a target"),
  "-g": G("-g", "a chain name"),
  "--goto": G("-g", "a chain name"),
  "-m": G("-m", "a match module name"),
  "--match": G("-m", "a match module name"),
  "-f": G("-f", "nothing", 0, 0, true),
  "--fragment": G("-f", "nothing", 0, 0, true),
  "-c": G("-c", "packet and byte counters", 1, 2),
  "--set-counters": G("-c", "packet and byte counters", 1, 2),
  "-4": G("-4", "nothing", 0, 0),
  "--ipv4": G("-4", "nothing", 0, 0),
  "-6": G("-6", "nothing", 0, 0),
  "--ipv6": G("-6", "nothing", 0, 0),
  "-t": G("-t", "a table name"),
  "--table": G("-t", "a table name"),
});

const ARG_WHAT: Readonly<Record<string, string>> = nameTable({
  "--sport": "a port or port range",
  "--dport": "a port or port range",
  "--sports": "a port list",
  "--dports": "a port list",
  "--ports": "a port list",
  "--tcp-flags": "a flag mask and the flags that must be set (e.g. SYN,ACK SYN)",
  "--icmp-type": "an ICMP type",
  "--icmpv6-type": "an ICMPv6 type",
  "--ctstate": "a list of states",
  "--state": "a list of states",
  "--src-range": "an address range",
  "--dst-range": "an address range",
  "--comment": "a comment",
  "--mac-source": "a MAC address",
  "--match-set": "a set name and flags",
  "--reject-with": "a reject type",
  "--to-destination": "an address[:port] specification",
  "--to-source": "an address[:port] specification",
  "--to-ports": "a port or port range",
});

const CT_STATUSES = new Set(["NONE", "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED"]);

/** `--log-level` names of iptables 1.8.9 (libxt_LOG); numbers 0-7 are taken too. */
const LOG_LEVELS = new Set(["emerg", "panic", "alert", "crit", "error", "warning", "notice", "info", "debug"]);

/** The option as written (old negation normalised to `! --opt`). */
/** A node's line and file (a script's command read from another file keeps that file). */
function placeOf(p: Pos): Pos {
  return { line: p.line, column: p.column, ...(p.file !== undefined ? { file: p.file } : {}) };
}

function optText(o: Opt): string {
  return [o.negate ? "!" : "", o.name, ...o.raw].filter((s) => s !== "").join(" ");
}

/** Build the draft of one rule; null when the rule has an error (already reported). */
export function buildRule(options: OptionNode[], ctx: RuleContext): RuleDraft | null {
  let failed = false;
  const error = (pos: Pos, msg: string) => {
    ctx.diag("error", pos, msg);
    failed = true;
  };

  const entries: Entry[] = [];
  const matches: MatchInstance[] = [];
  let target: TargetInstance | undefined;
  let proto: { num: number; name: string; negate: boolean } | undefined;
  /** Where -p was written: multiport asks for the protocol when it reads its ports, so it must come first. */
  let protoOrder = -1;
  let srcAlts: Condition[] | undefined;
  let dstAlts: Condition[] | undefined;
  const seenGeneric = new Set<string>();
  const recent: RecentUse[] = [];

  /** Negation and argument count; null if malformed (reported). */
  const normalise = (node: OptionNode, spec: { min: number; max: number; negatable: boolean }, what: string): Opt | null => {
    let negate = node.bang !== undefined;
    const args: string[] = [];
    const argPos: Pos[] = [];
    const raw: string[] = [];
    node.args.forEach((a, i) => {
      if (a.bangBefore) {
        if (i === 0) {
          if (negate) error(a.bangBefore, `'!' given twice for ${node.name}`);
          else {
            // iptables-restore refuses it ("Bad argument"); what it means is plain, so the rule is
            // read as meant and the rest analysed with it
            ctx.diag("error", a.bangBefore, `old negation syntax '${node.name} ! ${a.text}': iptables 1.4.3 and later refuse it, write '! ${node.name} ${a.text}' (read here so)`);
            negate = true;
          }
        } else error(a.bangBefore, `unexpected '!' inside the arguments of ${node.name}`);
      }
      args.push(a.text);
      raw.push(a.raw);
      argPos.push(placeOf(a));
    });
    if (negate && !spec.negatable) {
      error(node.bang ?? node, `${node.name} cannot be negated with '!'`);
      return null;
    }
    if (args.length < spec.min) {
      const last = node.args[node.args.length - 1];
      const where = last ? { ...placeOf(last), column: last.column + last.raw.length + 1 } : { ...placeOf(node), column: node.column + node.name.length + 1 };
      error(where, `expected ${what} after ${node.name}, found ${last ? `only ${raw.map((r) => `'${r}'`).join(" ")}` : "end of line"}`);
      return null;
    }
    if (args.length > spec.max) {
      const extra = node.args[spec.max]!;
      error(extra, `unexpected '${extra.text}' after ${node.name}${spec.max > 0 ? ` ${raw.slice(0, spec.max).join(" ")}` : ""}`);
      return null;
    }
    return { node, name: node.name, negate, args, argPos, raw };
  };

  const addrAlternatives = (o: Opt, field: "src" | "dst"): Condition[] | null => {
    const out: Condition[] = [];
    const list = o.args[0]!.split(",");
    for (const item of list) {
      // (every host's resolver has localhost: 127.0.0.1 for iptables, ::1 for ip6tables)
      const given = item.replace(/^localhost(?=\/|$)/, ctx.family === 4 ? "127.0.0.1" : "::1");
      let r = parseAddrSpec(given, ctx.family);
      const slash = given.indexOf("/");
      const addrText = slash === -1 ? given : given.slice(0, slash);
      const parts = addrText.split(".").length;
      if (!r.ok && (r.reason === "invalid" || r.reason === "hostname") && ctx.family === 4) {
        // not an address to iptables' own reader (each part a byte): it looks the word up, and the
        // resolver reads a number as inet_aton does before it asks DNS
        const a = parseInetAton(addrText);
        if (a !== null) {
          const read = formatIPv4(a);
          ctx.diag("warning", o.argPos[0]!, `'${addrText}' after ${o.name} is the address ${read}: iptables takes it for a host name, and the resolver reads a number as an address (inet_aton)`);
          r = parseAddrSpec(read + given.slice(addrText.length), 4);
        }
      } else if (r.ok && r.prefix !== null && ctx.family === 4 && slash === -1 && parts < 4) {
        const read = formatIPv4(r.range.lo);
        const meant = r.range.lo === 0n ? "for any address write 0/0" : `for the network write ${read}/${8 * parts}`;
        ctx.diag("warning", o.argPos[0]!, `'${addrText}' after ${o.name} is the one address ${read}: iptables fills the missing parts with 0, and with no mask matches that address alone (${meant})`);
      }
      if (!r.ok && r.reason === "hostname") {
        // `-s localhost` loads: iptables looks the name up (getaddrinfo) when it reads the rule
        const { warning, reason } = hostNameLookup(item, o.name, "iptables");
        ctx.diag("warning", o.argPos[0]!, warning);
        out.push({ kind: "unknown", text: optText({ ...o, raw: [item] }), reason });
        continue;
      }
      if (!r.ok) {
        let msg: string;
        switch (r.reason) {
          case "wrong-family":
            msg = `${r.detail.replace(/^'/, "address '")} in an ${ctx.family === 4 ? "iptables (IPv4)" : "ip6tables (IPv6)"} rule`;
            break;
          case "bad-mask":
            msg = `${r.detail} in '${item}' after ${o.name}`;
            break;
          default:
            msg = `expected an IPv${ctx.family} address or network after ${o.name}, found '${item}'`;
        }
        error(o.argPos[0]!, msg);
        return null;
      }
      if (r.prefix === null) {
        if (r.ranges === null) {
          ctx.diag("warning", o.argPos[0]!, `${r.detail} in '${item}': too many ranges to model, kept as unknown`);
          out.push({ kind: "unknown", text: optText({ ...o, raw: [item] }), reason: `non-contiguous address mask '${item}'` });
          continue;
        }
        out.push({ kind: "addr", field, family: ctx.family, ranges: r.ranges, ...(o.negate ? { negate: true } : {}) });
        continue;
      }
      out.push({ kind: "addr", field, family: ctx.family, ranges: [r.range], ...(o.negate ? { negate: true } : {}) });
    }
    return out;
  };

  // -4 / -6: a rule for the other family is skipped whole by iptables-restore / ip6tables-restore
  for (const n of options) {
    const c = GENERIC[n.name]?.canonical;
    if ((c === "-4" && ctx.family === 6) || (c === "-6" && ctx.family === 4)) {
      ctx.diag("info", n, `rule marked ${c} is ignored by ${ctx.family === 4 ? "iptables" : "ip6tables"}-restore`);
      return null;
    }
  }

  const jumpIndex = options.findIndex((n) => {
    const c = GENERIC[n.name]?.canonical;
    return c === "-j" || c === "-g";
  });

  // ---- first pass: generic options, module loading, option dispatch ----
  /**
   * getopt_long accepts an unambiguous abbreviation of a long option (`--mac` for --mac-source)
   * among the options known at that point: generic ones, loaded matches and the target. Only an
   * option none of those knows, in full or abbreviated, loads the match `-p` names (iptables'
   * load_proto) and is looked up again with its options: `-p tcp -m multiport --dport 22,80` is
   * multiport's --dports, as iptables reads it.
   */
  const expandAbbreviation = (node: OptionNode): OptionNode => {
    if (!node.name.startsWith("--") || GENERIC[node.name]) return node;
    const knows = (spec: ModuleSpec | TargetSpec | undefined, name: string) =>
      spec !== undefined && (spec.options === null || name in spec.options || ("aliases" in spec && spec.aliases !== undefined && name in spec.aliases));
    /** The option `node` names among `specs`: its full name, the one it abbreviates, "ambiguous", or undefined. */
    const lookUp = (specs: readonly (ModuleSpec | TargetSpec | undefined)[]): string | undefined => {
      // the common case: the option is written in full
      if (specs.some((spec) => knows(spec, node.name))) return node.name;
      const candidates = new Set<string>();
      for (const n of Object.keys(GENERIC)) if (n.startsWith(node.name)) candidates.add(n);
      for (const spec of specs) {
        if (!spec?.options) continue;
        for (const k of Object.keys(spec.options)) if (k.startsWith(node.name)) candidates.add(k);
        if ("aliases" in spec) for (const k of Object.keys(spec.aliases ?? {})) if (k.startsWith(node.name)) candidates.add(k);
      }
      return candidates.size === 1 ? [...candidates][0]! : candidates.size > 1 ? "ambiguous" : undefined;
    };
    const loaded = [...matches.map((m) => m.spec), target?.spec];
    let name = lookUp(loaded);
    const implicitName = proto && !proto.negate ? implicitMatchFor(proto.name, proto.num, ctx.family) : undefined;
    if (name === undefined && implicitName && !matches.some((m) => m.name === implicitName)) name = lookUp([...loaded, MATCHES.get(implicitName)]);
    return name === undefined || name === "ambiguous" || name === node.name ? node : { ...node, name };
  };

  givenNextWord(options, error).forEach((written, order) => {
    const node = expandAbbreviation(written);
    const g = GENERIC[node.name];
    if (g) {
      const o = normalise(node, g, g.what);
      if (!o) return;
      if (!["-m", "-c", "-j", "-g"].includes(g.canonical) && seenGeneric.has(g.canonical)) {
        error(node, `multiple ${g.canonical} options in one rule`);
        return;
      }
      seenGeneric.add(g.canonical);
      switch (g.canonical) {
        case "-s":
        case "-d": {
          const alts = addrAlternatives(o, g.canonical === "-s" ? "src" : "dst");
          if (!alts) return;
          if (g.canonical === "-s") srcAlts = alts;
          else dstAlts = alts;
          entries.push({ order, slot: g.canonical === "-s" ? "src" : "dst" });
          return;
        }
        case "-p": {
          const text = o.args[0]!;
          const num = parseProtocol(text);
          if (num === null) {
            error(o.argPos[0]!, `unknown protocol '${text}' after ${o.name}`);
            return;
          }
          if (num === 0) {
            if (o.negate) error(node, `'! -p ${text}' would never match`);
            proto = undefined;
            return;
          }
          proto = { num, name: /^[0-9]+$/.test(text) ? (PROTOCOL_NAMES.get(num) ?? text) : text.toLowerCase(), negate: o.negate };
          protoOrder = order;
          entries.push({ order, conds: [{ kind: "proto", protos: [num], ...(o.negate ? { negate: true } : {}) }] });
          return;
        }
        case "-i":
        case "-o": {
          const forbidden = g.canonical === "-i" ? ["OUTPUT", "POSTROUTING"] : ["PREROUTING", "INPUT"];
          if (ctx.chainIsBuiltin && forbidden.includes(ctx.chain)) {
            error(node, `${o.name} cannot be used in built-in chain ${ctx.chain}: packets there have no ${g.canonical === "-i" ? "input" : "output"} interface yet`);
            return;
          }
          const r = parseIface(o.args[0]!, o.name);
          if (!r.ok) {
            error(o.argPos[0]!, r.error);
            return;
          }
          entries.push({
            order,
            conds: [{ kind: "iface", field: g.canonical === "-i" ? "iif" : "oif", name: r.value.name, prefix: r.value.prefix, ...(o.negate ? { negate: true } : {}) }],
          });
          return;
        }
        case "-f":
          if (ctx.family === 6) {
            error(node, "-f is not available in ip6tables (use -m frag)");
            return;
          }
          entries.push({ order, conds: [{ kind: "fragment", ...(o.negate ? { negate: true } : {}) }] });
          return;
        case "-c": {
          const parts = o.args.length === 2 ? o.args : o.args[0]!.split(",");
          if (parts.length !== 2 || parts.some((p) => !/^[0-9]+$/.test(p))) error(o.argPos[0]!, `expected packet and byte counters after ${o.name}, found '${o.args.join(" ")}'`);
          return;
        }
        case "-4":
        case "-6":
          return; // handled above

        case "-t":
          error(node, `${o.name} cannot be used in a ruleset file: the table comes from the *${ctx.table} line`);
          return;
        case "-m": {
          const name = MATCH_ALIASES[o.args[0]!] ?? o.args[0]!;
          let spec = MATCHES.get(name);
          if (spec?.family !== undefined && spec.family !== ctx.family) {
            error(o.argPos[0]!, `match ${name} exists only in ${spec.family === 4 ? "iptables (IPv4)" : "ip6tables (IPv6)"}`);
            spec = undefined;
            failed = true;
          } else if (!spec && (TARGETS.has(name) || !/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(name))) {
            // no match module is named so anywhere (xtables-addons' neither): iptables-restore "Couldn't load match"
            error(o.argPos[0]!, TARGETS.has(name) ? `'${name}' is a target, not a match module: write -j ${name}${MATCHES.has(name.toLowerCase()) ? `, or -m ${name.toLowerCase()} for the match` : ""}` : `'${name}' cannot be the name of a match module`);
            failed = true;
          } else if (!spec) {
            ctx.diag("warning", o.argPos[0]!, `match module '${name}' is not part of iptables 1.8.9; kept as an unknown condition`);
          }
          matches.push({ name, spec, pos: o.argPos[0]!, order, opts: [], implicit: false });
          return;
        }
        case "-j":
        case "-g": {
          if (target) {
            error(node, `a rule takes one target: ${target.goto ? "-g" : "-j"} ${target.name} is already given`);
            return;
          }
          const name = o.args[0]!;
          const spec = g.canonical === "-j" ? TARGETS.get(name) : undefined;
          if (spec?.family !== undefined && spec.family !== ctx.family) {
            error(o.argPos[0]!, `target ${name} exists only in ${spec.family === 4 ? "iptables (IPv4)" : "ip6tables (IPv6)"}`);
            return;
          }
          target = { name, spec, pos: o.argPos[0]!, opts: [], goto: g.canonical === "-g" };
          return;
        }
      }
      return;
    }

    // ---- a module or target option ----
    if (!node.name.startsWith("--")) {
      error(node, `unknown option ${node.name}`);
      return;
    }
    if (target?.spec) {
      const ts = targetOption(target.spec, node.name);
      if (ts) {
        const o = normalise(node, ts, ARG_WHAT[node.name] ?? "an argument");
        if (o) target.opts.push(o);
        else target.refusedOption = true;
        return;
      }
    }
    for (let i = matches.length - 1; i >= 0; i--) {
      const m = matches[i]!;
      if (!m.spec) continue;
      const mo = moduleOption(m.spec, node.name);
      if (mo) {
        const o = normalise(node, mo.spec, ARG_WHAT[mo.canonical] ?? "an argument");
        if (o) m.opts.push({ ...o, name: mo.canonical });
        m.firstOptOrder ??= order;
        return;
      }
    }
    if (proto && !proto.negate) {
      const implicit = implicitMatchFor(proto.name, proto.num, ctx.family);
      const spec = implicit ? MATCHES.get(implicit) : undefined;
      const mo = spec ? moduleOption(spec, node.name) : undefined;
      if (implicit && spec && mo && !matches.some((m) => m.name === implicit && m.implicit)) {
        const inst: MatchInstance = { name: implicit, spec, pos: node, order, opts: [], implicit: true };
        matches.push(inst);
        const o = normalise(node, mo.spec, ARG_WHAT[mo.canonical] ?? "an argument");
        if (o) inst.opts.push({ ...o, name: mo.canonical });
        inst.firstOptOrder ??= order;
        return;
      }
    }
    // a module iptables does not ship takes any option
    for (let i = matches.length - 1; i >= 0; i--) {
      const m = matches[i]!;
      if (m.spec === undefined || m.spec.options === null) {
        const o = normalise(node, { min: 0, max: Infinity, negatable: true }, "an argument");
        if (o) m.opts.push(o);
        return;
      }
    }
    const lastMatch = matches[matches.length - 1];
    let where = "";
    if (target && jumpIndex !== -1 && order > jumpIndex && (!lastMatch || lastMatch.order < jumpIndex)) {
      where = target.spec ? ` for target ${target.name}` : ` (${target.name} is a chain, it takes no options)`;
    } else if (lastMatch) where = ` for match ${lastMatch.name}`;
    else if (proto) where = ` (no match module loaded; -p ${proto.name} does not provide it)`;
    error(node, `unknown option ${node.name}${where}`);
  });

  // ---- second pass: match instances -> conditions ----
  let comment: string | undefined;
  const portProtoName = proto?.name;
  for (const m of matches) {
    const conds: Condition[] = [];
    if (m.spec?.tables && !m.spec.tables.includes(ctx.table)) {
      error(m.pos, `match ${m.name} is only valid in the ${m.spec.tables.join(" or ")} table${m.spec.tables.length > 1 ? "s" : ""}, not in ${ctx.table}`);
      continue;
    }
    if (m.spec?.hooks && ctx.chainIsBuiltin && !m.spec.hooks.includes(ctx.chain)) {
      error(m.pos, `match ${m.name} is not valid in built-in chain ${ctx.chain} (only ${m.spec.hooks.join(", ")})`);
      continue;
    }
    if (m.name === "addrtype" && m.opts.length === 1 && /^(--)?dst-type$/.test(m.opts[0]!.name) && m.opts[0]!.raw.length === 1 && m.opts[0]!.raw[0] === "LOCAL") {
      // The destination is one of this host's addresses: the analysis decides that per path.
      const text = [`-m ${m.name}`, ...m.opts.map(optText)].join(" ");
      conds.push({ kind: "local-dst", text, ...(m.opts[0]!.negate ? { negate: true } : {}) });
      entries.push({ order: m.order, conds });
      continue;
    }
    if (m.name === "addrtype" && m.opts.length === 1 && /^(--)?dst-type$/.test(m.opts[0]!.name) && m.opts[0]!.raw.length === 1 && m.opts[0]!.raw[0] === "MULTICAST") {
      // A multicast destination is one of the family's multicast block on any host (the kernel's
      // inet_addr_type: 224.0.0.0/4; ipv6_addr_type: ff00::/8): exact, not a class to assume.
      conds.push({ kind: "addr", field: "dst", family: ctx.family, ranges: [MULTICAST[ctx.family]], ...(m.opts[0]!.negate ? { negate: true } : {}) });
      entries.push({ order: m.order, conds });
      continue;
    }
    const needs = m.spec?.needs;
    // (not after an earlier error: the missing option is usually the one that was malformed)
    if (needs && !failed && !m.opts.some((o) => needs === true || needs.includes(o.name))) {
      error(
        m.pos,
        needs === true
          ? `match ${m.name} needs at least one of its options`
          : `match ${m.name} needs ${needs.length === 1 ? needs[0] : `${needs.slice(0, -1).join(", ")} or ${needs[needs.length - 1]}`}`,
      );
      continue;
    }
    // arguments iptables refuses (a packet type, an address type it has no name for)
    const refused = m.opts.flatMap((o) => {
      const why = m.spec?.check?.[o.name]?.(o.args);
      return why === undefined ? [] : [{ at: o.argPos[0] ?? m.pos, why }];
    });
    if (refused.length > 0) {
      for (const r of refused) error(r.at, r.why);
      continue;
    }
    // what iptables or the kernel refuses in the options of a module fwlint keeps as unknown
    const problem = m.spec && !m.spec.modelled ? extensionProblem("match", m.name, m.opts.map(givenOption), { ...ctx, proto }, m.pos) : undefined;
    if (problem) {
      error(problem.at, problem.message);
      continue;
    }
    if (!m.spec || !m.spec.modelled) {
      const text = [`-m ${m.name}`, ...m.opts.map(optText)].join(" ");
      const ordinary = ordinaryMatchValue(m.name, m.opts);
      const unknown: Extract<Condition, { kind: "unknown" }> = {
        kind: "unknown",
        text,
        reason: m.spec ? `match ${m.name} is not modelled` : `match ${m.name} is not known to fwlint`,
        ...(m.name === "statistic" || decidedBySender(m.name, m.opts) ? { drawn: true as const } : {}),
        ...(ordinary !== undefined ? { ordinary } : {}),
      };
      conds.push(...withoutConnection(m.name, undefined, unknown));
      if (m.name === "recent") {
        const use = recentUse(m.opts, unknown);
        if (use) recent.push(use);
      }
      entries.push({ order: m.order, conds });
      continue;
    }
    if (m.spec.protos && !m.implicit) {
      if (!proto || proto.negate || !m.spec.protos.includes(proto.num)) {
        const names = m.spec.protos.map((p) => PROTOCOL_NAMES.get(p) ?? String(p));
        error(m.pos, `match ${m.name} requires -p ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`}`);
        continue;
      }
      if (m.name === "multiport" && m.firstOptOrder !== undefined && protoOrder > m.firstOptOrder) {
        // (iptables: "multiport needs `-p tcp', ..." - the protocol is asked for as the ports are read)
        error(m.pos, `match multiport reads the protocol when it reads its ports: write -p ${proto.name} before ${m.opts[0]!.node.name}, or iptables refuses the rule`);
        continue;
      }
    }
    const seen = new Set<string>();
    const unmodelled: Opt[] = [];
    for (const o of m.opts) {
      if (seen.has(o.name) && m.spec.options !== null) {
        error(o.node, `${o.node.name} given twice for match ${m.name}`);
        continue;
      }
      seen.add(o.name);
      const neg = o.negate ? { negate: true as const } : {};
      const arg0 = o.args[0] ?? "";
      switch (`${m.name} ${o.name}`) {
        case "tcp --sport":
        case "tcp --dport":
        case "udp --sport":
        case "udp --dport":
        case "sctp --sport":
        case "sctp --dport":
        case "dccp --sport":
        case "dccp --dport":
        case "udplite --sport":
        case "udplite --dport": {
          // iptables 1.8.9: tcp and sctp read a port in C notation and refuse a reversed range; udp
          // and dccp read decimal (modulo 65536) and take a reversed range
          const reader: PortReader = m.name === "udp" || m.name === "dccp" ? "xtopt" : "c";
          const r = parsePortRange(arg0, o.node.name, portProtoName, reader);
          if (!r.ok) {
            error(o.argPos[0]!, r.error);
            break;
          }
          for (const msg of portSurprises(arg0, o.node.name, reader)) ctx.diag("warning", o.argPos[0]!, msg);
          const field = o.name === "--sport" ? "sport" : "dport";
          if (r.value[0] > r.value[1]) {
            ctx.diag("warning", o.argPos[0]!, `port range '${arg0}' after ${o.node.name} is reversed and never matches`);
            conds.push({ kind: "port", field, ranges: [], ...neg });
            break;
          }
          conds.push({ kind: "port", field, ranges: [r.value], ...neg });
          break;
        }
        case "tcp --tcp-flags": {
          const mask = parseTcpFlags(o.args[0]!);
          const comp = parseTcpFlags(o.args[1]!);
          if (!mask.ok) error(o.argPos[0]!, mask.error);
          else if (!comp.ok) error(o.argPos[1]!, comp.error);
          else conds.push({ kind: "tcpflags", mask: mask.value, comp: comp.value, ...neg });
          break;
        }
        case "tcp --syn":
          conds.push({ kind: "tcpflags", mask: 0x17, comp: 0x02, ...neg });
          break;
        case "icmp --icmp-type":
        case "icmp6 --icmpv6-type": {
          const r = parseIcmpType(arg0, ctx.family, o.node.name);
          if (!r.ok) {
            error(o.argPos[0]!, r.error);
            break;
          }
          if (r.value.codeLo !== undefined && r.value.codeHi !== undefined && r.value.codeLo > r.value.codeHi) {
            // iptables accepts it; the kernel's code test (min <= code <= max) never holds
            ctx.diag("warning", o.argPos[0]!, `ICMP code range in '${arg0}' after ${o.node.name} is reversed and never matches`);
            conds.push({ kind: "or", anyOf: [], ...neg });
            break;
          }
          conds.push({ kind: "icmp", family: ctx.family, ...r.value, ...neg });
          break;
        }
        case "multiport --sports":
        case "multiport --dports":
        case "multiport --ports": {
          if (m.opts[0]!.name !== o.name) {
            error(o.node, `multiport takes only one of --sports, --dports and --ports`);
            break;
          }
          const r = parsePortList(arg0, o.node.name, portProtoName);
          if (!r.ok) {
            error(o.argPos[0]!, r.error);
            break;
          }
          for (const msg of portSurprises(arg0, o.node.name, "c")) ctx.diag("warning", o.argPos[0]!, msg);
          if (o.name === "--ports") {
            conds.push({
              kind: "or",
              anyOf: [[{ kind: "port", field: "sport", ranges: r.value }], [{ kind: "port", field: "dport", ranges: r.value }]],
              ...neg,
            });
          } else conds.push({ kind: "port", field: o.name === "--sports" ? "sport" : "dport", ranges: r.value, ...neg });
          break;
        }
        case "conntrack --ctstate":
        case "state --state": {
          const r = parseStates(arg0, o.node.name, m.name === "conntrack");
          if (!r.ok) {
            error(o.argPos[0]!, r.error);
            break;
          }
          // DNAT alone is whether the connection was DNATed, decided per packet from its path (see the
          // ct-dnat condition); SNAT, and lists mixing states, are not modelled
          if (m.name === "conntrack" && r.value.states.length === 0 && r.value.nat.length === 1 && r.value.nat[0] === "DNAT") conds.push({ kind: "ct-dnat", text: `-m conntrack ${optText(o)}`, ...neg });
          else if (r.value.nat.length > 0) unmodelled.push(o);
          else conds.push({ kind: "ctstate", states: r.value.states, ...neg });
          break;
        }
        // not modelled (kept as unknown), but checked the way iptables 1.8.9 checks them
        case "conntrack --ctexpire": {
          const parts = arg0.split(":");
          if (arg0 === "" || parts.length > 2 || parts.some((p) => p !== "" && parseCInt(p, 4294967295) === null)) {
            error(o.argPos[0]!, `expected a time in seconds or a range min:max (0-4294967295) after ${o.node.name}, found '${arg0}'`);
            break;
          }
          unmodelled.push(o);
          break;
        }
        case "conntrack --ctproto":
          if (parseProtocol(arg0) === null) {
            error(o.argPos[0]!, `unknown protocol '${arg0}' after ${o.node.name}`);
            break;
          }
          unmodelled.push(o);
          break;
        case "conntrack --ctstatus":
          if (arg0.split(",").some((s) => !CT_STATUSES.has(s.toUpperCase()))) {
            error(o.argPos[0]!, `unknown conntrack status in '${arg0}' after ${o.node.name} (expected NONE, EXPECTED, SEEN_REPLY, ASSURED or CONFIRMED)`);
            break;
          }
          unmodelled.push(o);
          break;
        case "conntrack --ctdir":
          if (arg0 !== "ORIGINAL" && arg0 !== "REPLY") {
            error(o.argPos[0]!, `expected ORIGINAL or REPLY after ${o.node.name}, found '${arg0}'`);
            break;
          }
          unmodelled.push(o);
          break;
        case "dccp --dccp-option": {
          const n = parseCInt(arg0, 255);
          if (n === null || n < 1) {
            error(o.argPos[0]!, `expected a DCCP option number (1-255) after ${o.node.name}, found '${arg0}'`);
            break;
          }
          unmodelled.push(o);
          break;
        }
        case "iprange --src-range":
        case "iprange --dst-range": {
          const dash = arg0.indexOf("-");
          const lo = arg0.includes("/") ? null : parseAddrRange(dash === -1 ? arg0 : arg0.slice(0, dash), ctx.family);
          const hi = arg0.includes("/") ? null : parseAddrRange(dash === -1 ? arg0 : arg0.slice(dash + 1), ctx.family);
          if (!lo || !hi) {
            error(o.argPos[0]!, `expected an IPv${ctx.family} address range (first-last) after ${o.node.name}, found '${arg0}'`);
            break;
          }
          const field = o.name === "--src-range" ? "src" : "dst";
          if (lo.lo > hi.lo) {
            // iptables accepts it ("reversed and will never match"): an empty set
            ctx.diag("warning", o.argPos[0]!, `address range '${arg0}' after ${o.node.name} is reversed and never matches`);
            conds.push({ kind: "addr", field, family: ctx.family, ranges: [], ...neg });
            break;
          }
          conds.push({ kind: "addr", field, family: ctx.family, ranges: [{ lo: lo.lo, hi: hi.lo }], ...neg });
          break;
        }
        case "comment --comment":
          // iptables (1.8.9, both backends) keeps the first 255 bytes and loads the rule
          if (Buffer.byteLength(arg0) > 255) ctx.diag("warning", o.argPos[0]!, `comment after --comment is ${Buffer.byteLength(arg0)} bytes long: iptables keeps only its first 255`);
          comment = comment === undefined ? arg0 : `${comment}; ${arg0}`;
          break;
        case "ttl --ttl-eq":
        case "ttl --ttl-lt":
        case "ttl --ttl-gt":
        case "hl --hl-eq":
        case "hl --hl-lt":
        case "hl --hl-gt": {
          if (m.opts.length > 1) {
            // said once, where the second option starts
            if (o !== m.opts[0]) error(o.node, `match ${m.name} takes one of --${m.name}-eq, --${m.name}-lt, --${m.name}-gt`);
            break;
          }
          const n = parseCInt(arg0, 255);
          if (n === null) {
            error(o.argPos[0]!, `expected a ${m.name === "ttl" ? "TTL" : "hop limit"} (0-255) after ${o.node.name}, found '${arg0}'`);
            break;
          }
          // `--ttl-lt 0` and `--ttl-gt 255` hold for no packet: an empty range
          conds.push({ kind: "ttl", ranges: comparisonRanges(o.name.slice(-2) as "eq" | "lt" | "gt", [n], 255), ...neg });
          break;
        }
        case "mark --mark": {
          const v = parseMarkValue(arg0);
          if (!v) {
            error(o.argPos[0]!, `expected a mark (VALUE or VALUE/MASK, 32-bit numbers) after --mark, found '${arg0}'`);
            break;
          }
          conds.push({ kind: "mark", mask: v.mask, values: [v.value], text: `-m mark ${optText(o)}`, ...neg });
          break;
        }
        case "mac --mac-source":
          if (!isMac(arg0)) {
            error(o.argPos[0]!, `expected a MAC address (XX:XX:XX:XX:XX:XX) after --mac-source, found '${arg0}'`);
            break;
          }
          conds.push({ kind: "unknown", text: `-m mac ${optText(o)}`, reason: "fwlint does not model MAC addresses" });
          break;
        case "set --match-set":
        case "set --set": {
          const flags = (o.args[1] ?? "").split(",");
          if (flags.length > 6 || flags.some((f) => f !== "src" && f !== "dst")) {
            error(o.argPos[1] ?? o.node, `expected up to 6 comma-separated flags, each 'src' or 'dst', after ${o.node.name} ${arg0}, found '${o.args[1] ?? ""}'`);
            break;
          }
          const text = `-m set ${optText(o)}`;
          const warning = ctx.ipsets ? setMatchWarning(ctx.ipsets, arg0, flags as ("src" | "dst")[], ctx.family) : undefined;
          if (warning) ctx.diag("warning", o.argPos[warning.at === "name" ? 0 : 1]!, warning.message);
          // counters compared, or nomatch elements reported as matches: what the saved content does not tell
          const beyond = m.opts.find((x) => x.name === "--return-nomatch" || /^--(packets|bytes)-(eq|lt|gt)$/.test(x.name));
          if (beyond) conds.push({ kind: "unknown", text: [text, optText(beyond)].join(" "), reason: `${beyond.name} of match set is not modelled` });
          else if (ctx.ipsets) conds.push(...setMatchConditions(ctx.ipsets, arg0, flags as ("src" | "dst")[], ctx.family, o.negate, text));
          else conds.push({ kind: "unknown", text, reason: `ipset '${arg0}' is defined outside the ruleset` });
          break;
        }
        case "set --return-nomatch":
        case "set --packets-eq":
        case "set --packets-lt":
        case "set --packets-gt":
        case "set --bytes-eq":
        case "set --bytes-lt":
        case "set --bytes-gt":
        case "set --update-counters":
        case "set --update-subcounters":
          // (taken with --match-set above; updating counters changes no verdict)
          break;
        default:
          unmodelled.push(o);
      }
    }
    if (unmodelled.length > 0) {
      // (a TCP option the packet carries is the sender's to write: see decidedBySender)
      const written = unmodelled.every((o) => o.node.name === "--tcp-option");
      const unknown: Condition = {
        kind: "unknown",
        text: [`-m ${m.name}`, ...unmodelled.map(optText)].join(" "),
        reason: `${unmodelled.map((o) => o.node.name).join(", ")} of match ${m.name} not modelled`,
        ...(written ? { drawn: true as const } : {}),
      };
      const stateOpt = m.opts.find((o) => o.name === "--ctstate");
      const state = conds.find((c) => c.kind === "ctstate");
      // (a --ctstate of NAT states is in the unknown itself: what a packet without a connection gets is not told)
      conds.push(...(stateOpt && !state ? [unknown] : withoutConnection(m.name, state, unknown)));
    }
    entries.push({ order: m.order, conds });
  }

  // ---- target -> action ----
  let targetRef: TargetRef = { kind: "none" };
  if (target) {
    if (target.goto || !target.spec) {
      if (target.opts.length > 0) error(target.opts[0]!.node, `unknown option ${target.opts[0]!.node.name} (${target.name} is a chain, it takes no options)`);
      targetRef = { kind: "chain", name: target.name, goto: target.goto, pos: target.pos };
    } else if (!target.refusedOption) {
      const action = targetAction(target, ctx, proto, error);
      const setMark = action ? markRewriteOf(target, error) : undefined;
      if (action && setMark !== null) targetRef = { kind: "action", action, pos: target.pos, ...(setMark ? { setMark } : {}) };
    }
  }

  if (failed) return null;

  entries.sort((a, b) => a.order - b.order);
  const variants: Condition[][] = [];
  for (const s of srcAlts ?? [undefined]) {
    for (const d of dstAlts ?? [undefined]) {
      const conds: Condition[] = [];
      for (const e of entries) {
        if ("slot" in e) {
          const c = e.slot === "src" ? s : d;
          if (c) conds.push(c);
        } else conds.push(...e.conds);
      }
      // (a match on a list filled from outside: one rule per disjoint alternative, see outside-filled.ts)
      variants.push(...splitRule(conds));
    }
  }
  return { variants, target: targetRef, ...(comment !== undefined ? { comment } : {}), ...(recent.length > 0 ? { recent } : {}) };
}

/** `VALUE[/MASK]` of `-m mark --mark` and MARK's options (the mask is all ones when not given). */
function parseMarkValue(text: string): { value: number; mask: number } | undefined {
  const [v, m, more] = text.split("/");
  if (more !== undefined) return undefined;
  const value = parseCInt(v ?? "", 0xffffffff);
  const mask = m === undefined ? 0xffffffff : parseCInt(m, 0xffffffff);
  return value === null || mask === null ? undefined : { value, mask };
}

/**
 * MARK's options as iptables hands them to the kernel (xt_mark_tginfo2): the value XORed in and
 * the mask of bits cleared first. The options that take a mask (VALUE/MASK) get it as `mask`.
 */
const MARK_OPTIONS: Readonly<Record<string, { masked: boolean; kernel: (value: number, mask: number) => { xor: number; clear: number } }>> = nameTable({
  "--set-xmark": { masked: true, kernel: (value, mask) => ({ xor: value, clear: mask }) },
  "--set-mark": { masked: true, kernel: (value, mask) => ({ xor: value, clear: mask | value }) },
  "--and-mark": { masked: false, kernel: (value) => ({ xor: 0, clear: ~value }) },
  "--or-mark": { masked: false, kernel: (value) => ({ xor: value, clear: value }) },
  "--xor-mark": { masked: false, kernel: (value) => ({ xor: value, clear: 0 }) },
});

/**
 * What MARK does to the packet mark, as (mark & and) ^ xor; CONNMARK --restore-mark copies the
 * connection's mark (not known here). Undefined: the target leaves the packet mark alone; null:
 * an option was malformed (reported).
 */
function markRewriteOf(t: TargetInstance, error: (pos: Pos, msg: string) => void): MarkRewrite | undefined | null {
  if (t.name === "CONNMARK") return t.opts.some((o) => o.name === "--restore-mark") ? "unknown" : undefined;
  if (t.name !== "MARK") return undefined;
  let rewrite: MarkRewrite | undefined;
  for (const o of t.opts) {
    const op = MARK_OPTIONS[o.name];
    if (!op) continue;
    const text = o.args[0] ?? "";
    const v = parseMarkValue(text);
    if (!v || (!op.masked && text.includes("/"))) {
      error(o.argPos[0] ?? t.pos, `expected ${op.masked ? "VALUE[/MASK]" : "a 32-bit value"} after ${o.name}, found '${text}'`);
      return null;
    }
    const { xor, clear } = op.kernel(v.value, v.mask);
    rewrite = { and: ~clear >>> 0, xor: xor >>> 0 };
  }
  if (!rewrite) {
    error(t.pos, "MARK needs one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark");
    return null;
  }
  return rewrite;
}

/**
 * The reject type `--reject-with TEXT` names as libxt_REJECT reads it: the first type, in its
 * table's order, whose name or alias TEXT begins in any case (`icmp-host` is
 * icmp-host-unreachable, `ICMP-PORT-UNREACHABLE` and `port` icmp-port-unreachable).
 */
function rejectType(family: Family, text: string): string | undefined {
  const written = text.toLowerCase();
  for (const [name, canonical] of REJECT_WITH[family]) if (name.startsWith(written)) return canonical;
  return undefined;
}

/**
 * The options with getopt's reading of a generic option that needs an argument and has none: it
 * takes the next word whatever it is, so `-o --dport -j DROP` is an interface named "--dport"
 * (iptables-restore loads it). What that next option was given is then a word too many ("Bad
 * argument"), reported. A '!' is such a word too: `-i ! -j ACCEPT` is the interface named '!'
 * (iptables-save writes the rule so), and -j is not negated.
 */
function givenNextWord(written: readonly OptionNode[], error: (pos: Pos, msg: string) => void): OptionNode[] {
  const options = [...written];
  const out: OptionNode[] = [];
  for (let i = 0; i < options.length; i++) {
    const node = options[i]!;
    const next = options[i + 1];
    if (!(GENERIC[node.name]?.min ?? 0) || node.args.length > 0 || next === undefined) {
      out.push(node);
      continue;
    }
    if (next.bang !== undefined) {
      out.push({ ...node, args: [{ text: "!", raw: "!", quoted: false, ...next.bang }] });
      const { bang: _given, ...unnegated } = next;
      options[i + 1] = unnegated;
      continue;
    }
    out.push({ ...node, args: [{ text: next.name, raw: next.name, quoted: false, line: next.line, column: next.column }] });
    if (next.args.length > 0) error(next.args[0]!, `unexpected '${next.args[0]!.text}' after ${node.name} ${next.name}`);
    i++;
  }
  return out;
}

/** An option as extension-options.ts reads it. */
function givenOption(o: Opt): GivenOption {
  return { name: o.name, negate: o.negate, args: o.args, pos: o.node.bang ?? o.node, argPos: o.argPos };
}

function targetAction(
  t: TargetInstance,
  ctx: RuleContext,
  proto: { num: number; name: string; negate: boolean } | undefined,
  error: (pos: Pos, msg: string) => void,
): Action | null {
  const spec = t.spec!;
  const seen = new Set<string>();
  for (const o of t.opts) {
    if (seen.has(o.name) && spec.options !== null) {
      error(o.node, `${o.name} given twice for target ${t.name}`);
      return null;
    }
    seen.add(o.name);
  }
  if (spec.tables && !spec.tables.includes(ctx.table)) {
    error(t.pos, `target ${t.name} is only valid in the ${spec.tables.join(" or ")} table${spec.tables.length > 1 ? "s" : ""}, not in ${ctx.table}`);
    return null;
  }
  if (spec.hooks && ctx.chainIsBuiltin && !spec.hooks.includes(ctx.chain)) {
    error(t.pos, `target ${t.name} is not valid in built-in chain ${ctx.chain} (only ${spec.hooks.join(", ")})`);
    return null;
  }
  const problem = extensionProblem("target", t.name, t.opts.map(givenOption), { ...ctx, proto }, t.pos);
  if (problem) {
    error(problem.at, problem.message);
    return null;
  }
  if (t.name === "DROP" && ctx.table === "nat") {
    error(t.pos, `the nat table is not for filtering: iptables refuses -j DROP there`);
    return null;
  }
  const opt = (name: string) => t.opts.find((o) => o.name === name);
  const text = [t.name, ...t.opts.map(optText)].join(" ");
  const portProto = proto !== undefined && !proto.negate && PORT_PROTOCOLS.has(proto.num) && proto.num !== 136;
  switch (spec.kind) {
    case "accept":
      return { kind: "accept" };
    case "drop":
      return { kind: "drop" };
    case "return":
      return { kind: "return" };
    case "continue":
      if (t.name === "LOG") {
        const level = opt("--log-level");
        if (level) {
          const n = parseCInt(level.args[0]!, 7);
          if (n === null && !LOG_LEVELS.has(level.args[0]!)) {
            error(level.argPos[0]!, `unknown log level '${level.args[0]}' after --log-level (expected 0-7, emerg, alert, crit, error, warning, notice, info or debug)`);
            return null;
          }
        }
        const prefix = opt("--log-prefix");
        if (prefix && prefix.args[0] === "") {
          error(prefix.argPos[0]!, `--log-prefix needs at least one character`);
          return null;
        }
      }
      return { kind: "continue", target: text };
    case "unknown":
      if (t.name === "NETMAP") return netmapAction(opt("--to"), t.pos, text, ctx, error);
      return { kind: "unknown", target: text };
    case "reject": {
      const w = opt("--reject-with");
      if (!w) return { kind: "reject" };
      const canonical = rejectType(ctx.family, w.args[0]!);
      if (!canonical) {
        error(w.argPos[0]!, `unknown reject type '${w.args[0]}' after --reject-with`);
        return null;
      }
      if (canonical === "tcp-reset" && (!proto || proto.negate || proto.num !== 6)) {
        error(w.argPos[0]!, `--reject-with tcp-reset needs -p tcp`);
        return null;
      }
      return { kind: "reject", with: canonical };
    }
    case "dnat":
    case "snat": {
      if (t.name === "DNAT" || t.name === "SNAT") {
        const name = t.name === "DNAT" ? "--to-destination" : "--to-source";
        const o = opt(name);
        if (!o) {
          error(t.pos, `${t.name} needs ${name}`);
          return null;
        }
        const r = parseNatSpec(o.args[0]!, ctx.family, name);
        if (!r.ok) {
          error(o.argPos[0]!, r.error);
          return null;
        }
        if (r.value.ports && !portProto) {
          error(o.argPos[0]!, `${t.name} with a port needs -p tcp, udp, sctp or dccp`);
          return null;
        }
        if (r.value.ports && (opt("--random") || opt("--random-fully"))) r.value.randomPort = true;
        return { kind: spec.kind, to: r.value, target: text } as Action;
      }
      // REDIRECT, MASQUERADE
      const o = opt("--to-ports");
      if (!o) return { kind: spec.kind, to: { family: ctx.family }, target: text } as Action;
      const r = parseToPorts(o.args[0]!, "--to-ports", t.name !== "REDIRECT");
      if (!r.ok) {
        error(o.argPos[0]!, r.error);
        return null;
      }
      if (!portProto) {
        error(o.argPos[0]!, `${t.name} --to-ports needs -p tcp, udp, sctp or dccp`);
        return null;
      }
      return { kind: spec.kind, to: { ports: r.value, family: ctx.family }, target: text } as Action;
    }
  }
}

/**
 * NETMAP --to ADDR/LEN: a 1:1 mapping of the destination (in PREROUTING and OUTPUT) or the source
 * (POSTROUTING, INPUT) onto the network, each address keeping its host bits. In a user chain the
 * kernel chooses by the hook the packet came through, which the rule does not tell: unknown there.
 */
function netmapAction(o: { args: string[]; argPos: Pos[] } | undefined, pos: Pos, text: string, ctx: RuleContext, error: (pos: Pos, message: string) => void): Action | null {
  if (!o) {
    error(pos, "NETMAP needs --to ADDRESS[/MASK]");
    return null;
  }
  const r = parseAddrSpec(o.args[0]!, ctx.family);
  if (!r.ok || r.prefix === null) {
    error(o.argPos[0]!, `--to: ${r.ok ? "a NETMAP network needs a contiguous mask" : r.detail} (expected ADDRESS[/MASK])`);
    return null;
  }
  const to = { addr: r.range, family: ctx.family, map: { kind: "prefix" as const } };
  if (ctx.chain === "PREROUTING" || ctx.chain === "OUTPUT") return { kind: "dnat", to, target: text };
  if (ctx.chain === "POSTROUTING" || ctx.chain === "INPUT") return { kind: "snat", to, target: text };
  return { kind: "unknown", target: text };
}

/** Chain names iptables accepts: at most 28 characters, no blanks, not starting with - or !. */
export function chainNameProblem(name: string): string | undefined {
  if (name.length === 0) return "a chain name is empty";
  if (name.length > 28) return `chain name '${name}' is longer than 28 characters`;
  if (name.startsWith("-") || name.startsWith("!")) return `chain name '${name}' may not start with '${name[0]}'`;
  if (/\s/.test(name)) return `chain name '${name}' contains a blank`;
  if (TARGETS.has(name)) return `chain name '${name}' clashes with the target of that name`;
  return undefined;
}

/**
 * An unmodelled test of the packet's connection, as the kernel answers it for a packet that has
 * none - an INVALID or UNTRACKED one, and every packet in the raw table, before connection tracking
 * (see stateBeforeConntrack in compile.ts): `-m connmark` does not match it (xt_connmark returns
 * false before looking at --mark or its `!`), and `-m conntrack` matches it by its --ctstate
 * (`state`) alone, its other options not looked at - and not at all without one (checked with the
 * kernel: `-t raw ... -m conntrack --ctorigsrc 10.0.0.0/8 -j DROP` drops nothing, `--ctstate
 * INVALID --ctorigsrc 192.168.0.0/16` every packet from anywhere). So a --ctstate of such states
 * alone leaves nothing unknown, one of states with a connection leaves the unknown as it is (a
 * mix of both too: uncertain where it is not), and none asks for a connection. Other matches:
 * the condition as it is.
 */
function withoutConnection(match: string, state: Condition | undefined, unknown: Condition): Condition[] {
  if (match === "connmark" || (match === "conntrack" && !state)) return [{ kind: "ctstate", states: [...CONNECTED_STATES] }, unknown];
  if (match === "conntrack" && state?.kind === "ctstate" && !CONNECTED_STATES.some((x) => stateHolds(state, x))) return [];
  return [unknown];
}
