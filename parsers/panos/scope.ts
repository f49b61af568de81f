/**
 * Where a PAN-OS configuration keeps what, in any of its forms. The full form nests everything
 * under `config`: `shared` (objects every virtual system or device group sees), `devices
 * localhost.localdomain` with `network` (interfaces, virtual routers) and `vsys NAME` (zones,
 * objects, the rulebase); a Panorama's `device-group NAME` (objects, `pre-rulebase`,
 * `post-rulebase`, `parent-dg`). The `set` and brace forms a firewall prints leave `config devices
 * localhost.localdomain` out: there `address ...`, `zone ...`, `rulebase ...` at the top are
 * vsys1's, and `policy panorama` holds what a Panorama pushed to the firewall.
 *
 * A policy scope is what one first-match security policy is evaluated over: a firewall's virtual
 * system, or a Panorama device group. Objects are looked up in its own namespace first, then the
 * pushed or parent ones, then `shared`; rules run pre-rulebases (outermost first), its own
 * rulebase, post-rulebases (innermost first).
 */
import type { VendorContext } from "../junos/context.js";
import { child, kids, newNode, type ConfigNode } from "../junos/tree.js";

export interface PanosContext extends VendorContext {
  root: ConfigNode;
}

/** Keys a virtual system holds, which the firewall's own set and brace forms print at the top. */
const VSYS_KEYS = ["address", "address-group", "service", "service-group", "application", "application-group", "application-filter", "zone", "rulebase", "tag", "external-list", "import", "profiles", "profile-group", "schedule", "region", "dynamic-user-group", "display-name"];

export interface PolicyScope {
  kind: "vsys" | "device-group" | "shared";
  name: string;
  /** The scope's own node (where its zones and objects are). */
  node: ConfigNode;
  /** Where object names are looked up, in order. */
  namespaces: ConfigNode[];
  /** Rulebases in evaluation order, each with what a message calls it. */
  rulebases: { node: ConfigNode; label: string }[];
  /** The device the scope is on (interfaces, virtual routers); undefined on a Panorama. */
  device: Device | undefined;
}

export interface Device {
  name: string;
  node: ConfigNode;
  /** `network` of the device (interfaces, virtual routers), if the file has it. */
  network: ConfigNode | undefined;
}

export interface Layout {
  devices: Device[];
  scopes: PolicyScope[];
  shared: ConfigNode | undefined;
}

/** Copies `src`'s subtree into `dst` (nodes already there keep their place; new ones go last). */
export function mergeInto(dst: ConfigNode, src: ConfigNode): void {
  const todo: [ConfigNode, ConfigNode][] = [[dst, src]];
  while (todo.length > 0) {
    const [d, s] = todo.pop()!;
    for (const [k, c] of s.children) {
      const had = d.children.get(k);
      if (!had) d.children.set(k, c);
      else if (had !== c) todo.push([had, c]);
    }
  }
}

