/**
 * Readers for the word sequences ASA repeats across commands: address slots (`any`, `host A`,
 * `A MASK`, `A::/len`, `object N`, `object-group N`, `interface N`), port operators
 * (`eq|neq|lt|gt P`, `range A B`) and service specifications (`tcp source eq 1 destination range
 * 2 3`, `icmp echo 0`). Each reader advances a cursor and reports problems through `fail`.
 */
import { maskRanges, maskToPrefix, parseIPv4Strict, parseIPv6, prefixRange } from "../../src/model/address.js";
import type { AddrRange, Family, PortRange } from "../../src/model/types.js";
import type { AddrSpec, GroupType, IcmpSel, Pos, Service } from "./config.js";
import type { ConfigLine, Word } from "./lines.js";
import { asaIcmpType, asaPort, asaProtocol } from "./names.js";

/** What the readers need to know about the rest of the file. */
export interface SlotContext {
  /** `name A ALIAS` aliases. */
  aliases: Map<string, { family: Family; addr: bigint }>;
  /** Object-group types by name (read before the ACEs, so slots are unambiguous). */
  groupTypes: Map<string, { type: GroupType }>;
}

export class Cursor {
  i: number;
  constructor(
    readonly l: ConfigLine,
    start: number,
    /** Records a problem at a word (error by default). */
    readonly fail: (w: Word | undefined, message: string, severity?: "error" | "warning") => void,
  ) {
    this.i = start;
  }
  /** A word ahead as written (names). */
  peek(k = 0): string | undefined {
    return this.l.words[this.i + k]?.text;
  }
  /** A word ahead lower-cased (keywords, which ASA reads in any case). */
  key(k = 0): string | undefined {
    return this.l.words[this.i + k]?.key;
  }
  word(k = 0): Word | undefined {
    return this.l.words[this.i + k];
  }
  next(): Word | undefined {
    return this.l.words[this.i++];
  }
  done(): boolean {
    return this.i >= this.l.words.length;
  }
  pos(w: Word | undefined): Pos {
    return { line: this.l.line, column: w?.column ?? this.l.words[0]!.column, text: this.l.raw };
  }
  /** Where a missing word would have been: after the last one. */
  end(): Word {
    const last = this.l.words[this.l.words.length - 1]!;
    return { text: "", key: "", column: last.column + last.text.length + 1 };
  }
}

const FULL = (family: Family): AddrRange => ({ lo: 0n, hi: family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n });

/** A literal address or a `name` alias. */
export function literalAddress(text: string, ctx: SlotContext): { family: Family; addr: bigint } | undefined {
  const v4 = parseIPv4Strict(text);
  if (v4 !== null) return { family: 4, addr: v4 };
  if (text.includes(":")) {
    const v6 = parseIPv6(text);
    if (v6 !== null) return { family: 6, addr: v6 };
  }
  return ctx.aliases.get(text);
}

/** `A::/len` or `A.B.C.D/len` */
export function prefixLiteral(text: string): { family: Family; range: AddrRange } | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const a = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  const v6 = a.includes(":") ? parseIPv6(a) : null;
  if (v6 !== null && len <= 128) return { family: 6, range: prefixRange(v6, len, 6) };
  const v4 = parseIPv4Strict(a);
  if (v4 !== null && len <= 32) return { family: 4, range: prefixRange(v4, len, 4) };
  return undefined;
}

/**
 * The prefix length of the netmask after `after` (ones then zeros, 255.255.255.0), or undefined
 * after reporting the word: where only a prefix can be meant (a pre-8.3 `static`'s netmask).
 */
export function readNetmask(c: Cursor, after: string, maskWord: Word | undefined): number | undefined {
  const m = maskValue(c, after, maskWord);
  if (m === undefined) return undefined;
  const len = maskToPrefix(m, 4);
  if (len === null) c.fail(maskWord, `expected a contiguous netmask (ones then zeros, such as 255.255.255.0), got '${maskWord!.text}': ASA refuses non-contiguous masks; the line is not read`);
  return len ?? undefined;
}

/** The mask after `after` as a number, or undefined after reporting the word (missing, or not dotted-quad). */
function maskValue(c: Cursor, after: string, maskWord: Word | undefined): bigint | undefined {
  const m = maskWord ? parseIPv4Strict(maskWord.text) : null;
  if (m === null) {
    c.fail(maskWord ?? c.end(), `expected a netmask after '${after}'${maskWord ? `, got '${maskWord.text}'` : ""}`);
    return undefined;
  }
  return m;
}

/** `A MASK`: a prefix, or the exact ranges of a non-contiguous mask. */
export function addrWithMask(c: Cursor, ctx: SlotContext, addrWord: Word, maskWord: Word | undefined): AddrSpec | undefined {
  const a = literalAddress(addrWord.text, ctx);
  if (!a) {
    c.fail(addrWord, `expected an address, a 'name' alias or any/any4/any6/host/object/object-group/interface, got '${addrWord.text}'`);
    return undefined;
  }
  if (a.family === 6) return { kind: "range", family: 6, range: { lo: a.addr, hi: a.addr } };
  const m = maskValue(c, addrWord.text, maskWord);
  if (m === undefined) return undefined;
  const len = maskToPrefix(m, 4);
  if (len === null) {
    // not a netmask ASA's CLI documents, but generated configs carry them (aerleon's DSMO option): modelled exactly
    const ranges = maskRanges(a.addr, m, 4, 65536);
    if (ranges === null) {
      c.fail(maskWord, `'${maskWord!.text}' is not a contiguous netmask and covers too many ranges to model`);
      return undefined;
    }
    return { kind: "ranges", family: 4, ranges };
  }
  return { kind: "range", family: 4, range: prefixRange(a.addr, len, 4) };
}

