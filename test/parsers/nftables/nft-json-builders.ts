/**
 * Builders for nft JSON command batches (libnftables-json), so mapper tests can state rulesets
 * compactly in the JSON form the JSON reader takes; and a one-packet verdict helper.
 */
import { packetToPoint } from "../../../src/analysis/packet.js";
import { tracePacket } from "../../../src/analysis/trace.js";
import type { Packet } from "../../../src/model/finding.js";
import type { Ruleset } from "../../../src/model/types.js";

type J = unknown;
export const payload = (protocol: string, field: string): J => ({ payload: { protocol, field } });
export const meta = (key: string): J => ({ meta: { key } });
export const ct = (key: string): J => ({ ct: { key } });
export const match = (left: J, right: J, op = "=="): J => ({ match: { op, left, right } });
export const set = (...elems: J[]): J => ({ set: elems });
export const prefix = (addr: string, len: number): J => ({ prefix: { addr, len } });
export const range = (lo: J, hi: J): J => ({ range: [lo, hi] });
export const concat = (...parts: J[]): J => ({ concat: parts });
export const accept: J = { accept: null };
export const drop: J = { drop: null };
export const ret: J = { return: null };
export const jump = (target: string): J => ({ jump: { target } });
export const goto = (target: string): J => ({ goto: { target } });
export const counter: J = { counter: null };
export const tcpDport = (v: J): J => match(payload("tcp", "dport"), v);

export function table(family: string, name: string): J {
  return { add: { table: { family, name } } };
}
export function chain(family: string, t: string, name: string, base?: { type?: string; hook: string; prio: number | string; policy?: string; dev?: string | string[] }): J {
  return { add: { chain: { family, table: t, name, ...(base ? { type: base.type ?? "filter", ...base } : {}) } } };
}
export function rule(family: string, t: string, c: string, ...expr: J[]): J {
  return { add: { rule: { family, table: t, chain: c, expr } } };
}
export function batch(...items: J[]): string {
  return JSON.stringify({ nftables: items }, null, 1);
}

/** Every verdict one packet can get (more than one when an Unknown condition decides). */
export function verdicts(rs: Ruleset, p: Omit<Packet, "hook"> & { hook: Packet["hook"] }): string[] {
  const kind = p.hook === "input" ? "inbound" : p.hook === "output" ? "outbound" : "forward";
  const pipeline = rs.pipelines.find((x) => x.kind === kind && x.family === p.family);
  if (!pipeline) return ["no pipeline"];
  return [...new Set(tracePacket(rs, pipeline, packetToPoint(p)).map((t) => t.verdict))].sort();
}
