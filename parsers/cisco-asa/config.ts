/**
 * The ASA configuration as the extractor reads it: vendor objects with their names still
 * unresolved. objects.ts resolves names to address and service sets; mapper.ts turns the whole
 * into the common model. Nothing here knows about packets sets or pipelines.
 */
import type { AddrRange, Family, PortRange } from "../../src/model/types.js";

/** Where a statement or a name reference is: 1-based line and column, and the line's text. */
export interface Pos {
  line: number;
  column: number;
  text: string;
}

export interface AsaInterface {
  /** Hardware name (`GigabitEthernet0/1`, `Port-channel1.10`). */
  hardware: string;
  /** The name policy refers to; interfaces without one carry no traffic. */
  nameif?: string;
  /** Explicit `security-level`; absent = ASA's default (100 for `inside`, 0 otherwise). */
  level?: number;
  levelPos?: Pos;
  /** `management-only`: traffic to the box only, none through it. */
  managementOnly?: Pos;
  v4: bigint[];
  v6: bigint[];
  /** The subnets of its addresses (`ip address A MASK`, `ipv6 address A/LEN`): its connected routes. */
  subnets: { family: Family; range: AddrRange }[];
  pos: Pos;
}

/** A static route: packets to `range` leave through the interface named `iface`. */
export interface AsaRoute {
  iface: string;
  family: Family;
  range: AddrRange;
  distance: number;
  pos: Pos;
}

/**
 * An ICMP rule for traffic to the box: on an interface with such rules, the first that matches
 * decides and the rest is denied; an interface without any answers every ICMP packet.
 */
export interface IcmpRule {
  family: Family;
  action: "permit" | "deny";
  src: AddrSpec;
  /** ICMP type; undefined = every type. */
  type?: number;
  iface: string;
  pos: Pos;
}

/** An address slot of an ACE, a group member or an object value, names unresolved. */
export type AddrSpec =
  | { kind: "any"; families: Family[] }
  | { kind: "range"; family: Family; range: AddrRange }
  /** A non-contiguous netmask: the exact ranges it covers. */
  | { kind: "ranges"; family: Family; ranges: AddrRange[] }
  | { kind: "object"; name: string; pos: Pos }
  | { kind: "group"; name: string; pos: Pos }
  | { kind: "interface"; name: string; pos: Pos }
  /** Something the file cannot resolve (fqdn objects, identity-firewall users). */
  | { kind: "unknown"; text: string };

/** ICMP type and code selection; type undefined = every type. */
export interface IcmpSel {
  type?: number;
  code?: number;
}

/**
 * A resolved service: protocols (null = every protocol) and optional port / ICMP selections.
 * `unknown` lists parts fwlint cannot decide (an undefined nested object).
 */
export interface Service {
  protos: number[] | null;
  sport?: PortRange[];
  dport?: PortRange[];
  icmp?: IcmpSel[];
  /** ICMP family of `icmp` (4) or `icmp6` (6) selections. */
  icmpFamily?: Family;
  unknown?: string[];
}

/** The protocol slot of an ACE. */
export type ProtoSpec =
  | { kind: "protos"; protos: number[] | null; text: string }
  | { kind: "object"; name: string; pos: Pos }
  | { kind: "group"; name: string; pos: Pos };

/** A source or destination port slot. */
export type PortClause = { kind: "ranges"; ranges: PortRange[] } | { kind: "group"; name: string; pos: Pos };

export type IcmpClause = { kind: "sel"; sel: IcmpSel } | { kind: "group"; name: string; pos: Pos };

export interface Ace {
  kind: "ace";
  action: "permit" | "deny";
  proto: ProtoSpec;
  src: AddrSpec;
  dst: AddrSpec;
  sport?: PortClause;
  dport?: PortClause;
  icmp?: IcmpClause;
  /** Parts of the ACE fwlint keeps as unknown conditions (time-range, users, security groups). */
  unknown: string[];
  inactive: boolean;
  pos: Pos;
  /**
   * `show access-list` output: the indented lines under the entry, the entry with its groups
   * expanded. Used instead of the entry when the output lacks the groups' definitions.
   */
  expansions?: Ace[];
}

export interface Remark {
  kind: "remark";
  text: string;
  pos: Pos;
}

export interface AccessList {
  name: string;
  /** ACEs and remarks in ASA's line order (`line N` inserts). */
  entries: (Ace | Remark)[];
  pos: Pos;
}