/** The address after `host` (a literal or a `name` alias). */
export function readHost(c: Cursor, ctx: SlotContext): AddrSpec | undefined {
  const h = c.next();
  const a = h ? literalAddress(h.text, ctx) : undefined;
  if (!a) {
    c.fail(h ?? c.end(), `expected an address or 'name' alias after 'host'${h ? `, got '${h.text}'` : ""}`);
    return undefined;
  }
  return { kind: "range", family: a.family, range: { lo: a.addr, hi: a.addr } };
}

/** One address slot. Returns undefined (after reporting) when the words are not an address. */
export function readAddress(c: Cursor, ctx: SlotContext): AddrSpec | undefined {
  const w = c.next();
  if (!w) {
    c.fail(c.end(), "expected an address (any, host A, A MASK, object N, object-group N, interface N)");
    return undefined;
  }
  const t = w.key;
  switch (t) {
    case "any":
      return { kind: "any", families: [4, 6] };
    case "any4":
      return { kind: "any", families: [4] };
    case "any6":
      return { kind: "any", families: [6] };
    case "host":
      return readHost(c, ctx);
    case "object":
    case "object-group":
    case "interface": {
      const n = c.next();
      if (!n) {
        c.fail(c.end(), `expected a name after '${t}'`);
        return undefined;
      }
      return { kind: t === "object-group" ? "group" : t, name: n.text, pos: c.pos(n) };
    }
  }
  const p = prefixLiteral(w.text);
  if (p) return { kind: "range", family: p.family, range: p.range };
  return addrWithMask(c, ctx, w, c.next());
}

/** Address of a `network-object`/object value `A MASK`, `A::/len`, `host A`. */
export function fullRange(family: Family): AddrRange {
  return FULL(family);
}

/** A list, not a Set: asked about two words of every access-list entry, new strings a Set would hash first. */
const PORT_OPS: readonly string[] = ["eq", "neq", "lt", "gt", "range"];

export function isPortOp(t: string | undefined): boolean {
  return t !== undefined && PORT_OPS.includes(t);
}

/** `eq|neq|lt|gt P` or `range A B` as inclusive ranges; names looked up for `protos`. */
export function readPortOp(c: Cursor, protos: readonly number[] | null): PortRange[] | undefined {
  const op = c.next()!;
  const port = (): number | undefined => {
    const w = c.next();
    if (!w) {
      c.fail(c.end(), `expected a port after '${op.text}'`);
      return undefined;
    }
    const r = asaPort(w.text, protos);
    if (!r.ok) {
      c.fail(w, r.reason);
      return undefined;
    }
    return r.port;
  };
  const a = port();
  if (a === undefined) return undefined;
  switch (op.key) {
    case "eq":
      return [[a, a]];
    case "neq":
      return [
        ...(a > 0 ? [[0, a - 1] as PortRange] : []),
        ...(a < 65535 ? [[a + 1, 65535] as PortRange] : []),
      ];
    case "lt":
      return a > 0 ? [[0, a - 1]] : [];
    case "gt":
      return a < 65535 ? [[a + 1, 65535]] : [];
    default: {
      const b = port();
      if (b === undefined) return undefined;
      if (b < a) {
        c.fail(op, `range ${a} ${b}: the first port is above the second`);
        return undefined;
      }
      return [[a, b]];
    }
  }
}

/** Optional `TYPE [CODE]` after icmp/icmp6 in a service spec. */
export function readIcmpSel(c: Cursor, family: Family): IcmpSel | undefined {
  const t = c.peek();
  if (t === undefined) return {};
  const type = asaIcmpType(t, family);
  if (type === undefined) return undefined;
  c.next();
  const codeText = c.peek();
  if (codeText !== undefined && /^[0-9]{1,3}$/.test(codeText) && Number(codeText) <= 255) {
    c.next();
    return { type, code: Number(codeText) };
  }
  return { type };
}

/**
 * A service specification: `PROTO [source OP P] [destination OP P]`, the old `PROTO OP P`
 * (destination), or `icmp|icmp6 [TYPE [CODE]]`. Used by `service` in service objects and
 * `service-object` in groups.
 */
export function readService(c: Cursor): Service | undefined {
  const pw = c.next();
  if (!pw) {
    c.fail(c.end(), "expected a protocol (ip, tcp, udp, tcp-udp, icmp, icmp6, a name or a number)");
    return undefined;
  }
  const protos = asaProtocol(pw.text);
  if (protos === undefined) {
    c.fail(pw, `'${pw.text}' is not an ASA protocol name or number`);
    return undefined;
  }
  const svc: Service = { protos };
  if (protos !== null && protos.length === 1 && (protos[0] === 1 || protos[0] === 58)) {
    const family: Family = protos[0] === 1 ? 4 : 6;
    const sel = readIcmpSel(c, family);
    if (sel === undefined) {
      c.fail(c.word(), `'${c.peek()}' is not an ICMP${family === 6 ? "v6" : ""} type`);
      return undefined;
    }
    if (sel.type !== undefined) {
      svc.icmp = [sel];
      svc.icmpFamily = family;
    }
    return svc;
  }
  while (!c.done()) {
    const t = c.key()!;
    if (t === "source" || t === "destination") {
      c.next();
      if (!isPortOp(c.key())) {
        c.fail(c.word() ?? c.end(), `expected eq, neq, lt, gt or range after '${t}'`);
        return undefined;
      }
      const r = readPortOp(c, protos);
      if (!r) return undefined;
      if (t === "source") svc.sport = r;
      else svc.dport = r;
    } else if (isPortOp(t)) {
      const r = readPortOp(c, protos);
      if (!r) return undefined;
      svc.dport = r;
    } else break;
  }
  return svc;
}
