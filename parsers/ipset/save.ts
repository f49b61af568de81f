/**
 * `ipset save` output (and `ipset restore` input): the sets an iptables ruleset's `-m set
 * --match-set NAME` names, with their type, family and elements. netfilter-persistent keeps it
 * in /etc/iptables/ipsets beside rules.v4, Fedora in /etc/sysconfig/ipset, Arch in /etc/ipset.conf.
 *
 *   readIpsetSave(text, file) -> { sets, diagnostics }    never throws
 *   looksLikeIpsetSave(text) -> boolean
 *
 * Commands read: create (n, -N), add (a, -A), del (d, -D), flush (-F), destroy (x, -X), rename
 * (e, -E), swap (w, -W), in file order as `ipset restore` runs them. Elements are read as the
 * set's type reads them (ipset 7): addresses, ranges and networks, [proto:]port[-port] with
 * service and ICMP names, interfaces, MAC addresses and marks (kept as text: fwlint does not model
 * them), member sets of a list:set.
 */
import { familyBits, familyMax, parseIP, prefixRange } from "../../src/model/address.js";
import { ICMP_TYPES, ICMPV6_TYPES, lookupIcmpType, protocolNumber, servicePort } from "../../src/model/names.js";
import type { AddrRange, Diagnostic, DiagnosticSeverity, Family } from "../../src/model/types.js";

export type IpsetDim = "ip" | "net" | "port" | "iface" | "mac" | "mark" | "set";

/** One dimension of an element. */
export type IpsetPart =
  /** `prefix`: the network's length (a single address: the family's bit count); for `ip` parts of a range, undefined. */
  | { dim: "ip" | "net"; range: AddrRange; prefix?: number }
  /** tcp, udp, sctp, udplite: a port range; icmp/icmpv6: one type and code; any other protocol: the protocol alone. */
  | { dim: "port"; proto: number; ports?: [number, number]; icmp?: { type: number; code: number } }
  | { dim: "iface"; name: string; physdev: boolean }
  | { dim: "mac" | "mark"; text: string }
  | { dim: "set"; name: string };

export interface IpsetEntry {
  parts: IpsetPart[];
  /** Added with `nomatch`: a packet whose most specific element is this one is not in the set. */
  nomatch: boolean;
  line: number;
}

export interface IpsetDef {
  name: string;
  /** As written: hash:net,port. */
  type: string;
  dims: IpsetDim[];
  family: Family;
  /** Elements have a lifetime (`timeout` on create): what was saved is a moment's content. */
  timeout: boolean;
  entries: IpsetEntry[];
  file: string;
  line: number;
}

export interface IpsetFile {
  sets: Map<string, IpsetDef>;
  diagnostics: Diagnostic[];
}

/** The types ipset 7 has, with the dimensions of their elements. */
export const IPSET_TYPES: ReadonlyMap<string, readonly IpsetDim[]> = new Map<string, IpsetDim[]>([
  ["bitmap:ip", ["ip"]],
  ["bitmap:ip,mac", ["ip", "mac"]],
  ["bitmap:port", ["port"]],
  ["hash:ip", ["ip"]],
  ["hash:mac", ["mac"]],
  ["hash:ip,mac", ["ip", "mac"]],
  ["hash:net", ["net"]],
  ["hash:net,net", ["net", "net"]],
  ["hash:ip,port", ["ip", "port"]],
  ["hash:net,port", ["net", "port"]],
  ["hash:ip,port,ip", ["ip", "port", "ip"]],
  ["hash:ip,port,net", ["ip", "port", "net"]],
  ["hash:ip,mark", ["ip", "mark"]],
  ["hash:net,port,net", ["net", "port", "net"]],
  ["hash:net,iface", ["net", "iface"]],
  ["list:set", ["set"]],
]);

/** The older names ipset 7 still takes for its types (checked with ipset 7.17). */
const TYPE_ALIASES: ReadonlyMap<string, string> = new Map([
  ["iphash", "hash:ip"],
  ["nethash", "hash:net"],
  ["ipporthash", "hash:ip,port"],
  ["ipportiphash", "hash:ip,port,ip"],
  ["ipportnethash", "hash:ip,port,net"],
  ["netporthash", "hash:net,port"],
  ["ipmap", "bitmap:ip"],
  ["macipmap", "bitmap:ip,mac"],
  ["portmap", "bitmap:port"],
  ["setlist", "list:set"],
]);

