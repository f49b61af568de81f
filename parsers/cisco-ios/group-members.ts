/**
 * One member line of an object group, by the group's kind: network (host, address + subnet mask,
 * A/LEN, range, any), service (PROTO [source PORTS] [PORTS], icmp TYPE, tcp-udp), protocol and port
 * members, `group-object` nesting and the ASA-style `network-object` / `service-object` /
 * `protocol-object` / `port-object` spellings. A member that cannot be read is kept as unknown
 * with a warning (the group stays sound: it may contain more than fwlint can tell).
 */
import { parseIPv4Strict, parseIPv6 } from "../../src/model/address.js";
import type { Diagnostic, Family } from "../../src/model/types.js";
import { parseGroupAddress, parsePortClause } from "./ace.js";
import type { GroupMember, ObjectGroup, ServiceProto, Where } from "./config.js";
import type { ConfigLine, Token } from "./lines.js";
import { icmpName, iosProtocol } from "./names.js";

export type Report = (severity: Diagnostic["severity"], line: number, column: number, message: string) => void;

function where(l: ConfigLine, tok?: Token): Where {
  return { line: l.line, column: tok?.col ?? l.tokens[0]!.col, text: l.raw };
}

export function readGroupMember(g: ObjectGroup, l: ConfigLine, report: Report): void {
  let toks = l.tokens;
  if (/^[0-9]+$/.test(toks[0]!.text) && toks.length > 1) toks = toks.slice(1); // NX-OS numbered members
  const w0 = toks[0]!.text.toLowerCase();
  const w = where(l, toks[0]);
  const endCol = l.raw.length + 1;
  if (w0 === "description") return;
  if (w0 === "group-object") {
    const name = toks[1];
    if (!name) report("warning", l.line, endCol, "expected an object-group name after 'group-object'");
    else g.members.push({ kind: "group", name: name.text, where: where(l, name) });
    return;
  }
  const bad = (col: number, message: string): void => {
    report("warning", l.line, col, `${message}; object-group ${g.name} keeps this member as unknown`);
    g.members.push({ kind: "unknown", text: l.raw.trim(), reason: message, where: w });
  };
  if (g.kind === "network") {
    if (w0 === "network-object") toks = toks.slice(1);
    if (toks[0]?.text.toLowerCase() === "range") {
      const fam: Family = toks[1]?.text.includes(":") ? 6 : 4;
      const parse = (s: string | undefined) => (s === undefined ? null : fam === 4 ? parseIPv4Strict(s) : parseIPv6(s));
      const lo = parse(toks[1]?.text);
      const hi = parse(toks[2]?.text);
      if (lo === null || hi === null || lo > hi) return bad(toks[1]?.col ?? endCol, "expected 'range FIRST LAST' with FIRST <= LAST");
      g.members.push({ kind: "range", family: fam, lo, hi, where: w });
      return;
    }
    const r = parseGroupAddress(toks, 0, g.family, endCol);
    if (r.problem) return bad(r.problem.col, r.problem.message);
    g.members.push({ kind: "addr", addr: r.addr!, where: w });
    return;
  }
  if (g.kind === "protocol") {
    if (w0 === "protocol-object") toks = toks.slice(1);
    const p = toks[0]?.text.toLowerCase();
    if (p === "ip" || p === "ipv6") return void g.members.push({ kind: "proto", proto: null, where: w });
    const n = p === undefined ? null : iosProtocol(p, 4);
    if (n === null) return bad(toks[0]?.col ?? endCol, `expected a protocol name or number, found '${p ?? ""}'`);
    g.members.push({ kind: "proto", proto: n, where: w });
    return;
  }
  if (g.kind === "port") {
    if (w0 === "port-object") toks = toks.slice(1);
    const r = parsePortClause(toks, 0, "tcp-udp", endCol);
    if (r.problem) return bad(r.problem.col, r.problem.message);
    if (!r.port || r.next < toks.length) return bad(toks[r.next]?.col ?? toks[0]!.col, "expected eq, neq, lt, gt or range with port numbers");
    g.members.push({ kind: "port", port: r.port, where: w });
    return;
  }
  // service
  if (w0 === "service-object") toks = toks.slice(1);
  const p = toks[0]?.text.toLowerCase();
  if (p === undefined) return bad(endCol, "expected a protocol");
  let proto: ServiceProto;
  if (p === "ip" || p === "ipv6") proto = { kind: "any" };
  else if (p === "tcp-udp") proto = { kind: "number", n: 6, portProto: "tcp-udp" };
  else {
    const n = iosProtocol(p, 4);
    if (n === null) return bad(toks[0]!.col, `expected a protocol (tcp, udp, tcp-udp, icmp, a number ...), found '${toks[0]!.text}'`);
    const pp = n === 6 ? "tcp" : n === 17 ? "udp" : n === 132 ? "sctp" : undefined;
    proto = { kind: "number", n, ...(pp ? { portProto: pp } : {}) };
  }
  const pp = proto.kind === "number" ? (proto.portProto ?? null) : null;
  let i = 1;
  const member: Extract<GroupMember, { kind: "service" }> = { kind: "service", proto, where: w };
  if (proto.kind === "number" && proto.n === 1 && toks[i]) {
    const tw = toks[i]!.text;
    const byName = icmpName(tw, 4);
    if (byName) member.icmp = { ...byName };
    else if (/^[0-9]{1,3}$/.test(tw) && Number(tw) <= 255) member.icmp = { type: Number(tw) };
    else return bad(toks[i]!.col, `expected an ICMP message name or type, found '${tw}'`);
    i++;
  }
  if (toks[i]?.text.toLowerCase() === "source") {
    const r = parsePortClause(toks, i + 1, pp, endCol);
    if (r.problem) return bad(r.problem.col, r.problem.message);
    if (!r.port) return bad(toks[i + 1]?.col ?? endCol, "expected a port clause after 'source'");
    member.sport = r.port;
    i = r.next;
  }
  if (i === toks.length - 1 && pp !== null && /^[0-9]+$/.test(toks[i]!.text)) {
    // `tcp 65000`: a bare port is an equality (accepted by some releases)
    const r = parsePortClause([{ text: "eq", col: toks[i]!.col }, toks[i]!], 0, pp, endCol);
    if (r.problem || !r.port) return bad(toks[i]!.col, r.problem?.message ?? "expected a port");
    member.dport = r.port;
    i = toks.length;
  }
  if (i < toks.length) {
    const r = parsePortClause(toks, i, pp, endCol);
    if (r.problem) return bad(r.problem.col, r.problem.message);
    if (!r.port || r.next < toks.length) return bad(toks[r.next]?.col ?? toks[i]!.col, `unexpected '${toks[r.port ? r.next : i]!.text}' in a service member`);
    member.dport = r.port;
  }
  g.members.push(member);
}
