/**
 * Capirca / Aerleon naming definitions: the network and service names a policy's terms use, from
 * the definitions folder's `.net` and `.svc` files (`NAME = value value # comment`, continued on
 * indented lines) and its YAML files (`networks: NAME: values: [{address}, {name}]`,
 * `services: NAME: [{port, protocol}, {name}]`), as aerleon/lib/naming.py reads them. A value is an
 * address or network (host bits allowed, as the library's strict=False), `PORT[-PORT]/PROTOCOL`, or
 * another definition's name, followed to any depth.
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { readYaml } from "./yaml-doc.js";
import { parseIP } from "../../src/model/address.js";
import { protocolNumber } from "../../src/model/names.js";
import { mergeAddrRanges, prefixRange } from "../../src/model/address.js";
import type { AddrRange, Diagnostic, Family } from "../../src/model/types.js";
import type { Pos } from "./policy.js";

export interface DefValue {
  text: string;
  pos: Pos;
}

interface Definition {
  values: DefValue[];
  pos: Pos;
}

export interface Definitions {
  networks: Map<string, Definition>;
  services: Map<string, Definition>;
}

export interface ServicePort {
  protocol: string;
  lo: number;
  hi: number;
}

type Say = (severity: Diagnostic["severity"], pos: Pos, message: string) => void;

export function emptyDefinitions(): Definitions {
  return { networks: new Map(), services: new Map() };
}

/** Reads one definitions file into `defs`; `kind` from its name's ending. */
export function readDefinitionsFile(defs: Definitions, text: string, file: string, kind: "networks" | "services" | "yaml", say: Say): void {
  if (kind === "yaml") readYamlDefinitions(defs, text, file, say);
  else readTextDefinitions(defs, text, file, kind, say);
}

const SERVICE_VALUE = /^(?:\d+(?:-\d+)?\/\w+|[A-Za-z][\w-]*)$/;

function readTextDefinitions(defs: Definitions, text: string, file: string, kind: "networks" | "services", say: Say): void {
  const table = defs[kind];
  let current: Definition | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const hash = line.indexOf("#");
    const body = hash === -1 ? line : line.slice(0, hash);
    if (body.trim() === "") return;
    const eq = body.indexOf("=");
    let valuesAt = 0;
    if (eq !== -1) {
      const name = body.slice(0, eq).trim();
      const pos = { file, line: i + 1, column: body.indexOf(name) + 1 };
      if (table.has(name)) say("error", pos, `${kind === "networks" ? "network" : "service"} ${name} is defined twice (the naming library refuses it)`);
      current = { values: [], pos };
      table.set(name, current);
      valuesAt = eq + 1;
    } else if (!current) {
      say("error", { file, line: i + 1, column: body.search(/\S/) + 1 }, "expected 'NAME = VALUES' before a line of values");
      return;
    }
    const re = /\S+/g;
    re.lastIndex = valuesAt;
    for (let m; (m = re.exec(body)); ) {
      const pos = { file, line: i + 1, column: m.index + 1 };
      if (kind === "services" && !SERVICE_VALUE.test(m[0])) {
        say("error", pos, `expected PORT/PROTOCOL, PORT-PORT/PROTOCOL or a service name, found '${m[0]}'`);
        continue;
      }
      current!.values.push({ text: m[0], pos });
    }
  });
}

function readYamlDefinitions(defs: Definitions, text: string, file: string, say: Say): void {
  const yaml = readYaml(text, file, say);
  if (!yaml || !isMap(yaml.contents)) return;
  const { place } = yaml;
  for (const pair of yaml.contents.items) {
    const section = isScalar(pair.key) ? String(pair.key.value) : "";
    if (section !== "networks" && section !== "services") continue;
    if (!isMap(pair.value)) {
      say("error", place(pair.value ?? pair.key), `${section}: expected a mapping of names to definitions`);
      continue;
    }
    for (const entry of pair.value.items) {
      const name = isScalar(entry.key) ? String(entry.key.value) : "";
      const pos = place(entry.key);
      let list: Node | null | undefined = entry.value as Node | null;
      if (section === "networks") {
        list = isMap(list) ? (list.get("values", true) as Node | undefined) : undefined;
      }
      if (!isSeq(list)) {
        say("error", pos, section === "networks" ? `network ${name}: expected 'values:' with a list` : `service ${name}: expected a list of ports or names`);
        continue;
      }
      const table = defs[section];
      if (table.has(name)) say("error", pos, `${section === "networks" ? "network" : "service"} ${name} is defined twice (the naming library refuses it)`);
      const def: Definition = { values: [], pos };
      table.set(name, def);
      for (const item of list.items) {
        const at = place(item);
        if (isScalar(item)) {
          def.values.push({ text: String(item.value), pos: at });
          continue;
        }
        if (!isMap(item)) {
          say("error", at, "expected a mapping or a name");
          continue;
        }
        const get = (k: string) => {
          const v = item.get(k, true);
          return isScalar(v) && v.value !== null ? String(v.value) : undefined;
        };
        if (section === "networks") {
          const v = get("address") ?? get("name");
          if (v === undefined) {
            // (an fqdn value is for DNS filtering targets only; it holds no address)
            if (get("fqdn") === undefined) say("error", at, "expected 'address:' or 'name:'");
            continue;
          }
          def.values.push({ text: v, pos: at });
        } else {
          const name = get("name");
          if (name !== undefined) {
            def.values.push({ text: name, pos: at });
            continue;
          }
          const port = get("port");
          const protocol = get("protocol");
          if (port === undefined || protocol === undefined || !/^\d+(?:-\d+)?$/.test(port)) {
            say("error", at, "expected 'port:' and 'protocol:', or 'name:'");
            continue;
          }
          def.values.push({ text: `${port}/${protocol}`, pos: at });
        }
      }
    }
  }
}