/** A type as written, by its ipset 7 name; undefined when ipset has no such type. */
function typeNamed(written: string): string | undefined {
  const lower = written.toLowerCase();
  return IPSET_TYPES.has(lower) ? lower : TYPE_ALIASES.get(lower);
}

const COMMANDS: ReadonlyMap<string, string> = new Map([
  ["create", "create"], ["n", "create"], ["-N", "create"], ["--create", "create"],
  ["add", "add"], ["a", "add"], ["-A", "add"], ["--add", "add"],
  ["del", "del"], ["d", "del"], ["-D", "del"], ["--del", "del"],
  ["flush", "flush"], ["f", "flush"], ["-F", "flush"], ["--flush", "flush"],
  ["destroy", "destroy"], ["x", "destroy"], ["-X", "destroy"], ["--destroy", "destroy"],
  ["rename", "rename"], ["e", "rename"], ["-E", "rename"], ["--rename", "rename"],
  ["swap", "swap"], ["w", "swap"], ["-W", "swap"], ["--swap", "swap"],
]);

/** Flags a restore line may carry anywhere (they change nothing read here). */
const GLOBAL_FLAGS = new Set(["-exist", "-!", "-quiet", "-q", "--exist", "--quiet"]);

/** A file whose first command creates a set of a known type (or adds to one): `ipset save` output. */
export function looksLikeIpsetSave(text: string): boolean {
  for (const raw of text.slice(0, 4096).split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:create|-N)\s+\S+\s+(\S+)/.exec(line);
    return m !== null && typeNamed(m[1]!) !== undefined;
  }
  return false;
}

interface Word {
  text: string;
  column: number;
}

/** A line's words; a double-quoted word (a comment) is one word, without its quotes. */
/** A quoted word, an unterminated one, or a plain word. */
const WORD = /"([^"]*)"|("[^"]*$)|([^\s"]\S*)/g;

function words(line: string): Word[] | string {
  const out: Word[] = [];
  for (const m of line.matchAll(WORD)) {
    if (m[2] !== undefined) return `unterminated quoted string at column ${m.index + 1}`;
    out.push({ text: m[1] ?? m[3]!, column: m.index + 1 });
  }
  return out;
}

/** Options that take a value, per create/add. Others are flags. */
const CREATE_VALUED = new Set(["family", "hashsize", "maxelem", "timeout", "netmask", "range", "size", "bucketsize", "initval", "markmask", "bitmask"]);
const CREATE_FLAGS = new Set(["counters", "comment", "skbinfo", "forceadd"]);
const ADD_VALUED = new Set(["timeout", "packets", "bytes", "comment", "skbmark", "skbprio", "skbqueue"]);
const ADD_FLAGS = new Set(["nomatch"]);

