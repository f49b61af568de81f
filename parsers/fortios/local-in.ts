/**
 * Traffic to the FortiGate itself (the `inbound` pipeline). First the local-in policies (`config
 * firewall local-in-policy` / `local-in-policy6`: intf, srcaddr, dstaddr, service, action - deny
 * unless `set action accept` - first match; what none matches goes on). Then what the device
 * answers: per interface, the management services its `allowaccess` (`ip6-allowaccess`) lists, IKE
 * on the interfaces IPsec tunnels are bound to, and the SSL VPN portal on its source interfaces;
 * packets of established sessions pass, and the rest is dropped.
 *
 * The web administration (allowaccess http/https, on `admin-port` / `admin-sport`) is a way into
 * the device: it is also reported as a device service.
 */
import type { Chain, Condition, DeviceService, Family, Rule } from "../../src/model/types.js";
import { anyOf } from "../junos/context.js";
import type { AddressBook } from "./addresses.js";
import type { Iface } from "./interfaces.js";
import { enabled, valueOf, valuesOf } from "./reader.js";
import { addChain, spanOf, type FortiosContext, type Vdom } from "./scope.js";
import { tcp, udp, type Services } from "./services.js";


export interface AdminPorts {
  http: number;
  https: number;
  ssh: number;
  telnet: number;
}

/** The admin ports `config system global` sets (admin-port, admin-sport, admin-ssh-port, admin-telnet-port). */
export function adminPorts(ctx: FortiosContext): AdminPorts {
  const g = ctx.global.blocks.get("system global");
  const port = (key: string, fallback: number): number => {
    const n = Number(valueOf(g, key));
    return Number.isInteger(n) && n > 0 && n <= 65535 ? n : fallback;
  };
  return { http: port("admin-port", 80), https: port("admin-sport", 443), ssh: port("admin-ssh-port", 22), telnet: port("admin-telnet-port", 23) };
}

/** What each allowaccess keyword lets reach the device. */
function accessServices(ports: AdminPorts, family: Family): ReadonlyMap<string, Condition[][]> {
  const ping: Condition[] = family === 4 ? [{ kind: "proto", protos: [1] }, { kind: "icmp", family: 4, type: 8 }] : [{ kind: "proto", protos: [58] }, { kind: "icmp", family: 6, type: 128 }];
  return new Map([
    ["ping", [ping]],
    ["https", [tcp(ports.https)]],
    ["http", [tcp(ports.http)]],
    ["ssh", [tcp(ports.ssh)]],
    ["telnet", [tcp(ports.telnet)]],
    ["snmp", [udp(161)]],
    ["fgfm", [tcp(541)]],
    ["radius-acct", [udp(1813)]],
    ["capwap", [udp(5246, 5247)]],
    ["ftm", [tcp(8009)]],
    ["fabric", [tcp(8013)]],
    ["speed-test", [tcp(5201), udp(5201)]],
    ["probe-response", [udp(8008)]],
  ]);
}

export interface LocalIn {
  stages: Map<Family, string[]>;
  deviceServices: DeviceService[];
}

/** The inbound stages per family for one VDOM's interfaces. */
export function buildLocalIn(ctx: FortiosContext, vdom: Vdom, table: string, suffix: string, ifaces: readonly Iface[], books: AddressBook, services: Services, families: readonly Family[]): LocalIn {
  const stages = new Map<Family, string[]>();
  const ports = adminPorts(ctx);
  const deviceServices: DeviceService[] = [];
  const web = ifaces.filter((i) => i.allowaccess.some((a) => a.text === "https" || a.text === "http"));
  if (web.length > 0) {
    const first = web[0]!.allowaccess.find((a) => a.text === "https" || a.text === "http")!;
    const webPorts = new Set<number>();
    for (const i of web) for (const a of i.allowaccess) if (a.text === "https" || a.text === "http") webPorts.add(a.text === "https" ? ports.https : ports.http);
    deviceServices.push({ id: "fortigate-admin", name: "FortiGate web administration", protocol: 6, ports: [...webPorts].sort((a, b) => a - b).map((p) => [p, p]), interfaces: web.map((i) => i.name), span: spanOf(ctx, first) });
  }
  for (const family of families) {
    const list: string[] = [];
    const localIn = localInChain(ctx, vdom, table, suffix, books, services, family);
    if (localIn) list.push(localIn);
    if (ifaces.length > 0) list.push(answersChain(ctx, vdom, table, suffix, ifaces, ports, family));
    else if (localIn) {
      // which services the interfaces answer is not in the file: only what a local-in policy accepts is taken to reach the device
      const chain = ctx.chains.get(localIn)!;
      chain.policy = "drop";
      chain.policySpan = chain.span;
      ctx.diags.info(chain.span, "no 'config system interface' in the file: traffic to the device is judged by the local-in policies alone (what none accepts is taken as dropped)");
    }
    if (list.length > 0) stages.set(family, list);
  }
  return { stages, deviceServices };
}

