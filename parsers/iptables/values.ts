/**
 * Parsers for option values: ports and port lists, TCP flags, ICMP types, conntrack states,
 * interface names, NAT rewrite specifications. Each returns a value or an error message that
 * says what was expected; none throws.
 */
import { CT_STATES, type AddrRange, type CtState, type Family, type NatRewrite, type PortRange } from "../../src/model/types.js";
import { octalReading, parseCInt, parseIP } from "../../src/model/address.js";
import { ICMP_TYPES, ICMPV6_TYPES, lookupIcmpType, protocolNumber, servicePort } from "../../src/model/names.js";
import { nameTable } from "../../src/model/name-table.js";

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T>(error: string): Result<T> => ({ ok: false, error });

/** One port: number (C notation, as iptables' strtoul base 0) or service name. */
export function parsePort(text: string, proto: string | undefined): number | null {
  const n = parseCInt(text, 65535);
  if (n !== null) return n;
  return servicePort(text, proto);
}

/**
 * One port as the udp and dccp matches read it (xtables' port-range option type, iptables 1.8.9):
 * a service name, or decimal digits - a leading 0 is no octal there (`022` is 22) - kept modulo
 * 65536 (`70000` is 4464). Hex, and numbers from 2^64 up, are refused ("does not resolve to anything").
 */
export function parseDecimalPort(text: string, proto: string | undefined): number | null {
  if (/^\+?[0-9]{1,25}$/.test(text)) {
    const v = BigInt(text.replace(/^\+/, ""));
    return v >= 1n << 64n ? null : Number(v % 65536n);
  }
  return /^[0-9]/.test(text) ? null : servicePort(text, proto);
}

/**
 * How a match reads its ports: "c" as tcp and sctp do (C notation: `022` is octal, 18; a
 * reversed range refused), "xtopt" as udp and dccp do (parseDecimalPort; a reversed range taken).
 */
export type PortReader = "c" | "xtopt";

/**
 * `p`, `a:b`, `:b`, `a:`, `:` (tcp/udp --sport/--dport), read as `reader` says. A reversed range
 * (`4:3`) is an error for the "c" reader; the "xtopt" reader returns it as is (the caller decides
 * what it means).
 */
export function parsePortRange(text: string, opt: string, proto: string | undefined, reader: PortReader = "c"): Result<PortRange> {
  const expected = `expected a port or port range after ${opt}, found '${text}'`;
  const port = reader === "c" ? parsePort : parseDecimalPort;
  const colon = text.indexOf(":");
  if (colon === -1) {
    const p = port(text, proto);
    return p === null ? fail(expected) : ok([p, p]);
  }
  const a = text.slice(0, colon);
  const b = text.slice(colon + 1);
  const lo = a === "" ? 0 : port(a, proto);
  const hi = b === "" ? 65535 : port(b, proto);
  if (lo === null || hi === null) return fail(expected);
  if (lo > hi && reader === "c") return fail(`invalid port range '${text}' after ${opt} (min > max)`);
  return ok([lo, hi]);
}

/**
 * What a reader of the file may take for another port than iptables does: a number with a leading
 * 0 read as octal (`022`, port 18), or one the "xtopt" reader keeps modulo 65536 (`70000`, port
 * 4464). One message per such number in `text` (a port, range or list), else none.
 */
export function portSurprises(text: string, opt: string, reader: PortReader): string[] {
  const out: string[] = [];
  for (const word of text.split(/[:,]/)) {
    const octal = reader === "c" ? octalReading(word) : undefined;
    if (octal !== undefined) {
      out.push(`'${word}' after ${opt} is an octal number to iptables: port ${octal}, not ${Number(word)} (write ${Number(word)}, without the leading 0, if ${Number(word)} is meant)`);
    } else if (reader === "xtopt" && /^\+?[0-9]+$/.test(word) && Number(word) > 65535) {
      const p = parseDecimalPort(word, undefined);
      if (p !== null) out.push(`'${word}' after ${opt} is port ${p} to iptables: it keeps the number modulo 65536`);
    }
  }
  return out;
}

/** multiport list: `p,a:b,...`, at most 15 entries where a range counts as two. */
export function parsePortList(text: string, opt: string, proto: string | undefined): Result<PortRange[]> {
  const parts = text.split(",");
  const out: PortRange[] = [];
  let count = 0;
  for (const part of parts) {
    if (part === "") return fail(`expected a port or port range in the list after ${opt}, found '${text}'`);
    const colon = part.indexOf(":");
    if (colon === -1) {
      const p = parsePort(part, proto);
      if (p === null) return fail(`expected a port or port range after ${opt}, found '${part}'`);
      out.push([p, p]);
      count += 1;
    } else {
      const a = part.slice(0, colon);
      const b = part.slice(colon + 1);
      const lo = a === "" ? 0 : parsePort(a, proto);
      const hi = b === "" ? 65535 : parsePort(b, proto);
      if (lo === null || hi === null) return fail(`expected a port or port range after ${opt}, found '${part}'`);
      if (lo > hi) return fail(`invalid port range '${part}' after ${opt} (min > max)`);
      out.push([lo, hi]);
      count += 2;
    }
  }
  if (count > 15) return fail(`too many ports after ${opt}: multiport takes at most 15 (a range counts as two)`);
  return ok(out);
}