export function readIpsetSave(text: string, file: string): IpsetFile {
  const sets = new Map<string, IpsetDef>();
  /** Per set, its netmask (hash:ip netmask 24 stores and tests the /24 an address is in). */
  const netmasks = new Map<string, number>();
  const diagnostics: Diagnostic[] = [];
  const diag = (severity: DiagnosticSeverity, line: number, column: number, message: string) => diagnostics.push({ severity, message, file, line, column });
  const lines = text.split("\n");
  for (let k = 0; k < lines.length; k++) {
    const lineNo = k + 1;
    const raw = lines[k]!.replace(/\r$/, "");
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const ws = words(raw);
    if (typeof ws === "string") {
      diag("error", lineNo, 1, `${ws}; the line is not read`);
      continue;
    }
    const all = ws.filter((w) => !GLOBAL_FLAGS.has(w.text));
    if (all.length === 0) {
      diag("error", lineNo, ws[0]!.column, `expected an ipset command after '${ws.map((w) => w.text).join(" ")}' (ipset restore: "No command specified")`);
      continue;
    }
    const command = COMMANDS.get(all[0]!.text);
    if (command === undefined) {
      if (all[0]!.text === "COMMIT") continue; // written by some tools after a restore block: ipset restore ignores nothing else, nor this
      diag("error", lineNo, all[0]!.column, `expected an ipset command (create, add, del, flush, destroy, rename, swap), found '${all[0]!.text}'`);
      continue;
    }
    const args = all.slice(1);
    const named = (w: Word | undefined): IpsetDef | undefined => {
      if (w === undefined) {
        diag("error", lineNo, raw.length + 1, `${command} needs a set name`);
        return undefined;
      }
      const set = sets.get(w.text);
      if (!set) diag("error", lineNo, w.column, `set '${w.text}' does not exist (ipset restore refuses the line)`);
      return set;
    };
    switch (command) {
      case "create": {
        const [nameW, typeW, ...opts] = args;
        if (!nameW || !typeW) {
          diag("error", lineNo, raw.length + 1, "create needs a set name and a type");
          break;
        }
        if (sets.has(nameW.text)) {
          diag("error", lineNo, nameW.column, `set '${nameW.text}' already exists (ipset restore refuses the line without -exist)`);
          break;
        }
        const type = typeNamed(typeW.text);
        const dims = type === undefined ? undefined : IPSET_TYPES.get(type);
        if (type === undefined || !dims) {
          diag("error", lineNo, typeW.column, `unknown set type '${typeW.text}' (ipset 7 has ${[...IPSET_TYPES.keys()].join(", ")})`);
          break;
        }
        let family: Family = 4;
        let timeout = false;
        let bad = false;
        for (let i = 0; i < opts.length; i++) {
          const o = opts[i]!;
          const key = o.text.replace(/^--/, "").toLowerCase(); // (ipset takes `--hashsize` for `hashsize`)
          if (CREATE_FLAGS.has(key)) continue;
          if (!CREATE_VALUED.has(key)) {
            diag("error", lineNo, o.column, `unknown option '${o.text}' of create`);
            bad = true;
            break;
          }
          const v = opts[++i];
          if (v === undefined) {
            diag("error", lineNo, o.column, `option ${o.text} needs a value`);
            bad = true;
            break;
          }
          if (key === "family") {
            if (v.text === "inet" || v.text === "ipv4") family = 4;
            else if (v.text === "inet6" || v.text === "ipv6") family = 6;
            else {
              diag("error", lineNo, v.column, `expected family inet or inet6, found '${v.text}'`);
              bad = true;
            }
          } else if (key === "timeout") timeout = true;
          else if (key === "netmask") {
            const n = /^\d+$/.test(v.text) ? Number(v.text) : NaN;
            if (!(n >= 1 && n <= 128)) {
              diag("error", lineNo, v.column, `expected a netmask length after netmask, found '${v.text}'`);
              bad = true;
            } else netmasks.set(nameW.text, n);
          }
        }
        if (bad) break;
        const mask = netmasks.get(nameW.text);
        if (mask !== undefined && mask > familyBits(family)) {
          diag("error", lineNo, nameW.column, `netmask ${mask} is longer than an IPv${family} address`);
          break;
        }
        sets.set(nameW.text, { name: nameW.text, type, dims: [...dims], family, timeout, entries: [], file, line: lineNo });
        break;
      }
      case "add":
      case "del": {
        const set = named(args[0]);
        if (!set) break;
        const elemW = args[1];
        if (!elemW) {
          diag("error", lineNo, raw.length + 1, `${command} needs an element of set '${set.name}'`);
          break;
        }
        let nomatch = false;
        let bad = false;
        for (let i = 2; i < args.length; i++) {
          const o = args[i]!;
          const key = o.text.replace(/^--/, "").toLowerCase(); // (ipset takes `--hashsize` for `hashsize`)
          if (ADD_FLAGS.has(key)) {
            nomatch = true;
            continue;
          }
          if (!ADD_VALUED.has(key) || args[i + 1] === undefined) {
            diag("error", lineNo, o.column, ADD_VALUED.has(key) ? `option ${o.text} needs a value` : `unknown option '${o.text}' of ${command}`);
            bad = true;
            break;
          }
          i++;
        }
        if (bad) break;
        if (nomatch && !set.dims.includes("net")) {
          diag("error", lineNo, elemW.column, `nomatch: set type ${set.type} has no nomatch elements`);
          break;
        }
        const parsed = elementEntries(elemW.text, set, netmasks.get(set.name));
        if (typeof parsed === "string") {
          diag("error", lineNo, elemW.column, `${parsed} (element of ${set.type} set '${set.name}')`);
          break;
        }
        if (command === "add") {
          for (const parts of parsed) set.entries.push({ parts, nomatch, line: lineNo });
        } else {
          const keys = new Set(parsed.map(partsKey));
          set.entries = set.entries.filter((e) => !keys.has(partsKey(e.parts)));
        }
        break;
      }
      case "flush":
      case "destroy": {
        const targets = args[0] ? [named(args[0])].filter((s): s is IpsetDef => s !== undefined) : [...sets.values()];
        for (const s of targets) {
          if (command === "flush") s.entries = [];
          else sets.delete(s.name);
        }
        break;
      }
      case "rename":
      case "swap": {
        const a = named(args[0]);
        const bW = args[1];
        if (!a) break;
        if (!bW) {
          diag("error", lineNo, raw.length + 1, `${command} needs two set names`);
          break;
        }
        if (command === "rename") {
          if (sets.has(bW.text)) {
            diag("error", lineNo, bW.column, `set '${bW.text}' already exists`);
            break;
          }
          sets.delete(a.name);
          a.name = bW.text;
          sets.set(a.name, a);
        } else {
          const b = named(bW);
          if (!b) break;
          sets.set(a.name, { ...b, name: a.name });
          sets.set(b.name, { ...a, name: b.name });
        }
        break;
      }
    }
  }
  return { sets, diagnostics };
}

