/**
 * Which interfaces face the Internet, decided per family from the interfaces' own addresses.
 *
 * For a family, an interface faces the Internet when it has a public address of that family, or
 * one the provider assigns (`ip address dhcp|negotiated`, `ipv6 address dhcp|autoconfig`); loopback
 * and null interfaces and shut-down ones never do. An IPv6 address from a delegated general prefix
 * (`ipv6 address NAME ::1/64`) is the LAN side of prefix delegation, not an uplink.
 *
 * Per family, because the two say different things on a dual-stack LAN: a private IPv4 prefix next
 * to a global IPv6 one is the common case, and the IPv6 address says nothing about where IPv4
 * packets on that interface come from.
 */
import { isPublicAddress } from "../../src/analysis/regions.js";
import type { Family } from "../../src/model/types.js";
import type { InterfaceAddress, IosInterface } from "./config.js";

function isPublic(a: InterfaceAddress): boolean {
  const v = a.addr;
  if (typeof v === "bigint") return isPublicAddress(v, a.family);
  return v !== "general-prefix";
}

function live(i: IosInterface): boolean {
  return !i.shutdown && !/^(loopback|null)/i.test(i.name);
}

/** The interfaces that face the Internet for one family. */
export function internetInterfaces(ifaces: readonly IosInterface[], family: Family): string[] {
  return ifaces.filter((i) => live(i) && i.addresses.some((a) => a.family === family && isPublic(a))).map((i) => i.name);
}

/**
 * The one list the model holds for every family (Ruleset.internetInterfaces): an interface with an
 * IPv4 address is in it as IPv4 decides, so a LAN's global IPv6 prefix never makes its IPv4 side
 * Internet-facing; an interface without one (an IPv6-only uplink) as IPv6 decides. Where the two
 * families disagree on a dual-stack interface a single list cannot follow both: the IPv4 decision
 * is kept, since such an interface is most often a LAN with a global IPv6 prefix.
 */
export function deviceInternetInterfaces(ifaces: readonly IosInterface[]): string[] {
  const v4 = new Set(internetInterfaces(ifaces, 4));
  const v6 = new Set(internetInterfaces(ifaces, 6));
  const hasV4 = (i: IosInterface) => i.addresses.some((a) => a.family === 4);
  return ifaces.filter((i) => (hasV4(i) ? v4.has(i.name) : v6.has(i.name))).map((i) => i.name);
}
