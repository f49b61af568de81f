/**
 * The router's web UI: `ip http server` (HTTP, tcp/80 or `ip http port`) and `ip http
 * secure-server` (HTTPS, tcp/443 or `ip http secure-port`). Reachable from the Internet it is a way
 * into the router itself (the IOS XE web UI was taken over that way in 2023), so the servers that
 * are on are device services (Ruleset.deviceServices) that the exposure check reports as such.
 *
 * `ip http access-class` admits clients by an access list (IPv4: `N` or `ipv4 NAME`; IPv6: `ipv6
 * NAME`): a stage of the inbound path that, like the vty lines' (vty.ts), only takes packets away -
 * to the servers' ports, what the list denies - so the interface ACL entry that admitted a packet
 * stays the rule findings point at.
 */
import type { DeviceService, Family } from "../../src/model/types.js";
import { accessClassChain } from "./access-class.js";
import { aclKey, type HttpServer, type IosConfig } from "./config.js";
import { aclTable, type IosMapper } from "./mapper.js";

/** The ports of the servers that are on. */
function serverPorts(h: HttpServer): [number, number][] {
  const ports: [number, number][] = [];
  if (h.http) ports.push([h.port, h.port]);
  if (h.https && h.securePort !== h.port) ports.push([h.securePort, h.securePort]);
  return ports.sort((a, b) => a[0] - b[0]);
}

/** The web UI as a device service, when a server is on. */
export function httpDeviceService(m: IosMapper, cfg: IosConfig): DeviceService | undefined {
  const h = cfg.httpServer;
  const on = h.http ?? h.https;
  if (!on) return undefined;
  return { id: "ios-http-server", name: "IOS web UI", protocol: 6, ports: serverPorts(h), span: m.span(on) };
}

/** The inbound stage's chain for one family, or undefined when no access-class applies. */
export function httpServerStage(m: IosMapper, cfg: IosConfig, family: Family): string | undefined {
  const h = cfg.httpServer;
  const b = h.accessClass[family];
  const ports = serverPorts(h);
  if (!b || ports.length === 0) return undefined;
  const acl = cfg.acls.get(aclKey(family, b.acl));
  if (!acl) {
    m.warn(b.where, `ip http access-class ${b.acl} is not defined; IOS lets every client of the web UI in`);
    return undefined;
  }
  const name = family === 4 ? "ip http" : "ip http (ipv6)";
  const sub = `${name} access-class ${acl.name}`;
  accessClassChain(m, acl, sub, family);
  const rule = m.rule(`${name}#access-class`, [{ kind: "proto", protos: [6] }, { kind: "port", field: "dport", ranges: ports }], { kind: "jump", chain: sub }, b.where, `ip http access-class ${acl.name}`);
  // no policy: what it does not refuse passes on, without a step in traces
  return m.addChain({ name, table: aclTable(family), rules: [rule], span: m.span(b.where) });
}
