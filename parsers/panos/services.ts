/**
 * What a PAN-OS security rule's `service` and `application` fields let through, as conditions.
 *
 * Services: `any`; `service` objects (`protocol tcp|udp|sctp port 80,443,8000-8080` with an
 * optional `source-port`), `service-group`s (`members`, nesting; PAN-OS 5 put them directly under
 * the group), PAN-OS's predefined `service-http` (TCP 80, 8080) and `service-https` (TCP 443),
 * looked up in the scope's namespaces in order; and `application-default`: each application on the
 * ports its App-ID definition lists.
 *
 * Applications are identified by App-ID from the traffic itself, which no configuration holds:
 * an application other than `any` is an unknown condition. Ordinary traffic of a well-known
 * application on its standard port is that application (a stranger's connection to TCP 22 is
 * SSH): for the applications in APP_DEFAULTS, the condition is known to hold for ordinary traffic
 * on those ports (see Condition `ordinary`), and left open elsewhere. `application-default` with
 * an application fwlint has no ports for, or a custom application without `default port`, is
 * unknown.
 */
import { mergePortRanges } from "../../src/model/ports.js";
import type { Condition, PortRange } from "../../src/model/types.js";
import { child, kids, type ConfigNode } from "../junos/tree.js";
import { anyOf, lastValue, lookup, members, undefinedRef, type PanosContext } from "./scope.js";
import { nameTable } from "../../src/model/name-table.js";

type Alt = Condition[];

const TCP = 6;
const UDP = 17;
const SCTP = 132;

/** Ports of one protocol, or a protocol without ports. */
interface ProtoPorts {
  proto: number;
  ports?: PortRange[];
  icmpType?: number;
  icmpCode?: number;
}

/** PAN-OS predefined services (when no object of the name shadows them). */
const PREDEFINED: Readonly<Record<string, ProtoPorts[]>> = nameTable({
  "service-http": [{ proto: TCP, ports: [[80, 80], [8080, 8080]] }],
  "service-https": [{ proto: TCP, ports: [[443, 443]] }],
});

const t = (...ports: (number | [number, number])[]): ProtoPorts => ({ proto: TCP, ports: ports.map((p) => (typeof p === "number" ? [p, p] : p)) });
const u = (...ports: (number | [number, number])[]): ProtoPorts => ({ proto: UDP, ports: ports.map((p) => (typeof p === "number" ? [p, p] : p)) });

/** Standard ports of well-known App-IDs (Applipedia's "standard ports"), for `application-default`. */
export const APP_DEFAULTS: ReadonlyMap<string, readonly ProtoPorts[]> = new Map<string, ProtoPorts[]>([
  ["ssh", [t(22)]],
  ["telnet", [t(23)]],
  ["smtp", [t(25, 587)]],
  ["smtp-base", [t(25, 587)]],
  ["dns", [t(53), u(53)]],
  ["dns-base", [t(53), u(53)]],
  ["web-browsing", [t(80)]],
  ["ssl", [t(443)]],
  ["ms-rdp", [t(3389), u(3389)]],
  ["ftp", [t(21)]],
  ["tftp", [u(69)]],
  ["snmp", [u([161, 162])]],
  ["snmpv1", [u(161)]],
  ["snmpv2", [u(161)]],
  ["snmpv3", [u(161)]],
  ["snmp-trap", [u(162)]],
  ["ldap", [t(389), u(389)]],
  ["mysql", [t(3306)]],
  ["mssql-db", [t(1433)]],
  ["mssql-mon", [u(1434)]],
  ["postgres", [t(5432)]],
  ["oracle", [t(1521)]],
  ["ntp", [u(123)]],
  ["ntp-base", [u(123)]],
  ["imap", [t(143)]],
  ["pop3", [t(110)]],
  ["ms-ds-smb", [t(139, 445)]],
  ["netbios-ns", [u(137)]],
  ["netbios-dg", [u(138)]],
  ["netbios-ss", [t(139)]],
  ["msrpc", [t(135)]],
  ["msrpc-base", [t(135)]],
  ["vnc", [t([5900, 5901])]],
  ["vnc-base", [t([5900, 5901])]],
  ["redis", [t(6379)]],
  ["mongodb", [t(27017)]],
  ["elasticsearch", [t(9200)]],
  ["memcached", [t(11211), u(11211)]],
  ["syslog", [u(514)]],
  ["radius", [u(1645, 1646, 1812, 1813)]],
  ["kerberos", [t(88), u(88)]],
  ["sip", [t(5060), u(5060)]],
  ["bgp", [t(179)]],
  ["ike", [u(500, 4500)]],
  ["rsync", [t(873)]],
  ["x11", [t([6000, 6063])]],
  ["finger", [t(79)]],
  ["rtsp", [t(554)]],
  ["nfs", [t(2049), u(2049)]],
  ["portmapper", [t(111), u(111)]],
  ["dhcp", [u(67, 68)]],
  ["ipsec-esp", [{ proto: 50 }]],
  ["gre", [{ proto: 47 }]],
  ["ospf", [{ proto: 89 }]],
  ["icmp", [{ proto: 1 }]],
  ["ipv6-icmp", [{ proto: 58 }]],
  ["ping", [{ proto: 1, icmpType: 8 }, { proto: 58, icmpType: 128 }]],
]);