function localInChain(ctx: FortiosContext, vdom: Vdom, table: string, suffix: string, books: AddressBook, services: Services, family: Family): string | undefined {
  const name = family === 4 ? "local-in-policy" : "local-in-policy6";
  const block = vdom.blocks.blocks.get(`firewall ${name}`);
  if (!block || block.entries.length === 0) return undefined;
  const rules: Rule[] = [];
  for (const e of block.entries) {
    const label = `${name} ${e.key}`;
    if (valueOf(e, "status") === "disable") {
      ctx.diags.info(e.at, `${label} is disabled; it is not a rule`);
      continue;
    }
    const conditions: Condition[] = [{ kind: "family", family }];
    const intf = valuesOf(e, "intf");
    if (intf.length > 0 && !intf.some((i) => i.text === "any")) conditions.push(...anyOf(intf.map((i) => [{ kind: "iface", field: "iif", name: i.text, prefix: false } as Condition])));
    for (const [key, field] of [["srcaddr", "src"], ["dstaddr", "dst"]] as const) {
      const names = valuesOf(e, key);
      if (names.length === 0) continue;
      conditions.push(...anyOf(books.resolveUsed(names, family, field, label, key), enabled(e, `${key}-negate`)));
    }
    const serviceNames = valuesOf(e, "service");
    if (serviceNames.length > 0) {
      conditions.push(...anyOf(services.resolveUsed(serviceNames, label), enabled(e, "service-negate")));
    }
    const schedule = valueOf(e, "schedule");
    if (schedule !== undefined && schedule !== "always") conditions.push({ kind: "unknown", text: `schedule ${schedule}`, reason: "the policy is active only at scheduled times" });
    ctx.ruleCount++;
    const accept = valueOf(e, "action") === "accept";
    rules.push({ id: `${name} ${e.key}`, conditions, action: accept ? { kind: "accept" } : { kind: "drop" }, span: spanOf(ctx, e.at), ...(valueOf(e, "comments") ? { comment: valueOf(e, "comments")! } : {}) });
  }
  return addChain(ctx, { name: `${name}${suffix}`, table, rules, span: spanOf(ctx, block.at), label: `the ${name} entries` });
}

function answersChain(ctx: FortiosContext, vdom: Vdom, table: string, suffix: string, ifaces: readonly Iface[], ports: AdminPorts, family: Family): string {
  const name = `interface access${family === 6 ? " (ipv6)" : ""}${suffix}`;
  const anchor = ctx.global.blocks.get("system interface")!;
  const chain: Chain = { name, table, rules: [], policy: "drop", span: spanOf(ctx, anchor.at), policySpan: spanOf(ctx, anchor.at), label: "the services the interfaces answer (allowaccess)" };
  chain.rules.push({ id: "established sessions", conditions: [{ kind: "ctstate", states: ["established", "related"] }], action: { kind: "accept" }, span: spanOf(ctx, anchor.at), implied: true });
  const table2 = accessServices(ports, family);
  for (const i of ifaces) {
    const onIface: Condition = { kind: "iface", field: "iif", name: i.name, prefix: false };
    for (const a of family === 4 ? i.allowaccess : i.allowaccess6) {
      const alts = table2.get(a.text);
      const id = `${i.name} allowaccess ${a.text}`;
      if (!alts) {
        ctx.diags.info(a, `interface '${i.name}': allowaccess '${a.text}' is not modelled; kept as an unknown condition`);
        chain.rules.push({ id, conditions: [onIface, { kind: "unknown", text: `allowaccess ${a.text}`, reason: "management access not modelled" }], action: { kind: "accept" }, span: spanOf(ctx, a) });
        continue;
      }
      chain.rules.push({ id, conditions: [onIface, ...anyOf(alts)], action: { kind: "accept" }, span: spanOf(ctx, a) });
    }
  }
  // IKE on the interfaces IPsec tunnels listen on
  for (const path of ["vpn ipsec phase1-interface", "vpn ipsec phase1"]) {
    for (const p of vdom.blocks.blocks.get(path)?.entries ?? []) {
      const iface = valueOf(p, "interface");
      if (!iface || !ifaces.some((i) => i.name === iface)) continue;
      chain.rules.push({ id: `ipsec ${p.key} IKE`, conditions: [{ kind: "iface", field: "iif", name: iface, prefix: false }, { kind: "or", anyOf: [udp(500), udp(4500), [{ kind: "proto", protos: [50] }]] }], action: { kind: "accept" }, span: spanOf(ctx, p.at), comment: "IKE and ESP of an IPsec tunnel" });
    }
  }
  // the SSL VPN portal
  const ssl = vdom.blocks.blocks.get("vpn ssl settings") ?? ctx.global.blocks.get("vpn ssl settings");
  const sslIfaces = valuesOf(ssl, "source-interface").filter((t) => ifaces.some((i) => i.name === t.text));
  if (ssl && sslIfaces.length > 0) {
    const n = Number(valueOf(ssl, "port") ?? "443");
    const port = Number.isInteger(n) && n > 0 && n <= 65535 ? n : 443;
    const conditions: Condition[] = [...anyOf(sslIfaces.map((t) => [{ kind: "iface", field: "iif", name: t.text, prefix: false } as Condition])), ...tcp(port)];
    const sources = valuesOf(ssl, "source-address");
    if (sources.length > 0 && !sources.some((s) => s.text === "all")) conditions.push({ kind: "unknown", text: `ssl vpn source-address ${sources.map((s) => s.text).join(" ")}`, reason: "SSL VPN source restriction not modelled" });
    chain.rules.push({ id: "ssl vpn portal", conditions, action: { kind: "accept" }, span: spanOf(ctx, ssl.at), comment: `the SSL VPN portal (tcp/${port})` });
  }
  return addChain(ctx, chain);
}
