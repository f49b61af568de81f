/**
 * Reads one static NAT command into a StaticNat (config.ts):
 *   ip nat inside source static LOCAL GLOBAL | LOCAL interface IF
 *   ip nat inside source static tcp|udp LOCAL LPORT GLOBAL GPORT | LOCAL LPORT interface IF GPORT
 *   ip nat inside source static network LOCAL GLOBAL MASK|/LEN
 * and the NAT virtual interface forms (`ip nat source static ...`), followed by options:
 * `vrf NAME` and `route-map NAME` restrict the translation by what fwlint does not model (unknown
 * conditions); `extendable`, `no-alias`, `no-payload`, `redundancy ...`, `mapping-id N`,
 * `reversible`, `match-in-vrf`, `add-route` change nothing a packet filter sees.
 */
import { maskToPrefix, parseIPv4Strict, prefixRange } from "../../src/model/address.js";
import type { StaticNat, Where } from "./config.js";
import type { ConfigLine, Token } from "./lines.js";
import { iosPort } from "./names.js";

const OPTIONS_WITH_VALUE = new Set(["redundancy", "mapping-id"]);
const OPTIONS = new Set(["extendable", "no-alias", "no-payload", "reversible", "match-in-vrf", "add-route", "stateless"]);

/** Undefined when the line is not a static NAT of inside addresses; a string: what was expected. */
export function readStaticNat(l: ConfigLine, where: (tok?: Token) => Where): StaticNat | undefined | { problem: string; at: Token } {
  const t = l.tokens;
  const lw = t.map((x) => x.text.toLowerCase());
  // ip nat [inside] source static ...
  const nvi = lw[2] === "source";
  const at = nvi ? 3 : 4;
  if (!(nvi || (lw[2] === "inside" && lw[3] === "source")) || lw[at] !== "static") return undefined;
  let i = at + 1;
  const fail = (expected: string) => ({ problem: `expected ${expected}`, at: t[Math.min(i, t.length - 1)]! });
  const addr = (k: number) => (t[k] === undefined ? null : parseIPv4Strict(t[k]!.text));
  const nat: Partial<StaticNat> & { unknowns: StaticNat["unknowns"] } = { nvi, unknowns: [], where: where(t[0]) };
  /** The global side at word i - an address or `interface NAME` -, or what was expected there. */
  const readGlobal = (): string | undefined => {
    if (lw[i] === "interface") {
      if (t[i + 1] === undefined) return "an interface name after 'interface'";
      nat.global = { kind: "interface", name: t[i + 1]!.text, where: where(t[i + 1]) };
      i += 2;
      return undefined;
    }
    const global = addr(i);
    if (global === null) return "the global address or 'interface NAME'";
    nat.global = { kind: "addr", range: { lo: global, hi: global } };
    i++;
    return undefined;
  };
  if (lw[i] === "tcp" || lw[i] === "udp") {
    const proto = lw[i] === "tcp" ? "tcp" : "udp";
    nat.proto = proto === "tcp" ? 6 : 17;
    i++;
    const local = addr(i);
    if (local === null) return fail("the inside address");
    nat.local = { lo: local, hi: local };
    i++;
    const lport = t[i] ? iosPort(t[i]!.text, proto) : null;
    if (lport === null) return fail("the inside port");
    nat.localPort = lport;
    i++;
    const expected = readGlobal();
    if (expected) return fail(expected);
    const gport = t[i] ? iosPort(t[i]!.text, proto) : null;
    if (gport === null) return fail("the global port");
    nat.globalPort = gport;
    i++;
  } else if (lw[i] === "network") {
    i++;
    const local = addr(i);
    const global = addr(i + 1);
    if (local === null || global === null) return fail("'network LOCAL GLOBAL MASK|/LENGTH'");
    i += 2;
    const m = t[i]?.text ?? "";
    const mask = m.startsWith("/") ? null : parseIPv4Strict(m);
    const len = m.startsWith("/") ? (/^\/[0-9]{1,2}$/.test(m) ? Number(m.slice(1)) : null) : mask === null ? null : maskToPrefix(mask, 4);
    if (len === null || len > 32) return fail("a network mask or /LENGTH");
    nat.local = prefixRange(local, len, 4);
    nat.global = { kind: "addr", range: prefixRange(global, len, 4) };
    i++;
  } else {
    const local = addr(i);
    if (local === null) return fail("the inside address, 'tcp', 'udp' or 'network'");
    nat.local = { lo: local, hi: local };
    i++;
    const expected = readGlobal();
    if (expected) return fail(expected);
  }
  for (; i < t.length; i++) {
    const w = lw[i]!;
    if (w === "vrf" || w === "route-map") {
      const name = t[i + 1]?.text ?? "";
      nat.unknowns.push({ text: `${w} ${name}`.trim(), reason: w === "vrf" ? `the translation applies in VRF ${name} only; VRFs are not modelled` : `route-map ${name} decides which packets are translated; not modelled` });
      i++;
    } else if (OPTIONS_WITH_VALUE.has(w)) i++;
    else if (!OPTIONS.has(w)) nat.unknowns.push({ text: t[i]!.text, reason: `NAT option '${t[i]!.text}' is not modelled` });
  }
  return nat as StaticNat;
}
