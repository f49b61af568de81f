/**
 * The vendor-specific configuration object: what the running-config says about ACLs, object
 * groups, interfaces and zones, before conversion to the common model. Names are kept as written;
 * references are resolved by the mapper.
 */
import type { AddrRange, Family } from "../../src/model/types.js";
import type { Ace, AddrSpec, PortSpec } from "./ace.js";

export interface Where {
  line: number;
  column: number;
  text: string;
}

export type AclKind = "standard" | "extended";

export interface AclEntry {
  /** Sequence number (explicit, or assigned as IOS does: previous + 10). */
  seq: number;
  explicitSeq: boolean;
  /** Insertion order, to keep remarks next to the entry they precede. */
  order: number;
  where: Where;
  body: { kind: "remark"; text: string } | { kind: "ace"; ace: Ace };
}

export interface Acl {
  name: string;
  family: Family;
  kind: AclKind;
  /** The header (`ip access-list extended X`) or the first `access-list N` line. */
  where: Where;
  entries: AclEntry[];
}

export interface Binding {
  acl: string;
  where: Where;
}

export interface InterfaceAddress {
  family: Family;
  /**
   * The address, or how the device obtains one the file does not show: from the provider (dhcp,
   * negotiated, IPv6 autoconfig) or from a delegated general prefix (`ipv6 address NAME ::1/64`).
   */
  addr: bigint | "dhcp" | "negotiated" | "autoconfig" | "general-prefix";
  /** The length of the connected subnet (`A MASK`, `A/LEN`), when the file gives one. */
  prefix?: number;
  /** `ipv6 address P/64 eui-64`: `addr` is the prefix, the interface identifier comes from the MAC address. */
  eui64?: true;
  /** A redundancy group's virtual address (HSRP `standby`, VRRP, GLBP), shared with a peer router. */
  virtual?: true;
  where: Where;
}

export interface IosInterface {
  name: string;
  where: Where;
  /** Per family, per direction: the ACL bound (`ip access-group`, `ipv6 traffic-filter`). */
  bindings: Record<Family, { in?: Binding; out?: Binding }>;
  addresses: InterfaceAddress[];
  ipv6: boolean;
  /** `ip unnumbered IF` / `ipv6 unnumbered IF`: routed with another interface's address. */
  unnumbered?: boolean;
  shutdown: boolean;
  zone?: { name: string; where: Where };
  /** `ip nat inside|outside` (classic NAT), `ip nat enable` (NAT virtual interface). */
  nat?: "inside" | "outside" | "enable";
}

/** `line vty FIRST [LAST]`: who may open a remote session (SSH, Telnet) to the router, and how. */
export interface VtyLines {
  first: number;
  last: number;
  where: Where;
  /** `access-class NAME in` (IPv4), `ipv6 access-class NAME in`. */
  accessClass: Partial<Record<Family, Binding>>;
  /** `transport input ...` as written (ssh, telnet, all, none ...); undefined when the file does not say. */
  transport?: { protocols: string[]; where: Where };
}

/**
 * `ip nat inside source static ...` (or, with NAT virtual interfaces, `ip nat source static ...`):
 * an inside address (and port) published at a global one. Packets arriving on an outside
 * interface for the global address are translated to the local one.
 */
export interface StaticNat {
  /** NVI form (`ip nat source static`): between interfaces with `ip nat enable`. */
  nvi: boolean;
  /** `tcp|udp`: a static port translation. */
  proto?: 6 | 17;
  /** The inside (local) address, or network with `static network`. */
  local: AddrRange;
  localPort?: number;
  /** The global address (a network of the same size with `static network`), or `interface IF`'s address. */
  global: { kind: "addr"; range: AddrRange } | { kind: "interface"; name: string; where: Where };
  globalPort?: number;
  /** Options that make the translation depend on what fwlint does not model (`vrf`, `route-map`). */
  unknowns: { text: string; reason: string }[];
  where: Where;
}

