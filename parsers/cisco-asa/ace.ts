/**
 * One access control entry: `{permit|deny} PROTO [USER] SRC [SRCPORT] DST [DSTPORT|ICMPTYPE]
 * [log ...] [time-range T] [inactive]`, read from the word after `extended`. Also accepts the
 * trailers of `show access-list` output (`(hitcnt=N)`, `(inactive)`, `0xHASH`).
 */
import type { Ace, IcmpClause, PortClause, ProtoSpec } from "./config.js";
import { ACTIONS, keyword } from "./keywords.js";
import { asaIcmpType, asaProtocol } from "./names.js";
import { type Cursor, isPortOp, readAddress, readPortOp, type SlotContext } from "./slots.js";

const LOG_LEVELS = new Set(["emergencies", "alerts", "critical", "errors", "warnings", "notifications", "informational", "debugging", "disable", "default"]);

/**
 * Identity-firewall and TrustSec qualifiers fwlint cannot resolve from the file. A list, not a
 * Set: asked about two words of every entry, each a new string that a Set would hash first.
 */
const IDENTITY: readonly string[] = ["user", "user-group", "object-group-user", "object-group-security"];

function readProto(c: Cursor): ProtoSpec | undefined {
  const w = c.next();
  if (!w) {
    c.fail(c.end(), "expected a protocol after permit/deny");
    return undefined;
  }
  if (w.key === "object" || w.key === "object-group") {
    const n = c.next();
    if (!n) {
      c.fail(c.end(), `expected a name after '${w.text}'`);
      return undefined;
    }
    return { kind: w.key === "object" ? "object" : "group", name: n.text, pos: c.pos(n) };
  }
  const protos = asaProtocol(w.text);
  if (protos === undefined) {
    c.fail(w, `'${w.text}' is not an ASA protocol name or number`);
    return undefined;
  }
  return { kind: "protos", protos, text: w.text };
}

/** `user X`, `security-group name X`, ...: returns the text read, or undefined when absent. */
function readIdentity(c: Cursor): string | undefined {
  const t = c.key();
  if (t === undefined) return undefined;
  if (IDENTITY.includes(t)) {
    const n = c.word(1);
    c.i += 2;
    return `${t} ${n?.text ?? ""}`.trim();
  }
  if (t === "security-group") {
    const kind = c.word(1);
    const n = c.word(2);
    c.i += 3;
    return `security-group ${kind?.text ?? ""} ${n?.text ?? ""}`.trim();
  }
  return undefined;
}

function portsAllowed(p: ProtoSpec): boolean {
  if (p.kind === "group") return true;
  if (p.kind !== "protos" || p.protos === null) return false;
  return p.protos.every((n) => n === 6 || n === 17 || n === 132);
}

/**
 * A port clause, null when there is none. After the destination an `object-group` of a name
 * the file does not define can only be a port group (reported as undefined when resolved).
 */
function readPortClause(c: Cursor, proto: ProtoSpec, ctx: SlotContext, afterDst: boolean): PortClause | undefined | null {
  const t = c.key();
  if (!portsAllowed(proto)) return null;
  if (isPortOp(t)) {
    const r = readPortOp(c, proto.kind === "protos" ? proto.protos : null);
    return r ? { kind: "ranges", ranges: r } : undefined;
  }
  if (t !== "object-group" || c.peek(1) === undefined) return null;
  const groupType = ctx.groupTypes.get(c.peek(1)!)?.type;
  if (groupType !== "port" && !(afterDst && groupType === undefined)) return null;
  c.next();
  const n = c.next()!;
  return { kind: "group", name: n.text, pos: c.pos(n) };
}

function icmpFamilyOf(p: ProtoSpec): 4 | 6 | undefined {
  if (p.kind !== "protos" || p.protos === null || p.protos.length !== 1) return undefined;
  return p.protos[0] === 1 ? 4 : p.protos[0] === 58 ? 6 : undefined;
}

function readIcmpClause(c: Cursor, proto: ProtoSpec, ctx: SlotContext): IcmpClause | undefined {
  const family = icmpFamilyOf(proto);
  if (family === undefined) return undefined;
  const t = c.key();
  if (t === undefined) return undefined;
  if (t === "object-group" && ctx.groupTypes.get(c.peek(1) ?? "")?.type === "icmp-type") {
    c.next();
    const n = c.next()!;
    return { kind: "group", name: n.text, pos: c.pos(n) };
  }
  const type = asaIcmpType(t, family);
  if (type === undefined) return undefined;
  c.next();
  const code = c.peek();
  if (code !== undefined && /^[0-9]{1,3}$/.test(code) && Number(code) <= 255) {
    c.next();
    return { kind: "sel", sel: { type, code: Number(code) } };
  }
  return { kind: "sel", sel: { type } };
}

/** Reads an ACE from the action word on; undefined when it cannot be read (already reported). */
export function readAce(c: Cursor, ctx: SlotContext): Ace | undefined {
  const actionWord = c.next();
  const action = keyword(actionWord, ACTIONS);
  if (!action) {
    c.fail(actionWord ?? c.end(), `expected permit or deny${actionWord ? `, got '${actionWord.text}'` : ""}`);
    return undefined;
  }
  const proto = readProto(c);
  if (!proto) return undefined;
  const unknown: string[] = [];
  const srcId = readIdentity(c);
  if (srcId) unknown.push(srcId);
  const src = readAddress(c, ctx);
  if (!src) return undefined;
  const sport = readPortClause(c, proto, ctx, false);
  if (sport === undefined) return undefined;
  const dstId = readIdentity(c);
  if (dstId) unknown.push(dstId);
  const dst = readAddress(c, ctx);
  if (!dst) return undefined;
  const dport = readPortClause(c, proto, ctx, true);
  if (dport === undefined) return undefined;
  const icmp = dport === null ? readIcmpClause(c, proto, ctx) : undefined;
  let inactive = false;
  while (!c.done()) {
    const w = c.next()!;
    const t = w.key;
    if (t === "log") {
      while (!c.done() && (LOG_LEVELS.has(c.key()!) || /^[0-7]$/.test(c.key()!))) c.next();
    } else if (t === "interval") {
      c.next();
    } else if (t === "time-range") {
      const n = c.next();
      unknown.push(`time-range ${n?.text ?? ""}`.trim());
    } else if (t === "inactive" || t === "(inactive)") {
      inactive = true;
    } else if (/^\(hitcnt=[0-9]+\)$/.test(t) || /^0x[0-9a-fA-F]+$/.test(t)) {
      // show access-list trailers
    } else {
      c.fail(w, `unexpected '${w.text}' in the access-list entry; the entry is kept with an unknown condition`, "warning");
      unknown.push(`unparsed '${w.text}'`);
      break;
    }
  }
  // the optional clauses assigned, not spread in (`...(sport ? { sport } : {})`): that builds and
  // copies an object per clause, for every access-list line
  const ace: Ace = { kind: "ace", action, proto, src, dst, unknown, inactive, pos: c.pos(c.l.words[0]) };
  if (sport) ace.sport = sport;
  if (dport) ace.dport = dport;
  if (icmp) ace.icmp = icmp;
  return ace;
}