export const TCP_FLAG_BITS: Readonly<Record<string, number>> = nameTable({
  FIN: 1,
  SYN: 2,
  RST: 4,
  PSH: 8,
  ACK: 16,
  URG: 32,
  ECE: 64,
  CWR: 128,
  ALL: 63,
  NONE: 0,
});

/** `SYN,ACK,FIN` -> bit mask (names case-insensitive, as iptables reads them). */
export function parseTcpFlags(text: string): Result<number> {
  let v = 0;
  for (const name of text.split(",")) {
    const bit = TCP_FLAG_BITS[name.toUpperCase()];
    if (bit === undefined) return fail(`unknown TCP flag '${name}' (expected SYN, ACK, FIN, RST, URG, PSH, ALL or NONE)`);
    v |= bit;
  }
  return ok(v);
}

export interface IcmpSpec {
  /** undefined: any type. */
  type?: number;
  codeLo?: number;
  codeHi?: number;
}

/**
 * `--icmp-type` / `--icmpv6-type` value: name (unique prefix allowed), `type`, `type/code`,
 * `type/min:max` (iptables 1.8.9 takes a reversed code range: returned as is), `any` (v4).
 */
export function parseIcmpType(text: string, family: Family, opt: string): Result<IcmpSpec> {
  // numbers in C notation, as xtables_strtoui reads them (`010` is 8, `0x8` is 8)
  const m = /^([0-9]\w*)(?:\/(\w+)(?::(\w+))?)?$/.exec(text);
  if (m) {
    const type = parseCInt(m[1]!, Number.MAX_SAFE_INTEGER);
    if (type === null) return fail(`expected an ICMP type name or number after ${opt}, found '${text}'`);
    if (type > 255) return fail(`ICMP type ${type} after ${opt} is out of range (0-255)`);
    if (m[2] !== undefined) {
      const codeLo = parseCInt(m[2], Number.MAX_SAFE_INTEGER);
      const codeHi = m[3] !== undefined ? parseCInt(m[3], Number.MAX_SAFE_INTEGER) : codeLo;
      if (codeLo === null || codeHi === null) return fail(`expected an ICMP code number in '${text}' after ${opt}`);
      if (codeLo > 255 || codeHi > 255) return fail(`ICMP code in '${text}' after ${opt} is out of range (0-255)`);
      if (family === 4 && type === 255) return ok({});
      if (codeLo === 0 && codeHi === 255) return ok({ type });
      return ok({ type, codeLo, codeHi });
    }
    // The IPv4 kernel match treats type 255 as "any type".
    if (family === 4 && type === 255) return ok({});
    return ok({ type });
  }
  if (family === 4 && text.toLowerCase() === "any") return ok({});
  const r = lookupIcmpType(text, family === 4 ? ICMP_TYPES : ICMPV6_TYPES);
  if (!r.ok) {
    if (r.reason === "ambiguous") return fail(`ambiguous ICMP type '${text}' after ${opt}: ${r.candidates.join(" or ")}?`);
    return fail(`unknown ICMP${family === 6 ? "v6" : ""} type '${text}' after ${opt}`);
  }
  const e = r.entry;
  if (e.codeLo === 0 && e.codeHi === 255) return ok({ type: e.type });
  return ok({ type: e.type, codeLo: e.codeLo, codeHi: e.codeHi });
}

/**
 * A protocol as iptables reads one (xtables_parse_protocol): a number in C notation first (`0x11`
 * is udp, `010` is 8), then a name; null for anything else (`08` is neither).
 */
export function parseProtocol(text: string): number | null {
  const n = parseCInt(text, Number.MAX_SAFE_INTEGER);
  if (n !== null) return n <= 255 ? n : null;
  return /^[0-9]/.test(text) ? null : protocolNumber(text);
}

export interface StateList {
  states: CtState[];
  /** SNAT / DNAT pseudo-states (conntrack only). */
  nat: string[];
}

/** `NEW,ESTABLISHED` (case-insensitive); SNAT and DNAT only where `allowNat`. */
export function parseStates(text: string, opt: string, allowNat: boolean): Result<StateList> {
  const states = new Set<CtState>();
  const nat: string[] = [];
  for (const raw of text.split(",")) {
    const s = raw.toLowerCase();
    if ((CT_STATES as readonly string[]).includes(s)) states.add(s as CtState);
    else if (allowNat && (s === "snat" || s === "dnat")) nat.push(s.toUpperCase());
    else
      return fail(
        `unknown state '${raw}' after ${opt} (expected ${allowNat ? "INVALID, ESTABLISHED, NEW, RELATED, UNTRACKED, SNAT or DNAT" : "INVALID, ESTABLISHED, NEW, RELATED or UNTRACKED"})`,
      );
  }
  return ok({ states: CT_STATES.filter((s) => states.has(s)), nat });
}

