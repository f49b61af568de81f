/**
 * The device's own addresses, as the first stage of the inbound path (traffic to the device).
 *
 * A packet to any other address is routed through the device: the forward path judges it, and the
 * inbound path must not report again, as traffic to the device, what an input filter lets through
 * to the hosts behind it (a router without a loopback filter). So the stage accepts, per address
 * of a live interface unit, packets to that address and drops the rest (its policy):
 * - `family inet|inet6 address A/LEN`: A (lo0's too);
 * - `... address A/LEN vrrp-group N virtual-address V` (`vrrp-inet6-group`, `virtual-inet6-address`):
 *   V - a packet to it reaches this device while it is the master, and is then for the device;
 * - an address the file does not show (`dhcp`, `dhcp-client`, `dhcpv6-client`, `autoconfig`,
 *   `negotiate-address`): an unknown condition - the packet may or may not be for the device -
 *   outside the subnets of the other units.
 * IPv6 link-local addresses the device derives by itself are left out: nothing from beyond the link
 * reaches them. A file that shows no address at all (a fragment) gets no stage: any destination.
 *
 * The stage runs before the filters, so that the filter term (or the host-inbound-traffic entry)
 * stays the rule that admitted a packet (the last accepting filter stage decides).
 */
import type { AddrRange, Condition, Family, Rule } from "../../src/model/types.js";
import { obtainedAddressConditions } from "../../src/model/routing.js";
import { parsePrefix } from "./addresses.js";
import { addChain, spanOf, type JunosContext } from "./context.js";
import { at, child, kids, type ConfigNode } from "./tree.js";
import { connectedSubnets, liveUnits, providerAssignment } from "./zones.js";

const NAME = "to the device";
const FAMILIES = [
  ["inet", 4, "vrrp-group", "virtual-address"],
  ["inet6", 6, "vrrp-inet6-group", "virtual-inet6-address"],
] as const;

interface Own {
  unit: string;
  family: Family;
  /** The address, or undefined when the provider assigns it. */
  addr?: bigint;
  node: ConfigNode;
  /** VRRP: a virtual address. */
  virtual?: boolean;
}

/** The live units' addresses, and the units that get one from the provider (those last). */
function ownAddresses(root: ConfigNode): Own[] {
  const known: Own[] = [];
  const assigned: Own[] = [];
  for (const { name, unit } of liveUnits(root)) {
    for (const [f, family, group, virtual] of FAMILIES) {
      for (const a of kids(at(unit, "family", f, "address"))) {
        const p = parsePrefix(a.name);
        if (!p || p.family !== family) continue;
        known.push({ unit: name, family, addr: p.addr, node: a });
        for (const g of kids(child(a, group))) {
          for (const v of kids(child(g, virtual))) {
            const vp = parsePrefix(v.name);
            if (vp && vp.family === family) known.push({ unit: name, family, addr: vp.addr, node: v, virtual: true });
          }
        }
      }
      const node = providerAssignment(unit, f);
      if (node) assigned.push({ unit: name, family, node });
    }
  }
  return [...known, ...assigned];
}

/** The inbound stage's chain, or undefined when the file shows no address of the device. */
export function buildToTheDevice(ctx: JunosContext): string | undefined {
  const own = ownAddresses(ctx.root);
  if (own.length === 0) return undefined;
  const connected = connectedSubnets(ctx.root);
  /** The subnets of the live units other than `unit`, in one family. */
  const besides = (unit: string, family: Family): AddrRange[] => connected.filter((c) => c.family === family && c.iface !== unit).flatMap((c) => c.ranges);
  // addresses known exactly first (ownAddresses): a packet to one is traced through its own line
  const rules: Rule[] = own.map((o, n) => {
    const id = `${NAME}#${o.unit}#${n + 1}`;
    const span = spanOf(ctx, o.node);
    if (o.addr !== undefined) {
      const conditions: Condition[] = [{ kind: "addr", field: "dst", family: o.family, ranges: [{ lo: o.addr, hi: o.addr }] }];
      return { id, conditions, action: { kind: "accept" }, span, comment: o.virtual ? `a VRRP virtual address of ${o.unit}` : `an address of ${o.unit}` };
    }
    const unknown = { kind: "unknown" as const, text: `${o.unit} family ${o.family === 4 ? "inet" : "inet6"} ${o.node.name}`, reason: `the address ${o.unit} obtains (${o.node.name}) is not in the file` };
    const conditions = obtainedAddressConditions(o.family, besides(o.unit, o.family), unknown);
    return { id, conditions, action: { kind: "accept" }, span, comment: `the address ${o.unit} obtains` };
  });
  const first = child(ctx.root, "interfaces")!;
  const policySpan = { ...spanOf(ctx, first), text: "not an address of the device: routed through it (the forward path)" };
  return addChain(ctx, { name: NAME, table: "routing", rules, policy: "drop", policySpan, span: spanOf(ctx, first) });
}