/** A name's value, or why it has none and (`at`) the value that failed, where one did. */
export type Resolved<T> = { ok: true; value: T } | { ok: false; why: string; at?: Pos };

/** An address value of a definition: its range, with its family. */
function addressOf(text: string): { family: Family; range: AddrRange } | undefined {
  const slash = text.indexOf("/");
  const addrText = slash === -1 ? text : text.slice(0, slash);
  for (const family of [4, 6] as const) {
    const a = parseIP(addrText, family);
    if (a === null) continue;
    const bits = family === 4 ? 32 : 128;
    const len = slash === -1 ? bits : Number(text.slice(slash + 1));
    if (!Number.isInteger(len) || len < 0 || len > bits || !/^\d+$/.test(slash === -1 ? "0" : text.slice(slash + 1))) return undefined;
    return { family, range: prefixRange(a, len, family) };
  }
  return undefined;
}

/** A network value: an address or network, why it is none, or undefined for a name to follow. */
function networkItem(text: string): { family: Family; range: AddrRange } | string | undefined {
  return addressOf(text) ?? (/^[A-Za-z]/.test(text) && !text.includes(":") ? undefined : "is not an address");
}

/** A service value: PORT[-PORT]/PROTOCOL, why it is none, or undefined for a name to follow. */
function serviceItem(text: string): ServicePort | string | undefined {
  const m = /^(\d+)(?:-(\d+))?\/(\w+)$/.exec(text);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535 || hi < lo) return "is not a port range";
  if (protocolNumber(m[3]!) === null) return `names no protocol ('${m[3]}')`;
  return { protocol: m[3]!.toLowerCase(), lo, hi };
}

/** Looks names up, following definitions that name others; each name's answer is kept. */
export class Naming {
  private readonly memo = { network: new Map<string, Resolved<unknown[]>>(), service: new Map<string, Resolved<unknown[]>>() };
  private readonly nets = new Map<string, Resolved<{ 4: AddrRange[]; 6: AddrRange[] }>>();

  constructor(readonly defs: Definitions) {}

  /** The addresses of a network name, by family (merged). */
  network(name: string): Resolved<{ 4: AddrRange[]; 6: AddrRange[] }> {
    const known = this.nets.get(name);
    if (known) return known;
    const items = this.items("network", name, networkItem);
    const r: Resolved<{ 4: AddrRange[]; 6: AddrRange[] }> = items.ok
      ? { ok: true, value: { 4: mergeAddrRanges(items.value.filter((i) => i.family === 4).map((i) => i.range)), 6: mergeAddrRanges(items.value.filter((i) => i.family === 6).map((i) => i.range)) } }
      : items;
    this.nets.set(name, r);
    return r;
  }

  /** The ports of a service name, each with its protocol. */
  service(name: string): Resolved<ServicePort[]> {
    return this.items("service", name, serviceItem);
  }

  /**
   * The items of definition `name`: each value `literal` reads (an item, or why it is not one), else
   * another definition's items, followed to any depth (`seen`: the names being followed).
   */
  private items<T>(kind: "network" | "service", name: string, literal: (text: string) => T | string | undefined, seen = new Set<string>()): Resolved<T[]> {
    const memo = this.memo[kind] as Map<string, Resolved<T[]>>;
    const known = memo.get(name);
    if (known) return known;
    const def = (kind === "network" ? this.defs.networks : this.defs.services).get(name);
    if (!def) return { ok: false, why: `${kind} ${name} is not defined` };
    if (seen.has(name)) return { ok: false, why: `${kind} ${name} is defined through itself` };
    seen.add(name);
    const out: T[] = [];
    let failed: Resolved<T[]> | undefined;
    for (const v of def.values) {
      const item = literal(v.text);
      if (typeof item === "string") {
        failed = { ok: false, why: `'${v.text}' in ${kind} ${name} (${v.pos.file}:${v.pos.line}) ${item}`, at: v.pos };
        break;
      }
      if (item !== undefined) {
        out.push(item);
        continue;
      }
      const inner = this.items(kind, v.text, literal, seen);
      if (!inner.ok) {
        failed = { ok: false, why: `${inner.why} (in ${kind} ${name}, ${v.pos.file}:${v.pos.line})`, at: inner.at ?? v.pos };
        break;
      }
      out.push(...inner.value);
    }
    seen.delete(name);
    const r = failed ?? { ok: true as const, value: out };
    memo.set(name, r);
    return r;
  }
}