/** A part's identity, for `del`. */
function partsKey(parts: readonly IpsetPart[]): string {
  return parts
    .map((p) => {
      switch (p.dim) {
        case "ip":
        case "net":
          return `${p.range.lo}-${p.range.hi}`;
        case "port":
          return `${p.proto}:${p.ports?.join("-") ?? ""}:${p.icmp ? `${p.icmp.type}/${p.icmp.code}` : ""}`;
        case "iface":
          return `${p.physdev ? "physdev:" : ""}${p.name}`;
        case "mac":
        case "mark":
          return p.text.toLowerCase();
        case "set":
          return p.name;
      }
    })
    .join(",");
}

/**
 * The element's entries (a range of networks is stored as the networks covering it, as ipset does;
 * every other part is one entry's part); a message when the element does not read.
 */
function elementEntries(text: string, set: IpsetDef, netmask: number | undefined): IpsetPart[][] | string {
  const pieces = text.split(",");
  if (pieces.length !== set.dims.length) {
    return `'${text}' has ${pieces.length} part${pieces.length === 1 ? "" : "s"}; the type's elements have ${set.dims.length}`;
  }
  if (pieces.length === 1) {
    // (one dimension, the large sets' case: no combinations to make)
    const options = partOptions(pieces[0]!, set.dims[0]!, set, netmask);
    return typeof options === "string" ? options : options.map((o) => [o]);
  }
  let out: IpsetPart[][] = [[]];
  for (let i = 0; i < pieces.length; i++) {
    const options = partOptions(pieces[i]!, set.dims[i]!, set, netmask);
    if (typeof options === "string") return options;
    out = out.flatMap((prefix) => options.map((o) => [...prefix, o]));
    if (out.length > 1_000_000) return `'${text}' stands for more than 1,000,000 elements`;
  }
  return out;
}

const PORT_PROTOS: ReadonlySet<number> = new Set([6, 17, 132, 136]);

function partOptions(text: string, dim: IpsetDim, set: IpsetDef, netmask: number | undefined): IpsetPart[] | string {
  switch (dim) {
    case "ip":
    case "net":
      return addressPart(text, dim, set.family, netmask);
    case "port":
      return portPart(text, set.family, set.type === "bitmap:port");
    case "iface": {
      const physdev = text.startsWith("physdev:");
      const name = physdev ? text.slice("physdev:".length) : text;
      if (name === "" || name.length > 15 || /[\s/]/.test(name)) return `expected an interface name, found '${text}'`;
      return [{ dim: "iface", name, physdev }];
    }
    case "mac":
      if (!/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(text)) return `expected a MAC address, found '${text}'`;
      return [{ dim: "mac", text }];
    case "mark":
      if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) return `expected a mark, found '${text}'`;
      return [{ dim: "mark", text }];
    case "set":
      return [{ dim: "set", name: text }];
  }
}

