/**
 * The review's trace prompt: one packet typed the way fwlint prints witnesses (describePacket), so
 * a finding's example can be pasted back and edited:
 *
 *   tcp 1.2.3.4:5555 -> 10.0.0.5:25 iif eth0
 *   udp [2001:db8::7]:40000 -> [2001:db8::5]:53 iif eth0
 *   icmp 198.51.100.7 -> 10.0.0.5 type 8 code 0 iif eth0
 *   tcp 198.51.100.7 -> 10.0.0.5:80 iif eth0 oif eth1 flags SA
 *
 * The result is the Packet the trace command builds from its flags (--src --dst --proto --sport
 * --dport --iif --oif --hook --tcp-flags --icmp-type --icmp-code). The source port may be left out
 * (the tracer's default applies). The hook is `hook input|forward|output` when given, otherwise:
 * forward when both iif and oif are named, output when only oif is, input otherwise.
 *
 * Errors carry the 1-based column of the word that is wrong and say what was expected there.
 */
import { parseTcpFlags, PacketError } from "../analysis/packet.js";
import type { Packet } from "../model/finding.js";
import { parseIP } from "../model/address.js";
import { protocolNumber } from "../model/names.js";
import type { Family } from "../model/types.js";

export type PromptResult = { ok: true; packet: Packet } | { ok: false; column: number; message: string };

interface Word {
  text: string;
  column: number;
}

class PromptError extends Error {
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

const PORT_PROTOS = new Set([6, 17, 33, 132, 136]);
const HOOKS = new Set<Packet["hook"]>(["input", "forward", "output"]);
const EXAMPLE = "tcp 1.2.3.4:5555 -> 10.0.0.5:25 iif eth0";

function words(text: string): Word[] {
  const out: Word[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push({ text: m[0], column: m.index + 1 });
  return out;
}

function port(text: string, column: number, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new PromptError(column, `expected a ${what} port 0-65535, not '${text}'`);
  return Number(text);
}

/** `ADDR`, `ADDR:PORT` (IPv4) or `[ADDR]:PORT` / `ADDR` (IPv6). */
function endpoint(w: Word, what: "source" | "destination"): { addr: string; family: Family; port?: number } {
  const t = w.text;
  let addr = t;
  let portText: string | undefined;
  let portColumn = w.column;
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(t);
  if (bracket) {
    addr = bracket[1]!;
    if (bracket[2] !== undefined) {
      portText = bracket[2];
      portColumn = w.column + addr.length + 3;
    }
  } else if ((t.match(/:/g) ?? []).length === 1) {
    const i = t.indexOf(":");
    addr = t.slice(0, i);
    portText = t.slice(i + 1);
    portColumn = w.column + i + 1;
  }
  const family: Family = addr.includes(":") ? 6 : 4;
  if (parseIP(addr, family) === null) {
    throw new PromptError(w.column, `expected a ${what} address (1.2.3.4, 1.2.3.4:PORT or [2001:db8::1]:PORT), not '${t}'`);
  }
  return portText === undefined ? { addr, family } : { addr, family, port: port(portText, portColumn, what) };
}

function parse(text: string): Packet {
  const ws = words(text);
  const end = text.length + 1;
  const at = (i: number): Word | undefined => ws[i];
  const need = (i: number, what: string): Word => {
    const w = at(i);
    if (!w) throw new PromptError(end, `expected ${what}`);
    return w;
  };

  const protoWord = need(0, `a packet, e.g. '${EXAMPLE}'`);
  const proto = protocolNumber(protoWord.text);
  if (proto === null) throw new PromptError(protoWord.column, `expected a protocol (tcp, udp, icmp, icmpv6 or a number), not '${protoWord.text}'`);
  const src = endpoint(need(1, "a source address"), "source");
  const arrow = need(2, "'->' between source and destination");
  if (arrow.text !== "->") throw new PromptError(arrow.column, `expected '->' between source and destination, not '${arrow.text}'`);
  const dstWord = need(3, "a destination address");
  const dst = endpoint(dstWord, "destination");
  if (src.family !== dst.family) throw new PromptError(dstWord.column, `expected an IPv${src.family} destination like the source, not '${dstWord.text}'`);

  const packet: Packet = { family: src.family, proto: protoWord.text.toLowerCase(), src: src.addr, dst: dst.addr, hook: "input" };
  const ported = PORT_PROTOS.has(proto);
  if (ported) {
    if (dst.port === undefined) throw new PromptError(dstWord.column, `expected a destination port for ${packet.proto} (${dst.family === 6 ? "[ADDR]:PORT" : "ADDR:PORT"})`);
    if (src.port !== undefined) packet.sport = src.port;
    packet.dport = dst.port;
  } else if (src.port !== undefined || dst.port !== undefined) {
    throw new PromptError(src.port !== undefined ? ws[1]!.column : dstWord.column, `${packet.proto} has no ports; write the address alone`);
  }

  let hook: Packet["hook"] | undefined;
  const seen = new Set<string>();
  for (let i = 4; i < ws.length; i += 2) {
    const key = ws[i]!;
    const k = key.text.toLowerCase();
    if (!["iif", "oif", "hook", "type", "code", "flags", "ttl"].includes(k)) {
      throw new PromptError(key.column, `expected iif, oif, hook, type, code, flags or ttl, not '${key.text}'`);
    }
    if (seen.has(k)) throw new PromptError(key.column, `'${k}' is given twice`);
    seen.add(k);
    const value = need(i + 1, `a value after '${k}'`);
    switch (k) {
      case "iif":
      case "oif":
        if (Buffer.byteLength(value.text, "utf8") > 15) throw new PromptError(value.column, `expected an interface name of at most 15 bytes, not '${value.text}'`);
        packet[k] = value.text;
        break;
      case "hook": {
        const h = value.text.toLowerCase() as Packet["hook"];
        if (!HOOKS.has(h)) throw new PromptError(value.column, `expected input, forward or output after 'hook', not '${value.text}'`);
        hook = h;
        break;
      }
      case "type":
      case "code": {
        const icmp = proto === 1 || proto === 58;
        if (!icmp) throw new PromptError(key.column, `'${k}' is for icmp and icmpv6 packets only`);
        if (!/^\d{1,3}$/.test(value.text) || Number(value.text) > 255) throw new PromptError(value.column, `expected an ICMP ${k} 0-255, not '${value.text}'`);
        packet[k === "type" ? "icmp_type" : "icmp_code"] = Number(value.text);
        break;
      }
      case "ttl":
        if (!/^\d{1,3}$/.test(value.text) || Number(value.text) > 255) throw new PromptError(value.column, `expected a TTL (hop limit) 0-255, not '${value.text}'`);
        packet.ttl = Number(value.text);
        break;
      case "flags":
        if (proto !== 6) throw new PromptError(key.column, "'flags' is for tcp packets only");
        try {
          parseTcpFlags(value.text);
        } catch (err) {
          if (!(err instanceof PacketError)) throw err;
          throw new PromptError(value.column, `expected TCP flags (letters F S R P A U E C, or SYN,ACK), not '${value.text}'`);
        }
        packet.tcp_flags = value.text;
        break;
    }
  }
  packet.hook = hook ?? (packet.iif !== undefined && packet.oif !== undefined ? "forward" : packet.oif !== undefined ? "output" : "input");
  return packet;
}

export function parsePacketPrompt(text: string): PromptResult {
  try {
    return { ok: true, packet: parse(text) };
  } catch (err) {
    if (err instanceof PromptError) return { ok: false, column: err.column, message: err.message };
    throw err;
  }
}

export const PACKET_PROMPT_EXAMPLE = EXAMPLE;