/** Interface name with optional `+` wildcard; at most 15 characters (IFNAMSIZ - 1). */
export function parseIface(text: string, opt: string): Result<{ name: string; prefix: boolean }> {
  if (text === "") return fail(`expected an interface name after ${opt}`);
  if (text.length > 15) return fail(`interface name '${text}' after ${opt} is longer than 15 characters`);
  if (text.endsWith("+")) return ok({ name: text.slice(0, -1), prefix: true });
  return ok({ name: text, prefix: false });
}

/**
 * Port range of NAT targets as iptables 1.8.9 reads it: `80`, `80-90`, a service name standing
 * alone (`ssh`), and where `base` a shifted-map base port after `/` (`80-90/85`, number 1-65535 or
 * service name).
 */
function parseNatPorts(text: string, opt: string, base = true): Result<PortRange> {
  const whole = servicePort(text);
  if (whole !== null) return ok([whole, whole]);
  const slash = text.indexOf("/");
  const body = slash === -1 ? text : text.slice(0, slash);
  if (slash !== -1) {
    if (!base) return fail(`expected a port or port range after ${opt}, found '${text}'`);
    const b = text.slice(slash + 1);
    const n = parseCInt(b, 65535) ?? servicePort(b);
    if (n === null || n < 1) return fail(`invalid base port in '${text}' after ${opt} (1-65535)`);
  }
  const dash = body.indexOf("-");
  const a = dash === -1 ? body : body.slice(0, dash);
  const b = dash === -1 ? body : body.slice(dash + 1);
  const lo = parseCInt(a, 65535);
  const hi = parseCInt(b, 65535);
  if (lo === null || hi === null) return fail(`expected a port or port range after ${opt}, found '${text}'`);
  if (lo > hi) return fail(`invalid port range '${text}' after ${opt} (min > max)`);
  return ok([lo, hi]);
}

function parseNatAddrs(text: string, family: Family, opt: string): Result<AddrRange> {
  const dash = text.indexOf("-");
  const a = dash === -1 ? text : text.slice(0, dash);
  const b = dash === -1 ? text : text.slice(dash + 1);
  const lo = parseIP(a, family);
  const hi = parseIP(b, family);
  if (lo === null || hi === null) return fail(`expected an IPv${family} address or address range after ${opt}, found '${text}'`);
  if (lo > hi) return fail(`invalid address range '${text}' after ${opt} (first > last)`);
  return ok({ lo, hi });
}

/**
 * DNAT/SNAT `--to-destination` / `--to-source`: `addr[-addr][:port[-port]]`; IPv6 addresses with
 * a port in brackets: `[2001:db8::1]:80`, `[2001:db8::1-2001:db8::9]:80-90`.
 */
export function parseNatSpec(text: string, family: Family, opt: string): Result<NatRewrite> {
  let addrPart = "";
  let portPart: string | undefined;
  if (family === 6) {
    if (text.startsWith("[")) {
      const close = text.indexOf("]");
      if (close === -1) return fail(`expected ']' in '${text}' after ${opt}`);
      addrPart = text.slice(1, close);
      const rest = text.slice(close + 1);
      if (rest !== "") {
        if (!rest.startsWith(":")) return fail(`expected ':port' after ']' in '${text}' after ${opt}`);
        portPart = rest.slice(1);
      }
    } else if (text.startsWith(":")) {
      portPart = text.slice(1);
    } else {
      addrPart = text;
    }
  } else {
    const colon = text.indexOf(":");
    if (colon === -1) addrPart = text;
    else {
      addrPart = text.slice(0, colon);
      portPart = text.slice(colon + 1);
    }
  }
  const out: NatRewrite = { family };
  if (addrPart !== "") {
    const a = parseNatAddrs(addrPart, family, opt);
    if (!a.ok) return a.error.startsWith("invalid") ? a : fail(`expected an IPv${family} address or address range after ${opt}, found '${text}'`);
    out.addr = a.value;
  }
  if (portPart !== undefined) {
    const p = parseNatPorts(portPart, opt);
    if (!p.ok) return p;
    out.ports = p.value;
  }
  if (out.addr === undefined && out.ports === undefined) return fail(`expected an address or :port after ${opt}, found '${text}'`);
  return ok(out);
}

/** MASQUERADE / REDIRECT `--to-ports p[-q]`; only MASQUERADE takes (and ignores) a `/base`. */
export function parseToPorts(text: string, opt: string, base = true): Result<PortRange> {
  return parseNatPorts(text, opt, base);
}

/** `XX:XX:XX:XX:XX:XX` with hex digits. */
export function isMac(text: string): boolean {
  return /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(text);
}