function addressPart(text: string, dim: "ip" | "net", family: Family, netmask: number | undefined): IpsetPart[] | string {
  const bits = familyBits(family);
  // (as ipset reads them: IPv4 in inet_aton's forms - 1.2.3, octal 010.0.0.1 - but no hex)
  const addr = (s: string): bigint | string => (family === 4 && /0x/i.test(s) ? null : parseIP(s, family)) ?? `expected an IPv${family} address, found '${s}'`;
  let lo: bigint;
  let hi: bigint;
  let prefix: number | undefined;
  const slash = text.indexOf("/");
  const dash = family === 4 ? text.indexOf("-") : text.indexOf("-", 1);
  if (slash >= 0) {
    const a = addr(text.slice(0, slash));
    if (typeof a === "string") return a;
    const len = /^\d+$/.test(text.slice(slash + 1)) ? Number(text.slice(slash + 1)) : NaN;
    if (!(len >= (dim === "net" ? 1 : 0) && len <= bits)) return `expected a prefix length after '/' in '${text}'`;
    ({ lo, hi } = prefixRange(a, len, family));
    prefix = len;
  } else if (dash > 0) {
    const a = addr(text.slice(0, dash));
    const b = addr(text.slice(dash + 1));
    if (typeof a === "string") return a;
    if (typeof b === "string") return b;
    if (a > b) return `the range '${text}' ends before it starts`;
    lo = a;
    hi = b;
  } else {
    const a = addr(text);
    if (typeof a === "string") return a;
    lo = hi = a;
    prefix = bits;
  }
  if (dim === "ip") {
    // hash:ip netmask N stores the network an address is in and tests the packet's the same way
    if (netmask !== undefined) {
      lo = prefixRange(lo, netmask, family).lo;
      hi = prefixRange(hi, netmask, family).hi;
    }
    return [{ dim, range: { lo, hi } }];
  }
  if (prefix !== undefined) return [{ dim, range: { lo, hi }, prefix }];
  return coveringNetworks(lo, hi, family).map((n) => ({ dim, range: n.range, prefix: n.prefix }));
}

/** The fewest networks covering lo-hi exactly (what ipset stores for a range added to a net set). */
function coveringNetworks(lo: bigint, hi: bigint, family: Family): { range: AddrRange; prefix: number }[] {
  const bits = familyBits(family);
  const max = familyMax(family);
  const out: { range: AddrRange; prefix: number }[] = [];
  let at = lo;
  while (at <= hi) {
    let size = 0;
    while (size < bits && (at & ((1n << BigInt(size + 1)) - 1n)) === 0n && at + (1n << BigInt(size + 1)) - 1n <= hi) size++;
    const end = at + (1n << BigInt(size)) - 1n;
    out.push({ range: { lo: at, hi: end }, prefix: bits - size });
    if (end >= max) break;
    at = end + 1n;
  }
  return out;
}

/** `tcpOrUdp`: a bitmap:port set's element, where ipset 7.17 refuses any other protocol (and crashes on icmp). */
function portPart(text: string, family: Family, tcpOrUdp: boolean): IpsetPart[] | string {
  const colon = text.indexOf(":");
  const protoText = colon >= 0 ? text.slice(0, colon) : "tcp";
  const rest = colon >= 0 ? text.slice(colon + 1) : text;
  const proto = /^\d+$/.test(protoText) ? Number(protoText) : protocolNumber(protoText.toLowerCase());
  if (proto === null || proto > 255) return `unknown protocol '${protoText}' in '${text}'`;
  if (tcpOrUdp && proto !== 6 && proto !== 17) return `'${text}': only protocols TCP and UDP are valid in a bitmap:port set`;
  if (proto === 1 || proto === 58) {
    if ((proto === 1) !== (family === 4)) return `${protoText} in an IPv${family} set: '${text}'`;
    const m = /^(\d+)\/(\d+)$/.exec(rest);
    if (m) {
      const type = Number(m[1]);
      const code = Number(m[2]);
      if (type > 255 || code > 255) return `ICMP type and code are 0-255: '${text}'`;
      return [{ dim: "port", proto, icmp: { type, code } }];
    }
    const r = lookupIcmpType(rest, proto === 1 ? ICMP_TYPES : ICMPV6_TYPES);
    if (!r.ok) return `unknown ICMP type '${rest}' in '${text}'`;
    // ipset names one type and code: a name iptables reads as any code is code 0 (echo-request 8/0)
    return [{ dim: "port", proto, icmp: { type: r.entry.type, code: r.entry.codeLo } }];
  }
  if (!PORT_PROTOS.has(proto)) {
    if (rest !== "0") return `a ${protoText} element names no port: '${protoText}:0'`;
    return [{ dim: "port", proto }];
  }
  const port = (s: string): number | string => {
    if (/^\d+$/.test(s)) return Number(s) <= 65535 ? Number(s) : `port ${s} is out of range (0-65535)`;
    return servicePort(s, proto === 17 ? "udp" : "tcp") ?? `unknown service '${s}' in '${text}'`;
  };
  const dash = rest.indexOf("-");
  const a = port(dash >= 0 ? rest.slice(0, dash) : rest);
  const b = dash >= 0 ? port(rest.slice(dash + 1)) : a;
  if (typeof a === "string") return a;
  if (typeof b === "string") return b;
  if (a > b) return `the port range '${rest}' ends before it starts`;
  return [{ dim: "port", proto, ports: [a, b] }];
}