export class Services {
  private readonly memo = new Map<string, Alt[] | undefined>();
  private readonly resolving = new Set<string>();

  /** A rule names an application identified by its ICMPv6 type: the firewall passes IPv6. */
  sawV6 = false;

  constructor(
    private readonly ctx: PanosContext,
    private readonly namespaces: readonly ConfigNode[],
  ) {}

  /**
   * The conditions of a rule's `service` and `application` fields together. `user`: the rule,
   * for messages.
   */
  condition(serviceNames: readonly ConfigNode[], appNames: readonly ConfigNode[], user: string): Condition[] {
    const anyApp = appNames.length === 0 || appNames.some((a) => a.name === "any");
    const appDefault = serviceNames.some((s) => s.name === "application-default");
    const anyService = serviceNames.length === 0 || serviceNames.some((s) => s.name === "any");
    const out: Condition[] = [];
    const explicit = serviceNames.filter((s) => s.name !== "application-default" && s.name !== "any");
    if (!anyService) {
      const alts: Alt[] = [];
      for (const s of explicit) {
        const v = this.resolve(s.name, s);
        if (v) alts.push(...v);
        else {
          undefinedRef(this.ctx, s, `${user}: service '${s.name}' is not a service or service group`);
          alts.push([{ kind: "unknown", text: `service ${s.name}`, reason: `undefined service ${s.name}` }]);
        }
      }
      if (appDefault) alts.push(...(anyApp ? [[anyAppDefault()]] : this.appAlternatives(appNames, true, user)));
      out.push(...anyOf(alts));
    }
    // with only application-default, the applications on their own ports are the service side already
    if (!anyApp && !(appDefault && explicit.length === 0 && !anyService)) out.push(...anyOf(this.appAlternatives(appNames, false, user)));
    return out;
  }