/** One member line of an object group. */
export type GroupMember =
  | { kind: "addr"; addr: AddrSpec; where: Where }
  | { kind: "range"; family: Family; lo: bigint; hi: bigint; where: Where }
  | { kind: "group"; name: string; where: Where }
  /** Service member: protocol (null = any IP protocol) with optional source/destination ports. */
  | { kind: "service"; proto: ServiceProto; sport?: PortSpec; dport?: PortSpec; icmp?: { type: number; code?: number }; where: Where }
  | { kind: "proto"; proto: number | null; where: Where }
  | { kind: "port"; port: PortSpec; where: Where }
  /** A member fwlint cannot turn into packets (kept as an unknown part of the group). */
  | { kind: "unknown"; text: string; reason: string; where: Where };

export type ServiceProto = { kind: "any" } | { kind: "number"; n: number; portProto?: "tcp" | "udp" | "tcp-udp" | "sctp" };

export type GroupKind = "network" | "service" | "protocol" | "port";

export interface ObjectGroup {
  name: string;
  kind: GroupKind;
  /** Family restriction (`object-group network ipv6 X`, `object-group ipv6 address X`). */
  family?: Family;
  where: Where;
  members: GroupMember[];
}

export interface Zone {
  name: string;
  where: Where;
}

export interface ZonePair {
  name: string;
  source: string;
  destination: string;
  policy?: string;
  where: Where;
}

/** One `match` line of a `class-map type inspect`. */
export type ClassMatch =
  | { kind: "acl"; name: string; where: Where }
  | { kind: "protocol"; name: string; where: Where }
  | { kind: "other"; text: string; where: Where };

export interface InspectClass {
  name: string;
  /** match-all (the default) or match-any. */
  matchAll: boolean;
  matches: ClassMatch[];
  where: Where;
}

export type InspectAction = "inspect" | "pass" | "drop";

export interface InspectPolicy {
  name: string;
  /** Classes in order; `class-default` is kept apart. */
  classes: { name: string; action?: InspectAction; where: Where }[];
  classDefault?: { action?: InspectAction; where: Where };
  where: Where;
}

/**
 * The router's web UI (`ip http server`, `ip http secure-server`): which servers are on, their
 * ports, and the access-class that admits their clients (`ip http access-class N`,
 * `ip http access-class ipv4|ipv6 NAME`).
 */
export interface HttpServer {
  http?: Where;
  https?: Where;
  port: number;
  securePort: number;
  accessClass: Partial<Record<Family, Binding>>;
}

/**
 * Who may talk to the SNMP agent: a community (`snmp-server community STRING [view V] [RO|RW]
 * [ipv6 NAME] [ACL]`) or an SNMPv3 group (`snmp-server group NAME v3 ... [access [ipv6 NAME]
 * [ACL]]`), with the access lists that admit its managers, per family.
 */
export interface SnmpAccess {
  kind: "community" | "group";
  acl: Partial<Record<Family, Binding>>;
  where: Where;
}

export interface IosConfig {
  acls: Map<string, Acl>;
  groups: Map<string, ObjectGroup>;
  interfaces: IosInterface[];
  zones: Map<string, Zone>;
  zonePairs: ZonePair[];
  inspectClasses: Map<string, InspectClass>;
  inspectPolicies: Map<string, InspectPolicy>;
  /** Words of commands that may name an ACL, outside ACL and object-group definitions (to tell which ACLs other features use). */
  referencedWords: Set<string>;
  /** Where `ip inspect` (CBAC) is used, if anywhere. */
  cbac?: Where;
  staticNat: StaticNat[];
  vty: VtyLines[];
  httpServer: HttpServer;
  snmp: SnmpAccess[];
  /** Static routes of the global table (`ip route`, `ipv6 route`; VRF routes left out). */
  routes: IosStaticRoute[];
  /** The first `router PROTOCOL` or `ipv6 router PROTOCOL`: routes are learned that the file does not show. */
  dynamicRouting?: Where;
}

/**
 * `ip route PREFIX MASK {INTERFACE [GATEWAY] | GATEWAY | dhcp} [DISTANCE] ...` (and the IPv6 form):
 * packets to `range` leave through `iface`, or through the interface whose subnet holds `nextHop`;
 * neither (`dhcp`): through an interface the file does not tell.
 */
export interface IosStaticRoute {
  family: Family;
  range: AddrRange;
  iface?: string;
  nextHop?: bigint;
  distance: number;
  where: Where;
}

/** ACL names are case-sensitive in IOS, object-group names too; keep them as written. */
export function aclKey(family: Family, name: string): string {
  return `${family}:${name}`;
}