export function readLayout(root: ConfigNode): Layout {
  // the XML API wraps the configuration: <response status="success"><result><config>
  const config = child(root, "config") ?? child(child(child(root, "response"), "result"), "config");
  // shared: the full form's, then a set form's top-level one
  const shared = combine("shared", [child(config, "shared"), child(root, "shared")]);
  const devices: Device[] = [];
  const vsysOf = new Map<Device, ConfigNode[]>();
  const groups: ConfigNode[] = [];
  const parents = new Map<string, string>();
  for (const d of kids(child(config, "devices"))) {
    const device: Device = { name: d.name, node: d, network: child(d, "network") };
    devices.push(device);
    vsysOf.set(device, kids(child(d, "vsys")));
    groups.push(...kids(child(d, "device-group")));
  }
  // a firewall's own set / brace form: the root is localhost.localdomain
  const relative = VSYS_KEYS.some((k) => child(root, k)) || child(root, "network") || child(root, "vsys") || child(root, "deviceconfig");
  if (relative) {
    let device = devices.find((d) => d.name === "localhost.localdomain");
    if (!device) {
      device = { name: "localhost.localdomain", node: root, network: child(root, "network") };
      devices.push(device);
      vsysOf.set(device, []);
    } else if (child(root, "network")) {
      device.network = combine("network", [device.network, child(root, "network")]);
    }
    const list = vsysOf.get(device)!;
    for (const v of kids(child(root, "vsys"))) {
      const same = list.find((x) => x.name === v.name);
      if (same) mergeInto(same, v);
      else list.push(v);
    }
    if (VSYS_KEYS.some((k) => child(root, k))) {
      const top = newNode("vsys1", root);
      for (const k of VSYS_KEYS) {
        const c = child(root, k);
        if (c) top.children.set(k, c);
      }
      const vsys1 = list.find((x) => x.name === "vsys1");
      if (vsys1) mergeInto(vsys1, top);
      else list.unshift(top);
    }
  }
  groups.push(...kids(child(root, "device-group")));
  for (const d of [...kids(child(child(config, "readonly"), "devices")), ...kids(child(child(root, "readonly"), "devices"))]) {
    for (const g of kids(child(d, "device-group"))) {
      const p = kids(child(g, "parent-dg"))[0];
      if (p) parents.set(g.name, p.name);
    }
  }
  for (const g of groups) {
    const p = kids(child(g, "parent-dg"))[0];
    if (p) parents.set(g.name, p.name);
  }
  const pushed = child(child(root, "policy"), "panorama");
  const scopes: PolicyScope[] = [];
  const sharedPre = shared ? [{ node: child(shared, "pre-rulebase"), label: "shared pre-rulebase" }] : [];
  const sharedPost = shared ? [{ node: child(shared, "post-rulebase"), label: "shared post-rulebase" }] : [];
  for (const device of devices) {
    for (const v of vsysOf.get(device) ?? []) {
      const rulebases = [
        ...(pushed ? [{ node: child(pushed, "pre-rulebase"), label: "Panorama pre-rulebase" }] : []),
        { node: child(v, "rulebase"), label: "rulebase" },
        ...(pushed ? [{ node: child(pushed, "post-rulebase"), label: "Panorama post-rulebase" }] : []),
      ];
      scopes.push({ kind: "vsys", name: v.name, node: v, namespaces: [v, ...(pushed ? [pushed] : []), ...(shared ? [shared] : [])], rulebases: present(rulebases), device });
    }
  }
  const byName = new Map(groups.map((g) => [g.name, g] as const));
  for (const g of groups) {
    const chain: ConfigNode[] = [];
    for (let cur: ConfigNode | undefined = g; cur && !chain.includes(cur) && chain.length < 64; cur = byName.get(parents.get(cur.name) ?? "")) chain.push(cur);
    const outer = [...chain].reverse();
    const rulebases = [
      ...sharedPre,
      ...outer.map((x) => ({ node: child(x, "pre-rulebase"), label: `device-group ${x.name} pre-rulebase` })),
      ...chain.map((x) => ({ node: child(x, "post-rulebase"), label: `device-group ${x.name} post-rulebase` })),
      ...sharedPost,
    ];
    scopes.push({ kind: "device-group", name: g.name, node: g, namespaces: [...chain, ...(shared ? [shared] : [])], rulebases: present(rulebases), device: undefined });
  }
  if (scopes.length === 0 && shared && (child(shared, "pre-rulebase") || child(shared, "post-rulebase"))) {
    scopes.push({ kind: "shared", name: "shared", node: shared, namespaces: [shared], rulebases: present([...sharedPre, ...sharedPost]), device: undefined });
  }
  return { devices, scopes, shared };
}

function present(list: { node: ConfigNode | undefined; label: string }[]): { node: ConfigNode; label: string }[] {
  return list.filter((r): r is { node: ConfigNode; label: string } => r.node !== undefined);
}

/** One node holding the union of several (the first one's position). */
function combine(name: string, nodes: (ConfigNode | undefined)[]): ConfigNode | undefined {
  const real = nodes.filter((n): n is ConfigNode => n !== undefined);
  if (real.length <= 1) return real[0];
  const out = newNode(name, real[0]!);
  for (const n of real) mergeInto(out, n);
  return out;
}

/** The last value of a single-valued key (`action allow`); undefined when not set. */
export function lastValue(n: ConfigNode | undefined, key: string): ConfigNode | undefined {
  const vs = kids(child(n, key));
  return vs[vs.length - 1];
}

/** The members of a list key (`source [ a b ]`, `<source><member>..`). */
export function members(n: ConfigNode | undefined, key: string): ConfigNode[] {
  return kids(child(n, key));
}

/** Is a yes/no key `yes`? */
export function isYes(n: ConfigNode | undefined, key: string): boolean {
  return lastValue(n, key)?.name === "yes";
}

/**
 * Where `name` is defined: the first namespace (in lookup order) that defines it under one of
 * `keys`, the keys tried in order within each namespace (a vsys's address group hides a shared
 * address of the same name). Undefined when no namespace does.
 */
export function lookup<K extends string>(namespaces: readonly ConfigNode[], keys: readonly K[], name: string): { key: K; node: ConfigNode } | undefined {
  for (const ns of namespaces) {
    for (const key of keys) {
      const hit = child(child(ns, key), name);
      if (hit) return { key, node: hit };
    }
  }
  return undefined;
}

export { addChain, spanOf, undefinedRef, anyOf } from "../junos/context.js";