  /**
   * What the applications match: each known one on its standard ports (where ordinary traffic is
   * it), and - unless `onDefaults` - anywhere else as an open question.
   */
  private appAlternatives(names: readonly ConfigNode[], onDefaults: boolean, user: string): Alt[] {
    const alts: Alt[] = [];
    // the applications with known ports: one alternative "on one of their ports, and one of them"
    // (ordinary traffic on an application's standard port is that application), so that the
    // unknown stays outside any `or` and keeps its ordinary value
    const known: { name: string; ports: readonly ProtoPorts[] }[] = [];
    const seen = new Set<string>();
    const visit = (n: ConfigNode, depth: number): void => {
      if (seen.has(n.name) || depth > 32) return;
      seen.add(n.name);
      const hit = lookup(this.namespaces, ["application-group", "application-filter", "application"] as const, n.name);
      if (hit?.key === "application-group") {
        const list = child(hit.node, "members") ? members(hit.node, "members") : kids(hit.node).filter((c) => c.children.size === 0);
        for (const m of list) visit(m, depth + 1);
        return;
      }
      if (hit?.key === "application-filter") {
        alts.push([{ kind: "unknown", text: `application-filter ${n.name}`, reason: "App-ID decides which applications a filter matches" }]);
        return;
      }
      const custom = hit?.node;
      const ports = custom ? this.customPorts(custom) : APP_DEFAULTS.get(n.name);
      if (ports && ports.length > 0) known.push({ name: n.name, ports });
      else if (onDefaults) alts.push([{ kind: "unknown", text: `application ${n.name} on its default ports`, reason: custom ? `custom application ${n.name} lists no default port` : `the standard ports of App-ID ${n.name} are not known to fwlint` }]);
      if (!onDefaults) alts.push([{ kind: "unknown", text: `application ${n.name}${ports ? " on other ports" : ""}`, reason: "App-ID identifies the application from the traffic" }]);
    };
    for (const n of names) visit(n, 0);
    if (known.length > 0) {
      const ports = anyOf(known.flatMap((k) => k.ports.map(protoConditions)));
      alts.unshift([...ports, { kind: "unknown", text: `application ${known.map((k) => k.name).join(", ")}`, reason: "App-ID identifies the application from the traffic", ordinary: true }]);
    }
    if (alts.length === 0) this.ctx.diags.warn(names[0]!, `${user}: no application`);
    return alts;
  }

  /**
   * A custom application's `default port` members (`tcp/80,8080`, `udp/53`), `ident-by-ip-protocol`,
   * or `ident-by-icmp-type` / `ident-by-icmp6-type` (a type, and a code when given).
   */
  private customPorts(app: ConfigNode): ProtoPorts[] | undefined {
    const def = child(app, "default");
    if (!def) return undefined;
    const out: ProtoPorts[] = [];
    for (const m of members(def, "port")) {
      const slash = m.name.indexOf("/");
      const proto = { tcp: TCP, udp: UDP, sctp: SCTP }[m.name.slice(0, slash)];
      const ports = proto === undefined ? undefined : portList(m.name.slice(slash + 1));
      if (proto === undefined || !ports) {
        this.ctx.diags.warn(m, `application '${app.name}': default port '${m.name}' is not PROTOCOL/PORTS; ignored`);
        continue;
      }
      out.push({ proto, ports });
    }
    const ipProto = lastValue(def, "ident-by-ip-protocol");
    if (ipProto && /^\d+$/.test(ipProto.name)) out.push({ proto: Number(ipProto.name) });
    for (const [key, proto] of [["ident-by-icmp-type", 1], ["ident-by-icmp6-type", 58]] as const) {
      const ident = child(def, key);
      if (!ident) continue;
      const typeNode = lastValue(ident, "type");
      const type = typeNode?.name;
      // (`type 3 code 3` on one `set` line reads as a path: the code under the type's value)
      const code = (lastValue(ident, "code") ?? (typeNode && lastValue(typeNode, "code")))?.name;
      if (type === undefined || !/^\d+$/.test(type) || Number(type) > 255 || (code !== undefined && (!/^\d+$/.test(code) || Number(code) > 255))) {
        this.ctx.diags.warn(ident, `application '${app.name}': ${key} needs a type (and an optional code) from 0 to 255; ignored`);
        continue;
      }
      out.push({ proto, icmpType: Number(type), ...(code !== undefined ? { icmpCode: Number(code) } : {}) });
      if (proto === 58) this.sawV6 = true;
    }
    return out.length > 0 ? out : undefined;
  }

