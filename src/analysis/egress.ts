/**
 * The egress interface of a forward packet that names none, on a device whose routes its file
 * shows (Ruleset.routed: ASA, IOS, JunOS): where the routes send its destination. For `fwlint trace`
 * and the review's packet prompt, which would otherwise trace the packet leaving through no named
 * interface - and an ASA's security levels, an SRX's zone pairs, an outbound list all decide by it.
 */
import { guessFamily, parseIP } from "../model/address.js";
import type { Packet } from "../model/finding.js";
import { egressOf } from "../model/routing.js";
import type { Ruleset } from "../model/types.js";

/**
 * For a forward packet given no egress interface: the interface the routes send its destination
 * out of (undefined: none says, or the route leads to no interface - Null0, discard), and a note
 * saying so. Undefined when the question does not arise: another hook, an egress interface given,
 * a ruleset without routes, a destination that does not parse (the tracer reports that).
 */
export function routedEgress(ruleset: Ruleset, packet: Packet): { iface: string | undefined; note: string } | undefined {
  if (packet.hook !== "forward" || packet.oif !== undefined || !ruleset.routed || typeof packet.dst !== "string") return undefined;
  const family = packet.family ?? guessFamily(packet.dst);
  const addr = parseIP(packet.dst, family);
  if (addr === null) return undefined;
  const iface = egressOf(ruleset.routed, family, addr);
  if (iface === undefined) return { iface, note: `no egress interface given, and the file's routes do not say where ${packet.dst} leaves; traced as leaving through no named interface` };
  if (ruleset.interfaces !== undefined && !ruleset.interfaces.includes(iface)) return { iface: undefined, note: `no egress interface given: the routes send ${packet.dst} to ${iface}, which drops it; traced as leaving through no named interface` };
  return { iface, note: `no egress interface given: the routes send ${packet.dst} out of ${iface}; traced so` };
}
