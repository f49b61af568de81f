/**
 * Which interfaces face the Internet, as the tool that wrote a host's ruleset put them in zones. A
 * Linux ruleset does not hold the host's interfaces, so fwlint takes every one (but loopback and
 * container/VM bridges) as facing the Internet - yet two generators of nftables rulesets say it
 * in the dispatch chains they write, as a firewall device's zones say it:
 *
 * - firewalld (`table inet firewalld`): `filter_INPUT_POLICIES` (1.x) or `filter_INPUT_ZONES`
 *   (0.7-0.9) sends each interface to its zone's chain (`iifname "eth1" jump filter_IN_internal`),
 *   and the rest to the default zone's (an unconditioned `jump`/`goto`). The zones it ships for
 *   trusted networks - trusted, home, work, internal (and those libvirt, docker and NetworkManager's
 *   shared connections add for their own bridges) - are not where strangers arrive; every other
 *   interface is, in public, external, dmz, drop, block, a zone of the admin's own, or the default.
 * - OpenWrt's fw4 (`table inet fw4`): the `input` chain sends each zone's devices to `input_ZONE`
 *   (`iifname "pppoe-wan" jump input_wan`); a zone named for the Internet (wan, wan6, untrust,
 *   outside, internet, external) holds the interfaces that face it - without one, a zone that
 *   masquerades (the upstream one) - and a device in no zone is dropped by the chain's policy.
 *
 * Only exact interface names are taken: a wildcard (`iifname "eth*"`) of a trusted zone stays
 * Internet-facing, and one of fw4's Internet zone - as a zone dispatched by its sources - leaves
 * the ruleset's interfaces as they were.
 */
import type { Chain, Condition, Ruleset } from "../../src/model/types.js";
import { namesInternetZone } from "../internet-zones.js";

/** firewalld's zones for trusted networks, and those other tools add to it for their own bridges. */
const FIREWALLD_TRUSTED = new Set(["trusted", "home", "work", "internal", "libvirt", "libvirt-routed", "docker", "nm-shared"]);

/** A dispatch rule: the interfaces it sends (none: every packet), or undefined when it tests more than the interface. */
interface Dispatch {
  zone: string;
  /** Exact names; undefined when the rule sends every interface. */
  names?: string[];
  /** It names an interface by a wildcard. */
  wildcard?: true;
  /** It tests more than the interface and the family (a zone bound to sources). */
  other?: true;
}

function dispatches(chain: Chain | undefined, zoneOf: (target: string) => string | undefined): Dispatch[] {
  const out: Dispatch[] = [];
  for (const rule of chain?.rules ?? []) {
    const a = rule.action;
    if (a.kind !== "jump" && a.kind !== "goto") continue;
    const zone = zoneOf(a.chain);
    if (zone === undefined) continue;
    const names: string[] = [];
    let wildcard = false;
    let other = false;
    const iface = (c: Condition): void => {
      if (c.kind === "iface" && c.field === "iif" && !c.negate) {
        if (c.prefix) wildcard = true;
        else names.push(c.name);
      } else other = true;
    };
    let sawIface = false;
    for (const c of rule.conditions) {
      if (c.kind === "family") continue;
      if (c.kind === "or" && !c.negate && c.anyOf.every((alt) => alt.length === 1)) c.anyOf.forEach((alt) => iface(alt[0]!));
      else iface(c);
      sawIface = true;
    }
    out.push({ zone, ...(sawIface ? { names } : {}), ...(wildcard ? { wildcard: true as const } : {}), ...(other ? { other: true as const } : {}) });
  }
  return out;
}

/** The interfaces firewalld's zones put on trusted networks, or - its default zone a trusted one - those it puts on others. */
function firewalldSide(chains: ReadonlyMap<string, Chain>): Pick<Ruleset, "internetInterfaces" | "internalInterfaces"> | undefined {
  const chain = chains.get("inet firewalld/filter_INPUT_POLICIES") ?? chains.get("inet firewalld/filter_INPUT_ZONES");
  const zoneOf = (target: string): string | undefined => /^filter_IN_(?!policy_)(.+)$/.exec(target)?.[1];
  const all = dispatches(chain, zoneOf);
  const byInterface = all.filter((d) => d.names !== undefined && !d.other);
  const fallback = all.find((d) => d.names === undefined);
  if (!fallback || byInterface.length === 0) return undefined;
  const trusted = (d: Dispatch) => FIREWALLD_TRUSTED.has(d.zone);
  const namesOf = (ds: Dispatch[]) => [...new Set(ds.flatMap((d) => d.names ?? []))];
  if (!trusted(fallback)) {
    const untrustedNames = new Set(namesOf(byInterface.filter((d) => !trusted(d))));
    const internal = namesOf(byInterface.filter(trusted)).filter((n) => !untrustedNames.has(n));
    return internal.length > 0 ? { internalInterfaces: internal } : undefined;
  }
  // The default zone is trusted: only the interfaces put in another zone face the Internet.
  const facing = byInterface.filter((d) => !trusted(d));
  if (facing.length === 0 || facing.some((d) => d.wildcard)) return undefined;
  return { internetInterfaces: namesOf(facing) };
}

/**
 * The interfaces of fw4's zones named for the Internet; where none is, of those that masquerade
 * what leaves through them (OpenWrt's `option masq 1`, set on the upstream zone: `srcnat_ZONE`).
 */
function fw4Side(chains: ReadonlyMap<string, Chain>): Pick<Ruleset, "internetInterfaces"> | undefined {
  const zoneOf = (target: string): string | undefined => /^input_(.+)$/.exec(target)?.[1];
  const zones = dispatches(chains.get("inet fw4/input"), zoneOf);
  const masquerades = (zone: string) => (chains.get(`inet fw4/srcnat_${zone}`)?.rules ?? []).some((r) => r.action.kind === "snat" && r.action.target === "masquerade");
  const named = zones.filter((d) => namesInternetZone(d.zone));
  const internet = named.length > 0 ? named : zones.filter((d) => masquerades(d.zone));
  if (internet.length === 0 || internet.some((d) => d.names === undefined || d.wildcard || d.other)) return undefined;
  const names = [...new Set(internet.flatMap((d) => d.names!))];
  return names.length > 0 ? { internetInterfaces: names } : undefined;
}

/** What the generator of a host's nftables ruleset says of its interfaces (see the module's doc), if it is one of those read. */
export function generatedInterfaceSide(chains: ReadonlyMap<string, Chain>): Pick<Ruleset, "internetInterfaces" | "internalInterfaces" | "zonedInterfaces"> | undefined {
  const side = firewalldSide(chains) ?? fw4Side(chains);
  return side ? { ...side, zonedInterfaces: true } : undefined;
}