  /** The alternatives a service or group stands for; undefined when the name is neither. */
  resolve(name: string, at: ConfigNode): Alt[] | undefined {
    if (this.memo.has(name)) return this.memo.get(name);
    if (this.resolving.has(name)) {
      this.ctx.diags.error(at, `service group member '${name}' contains the group itself (a cycle)`);
      return [];
    }
    this.resolving.add(name);
    const v = this.compute(name);
    this.resolving.delete(name);
    this.memo.set(name, v);
    return v;
  }

  private compute(name: string): Alt[] | undefined {
    const hit = lookup(this.namespaces, ["service", "service-group"] as const, name);
    if (hit?.key === "service") return this.objectOf(hit.node);
    if (hit?.key === "service-group") {
      const group = hit.node;
      const list = child(group, "members") ? members(group, "members") : kids(group).filter((c) => c.children.size === 0);
      const alts: Alt[] = [];
      for (const m of list) {
        const v = this.resolve(m.name, m);
        if (v) alts.push(...v);
        else {
          undefinedRef(this.ctx, m, `service group '${group.name}': member '${m.name}' is not a service or service group`);
          alts.push([{ kind: "unknown", text: `service ${m.name}`, reason: `undefined service ${m.name}` }]);
        }
      }
      return alts;
    }
    const predefined = PREDEFINED[name];
    return predefined ? predefined.map(protoConditions) : undefined;
  }

  private objectOf(o: ConfigNode): Alt[] {
    const protocol = child(o, "protocol");
    for (const [key, proto] of [["tcp", TCP], ["udp", UDP], ["sctp", SCTP]] as const) {
      const p = child(protocol, key);
      if (!p) continue;
      // `port` directly under the service (an older spelling) counts as the protocol's
      const dst = lastValue(p, "port") ?? lastValue(o, "port");
      const src = lastValue(p, "source-port") ?? lastValue(o, "source-port");
      const dports = dst ? portList(dst.name) : undefined;
      const sports = src ? portList(src.name) : undefined;
      if (!dst || !dports) {
        this.ctx.diags.error(dst ?? p, `service '${o.name}': ${dst ? `'${dst.name}' is not a list of ports and port ranges (0-65535)` : "expected 'port'"}`);
        return [];
      }
      if (src && !sports) {
        this.ctx.diags.error(src, `service '${o.name}': '${src.name}' is not a list of ports and port ranges (0-65535)`);
        return [];
      }
      const alt: Alt = [{ kind: "proto", protos: [proto] }, { kind: "port", field: "dport", ranges: dports }];
      if (sports) alt.push({ kind: "port", field: "sport", ranges: sports });
      return [alt];
    }
    this.ctx.diags.error(o, `service '${o.name}' has no 'protocol tcp|udp|sctp port ...'; it matches nothing`);
    return [];
  }
}

function anyAppDefault(): Condition {
  return { kind: "unknown", text: "application-default (application any)", reason: "each application is allowed on its own standard ports, which App-ID decides", ordinary: true };
}

function protoConditions(p: ProtoPorts): Alt {
  const out: Alt = [{ kind: "proto", protos: [p.proto] }];
  if (p.ports) out.push({ kind: "port", field: "dport", ranges: p.ports });
  if (p.icmpType !== undefined) out.push({ kind: "icmp", family: p.proto === 1 ? 4 : 6, type: p.icmpType, ...(p.icmpCode !== undefined ? { codeLo: p.icmpCode, codeHi: p.icmpCode } : {}) });
  return out;
}

/** `80,443,8000-8080` -> ranges; undefined when malformed or out of 0-65535. */
export function portList(text: string): PortRange[] | undefined {
  const out: PortRange[] = [];
  for (const part of text.split(",")) {
    const m = /^\s*(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s*$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > 65535 || hi > 65535 || hi < lo) return undefined;
    out.push([lo, hi]);
  }
  return out.length > 0 ? mergePortRanges(out) : undefined;
}