export type GroupType = "network" | "service" | "port" | "protocol" | "icmp-type";

export type GroupMember =
  | { kind: "addr"; spec: AddrSpec }
  | { kind: "group"; name: string; pos: Pos }
  | { kind: "service"; service: Service }
  | { kind: "service-object"; name: string; pos: Pos }
  | { kind: "ports"; ranges: PortRange[] }
  | { kind: "protocol"; protos: number[] | null }
  | { kind: "icmp"; sel: IcmpSel };

export interface ObjectGroup {
  name: string;
  type: GroupType;
  /** Protocols of a port group (`object-group service N tcp|udp|tcp-udp`). */
  portProtos?: number[];
  members: GroupMember[];
  pos: Pos;
}

export interface NetworkObject {
  name: string;
  value?: AddrSpec;
  pos: Pos;
}

export interface ServiceObject {
  name: string;
  service?: Service;
  pos: Pos;
}

/** Port translation of a static NAT: connections to `mapped` go to `real`. */
export interface NatPorts {
  protos: number[];
  real: PortRange;
  mapped: PortRange;
}

/**
 * A NAT statement reduced to what decides which inside host a connection reaches: the
 * destination rewrites it makes for connections opened towards a mapped address.
 */
export interface NatRule {
  /** Interface names; undefined = `any`. */
  realIf?: string;
  mappedIf?: string;
  /** Real (inside) addresses of the source translation. */
  sourceReal: AddrSpec;
  /** Mapped addresses of a static source translation (undefined for dynamic NAT/PAT). */
  sourceMapped?: AddrSpec | { kind: "mapped-interface" };
  /** Twice NAT `destination static MAPPED REAL`. */
  destination?: { mapped: AddrSpec; real: AddrSpec };
  ports?: NatPorts | { kind: "objects"; real: string; mapped: string; pos: Pos };
  /**
   * The NAT table section ASA evaluates it in: 1 manual (twice) NAT and pre-8.3 `static`, 2 object
   * NAT, 3 manual NAT `after-auto`. Sections go in order; a rule keeps its place inside its own.
   */
  section: 1 | 2 | 3;
  pos: Pos;
}

export interface AccessGroup {
  acl: string;
  direction: "in" | "out" | "global";
  iface?: string;
  pos: Pos;
}

/** `ssh|telnet|http ADDR MASK IF`: who may manage the box on which interface. */
export interface ManagementAccess {
  service: "ssh" | "telnet" | "http";
  addr: AddrSpec;
  iface: string;
  pos: Pos;
}

export interface AsaConfig {
  /** `ASA Version 9.9(2)` -> [9, 9]; PIX versions too. */
  version?: [number, number];
  versionPos?: Pos;
  interfaces: AsaInterface[];
  networkObjects: Map<string, NetworkObject>;
  serviceObjects: Map<string, ServiceObject>;
  groups: Map<string, ObjectGroup>;
  accessLists: Map<string, AccessList>;
  accessGroups: AccessGroup[];
  nat: NatRule[];
  sameSecurityInter: boolean;
  sameSecurityIntra: boolean;
  management: ManagementAccess[];
  /** `http server enable [PORT]`: ASDM, the web management (HTTPS). */
  httpServer?: { port: number; pos: Pos };
  sshPort: number;
  /** `icmp permit|deny SRC [TYPE] IF` (IPv4) and `ipv6 icmp ...` (IPv6), in order: ICMP to the box. */
  icmpRules: IcmpRule[];
  /** Static routes (`route IF NET MASK GATEWAY [DISTANCE]`, `ipv6 route IF PREFIX GATEWAY [DISTANCE]`), tunneled ones left out. */
  routes: AsaRoute[];
  /** The first `router PROTOCOL` or `ipv6 router PROTOCOL`: routes are learned that the file does not show. */
  dynamicRouting?: Pos;
  /** Interfaces with IKE enabled (`crypto ikev1|ikev2 enable IF`). */
  ikeInterfaces: { iface: string; pos: Pos }[];
  /** The config uses IPv6 somewhere (addresses, any6, ipv6 interfaces). */
  usesIPv6: boolean;
  /** Any ACE uses `any` (v4 and v6 since 9.0). */
  usesAny: boolean;
  /**
   * The words of every command but the access-list entries: where other features (access-group,
   * crypto maps, class-maps, group policies, route-maps, captures ...) name an access-list.
   */
  referencedWords: Set<string>;
}
