/**
 * An Ansible inventory as ansible-core (2.14) builds it from the files a project keeps: INI files
 * (`[group]` host lines with their variables, `[group:children]`, `[group:vars]`, host ranges
 * such as web[01:03], `host:port`) and YAML files (`all:` with `hosts`, `children` and `vars`),
 * and a folder of them. What it gives the tasks and templates: which hosts a play's `hosts:`
 * pattern names, the groups of a host in the order Ansible merges their variables (depth, then
 * ansible_group_priority, then name), and the `groups` of every host.
 *
 * Where a project keeps its inventory is projectInventory's; reading the group_vars and host_vars
 * beside it is the walk's (tasks.ts).
 */
import { dirname, join } from "node:path";
import { type Document, isMap, isScalar, parseDocument } from "yaml";
import type { IncludeIo } from "../file-io.js";
import { ANSIBLE_YAML } from "./yaml-schema.js";
import { INVENTORY_NAMES } from "./layout.js";
import type { Value } from "./tasks.js";
import { emptyNameTable } from "../../src/model/name-table.js";

export interface InventoryGroup {
  name: string;
  /** Hosts named in the group itself, in order. */
  hosts: string[];
  /** Child groups, in the order they were added. */
  children: string[];
  parents: string[];
  /** Variables the inventory file gives the group. */
  vars: Map<string, Value>;
  /** Longest distance from `all`. */
  depth: number;
  /** ansible_group_priority (the inventory's; default 1): orders groups of the same depth. */
  priority: number;
}

export interface Inventory {
  /** Every host, in the order first named. */
  hosts: string[];
  groups: Map<string, InventoryGroup>;
  /** Variables the inventory files give each host (ansible_port from host:port among them). */
  hostVars: Map<string, Map<string, Value>>;
}

/** Hosts an inventory names at most (a range such as host[0000:9999] stops there). */
const MAX_HOSTS = 5000;

export function emptyInventory(): Inventory {
  const inv: Inventory = { hosts: [], groups: new Map(), hostVars: new Map() };
  addGroup(inv, "all");
  addGroup(inv, "ungrouped");
  addChild(inv, "all", "ungrouped");
  return inv;
}

function addGroup(inv: Inventory, name: string): InventoryGroup {
  let g = inv.groups.get(name);
  if (!g) inv.groups.set(name, (g = { name, hosts: [], children: [], parents: [], vars: new Map(), depth: 0, priority: 1 }));
  return g;
}

/** A group's variable from the inventory file: ansible_group_priority is the group's priority, as Ansible takes it, not a variable. */
function setGroupVar(g: InventoryGroup, key: string, value: Value): void {
  if (key !== "ansible_group_priority") g.vars.set(key, value);
  else {
    const n = typeof value === "number" ? value : Number(value);
    if (!Number.isInteger(n)) throw new Error(`ansible_group_priority of group ${g.name} is not an integer: ${String(value)}`);
    g.priority = n;
  }
}

function addHost(inv: Inventory, name: string, group: string, port: number | undefined): void {
  if (!inv.hostVars.has(name)) {
    if (inv.hosts.length >= MAX_HOSTS) throw new Error(`the inventory names more than ${MAX_HOSTS} hosts`);
    inv.hosts.push(name);
    inv.hostVars.set(name, new Map());
  }
  if (port !== undefined) inv.hostVars.get(name)!.set("ansible_port", port);
  const g = addGroup(inv, group);
  if (!g.hosts.includes(name)) g.hosts.push(name);
}

function addChild(inv: Inventory, parent: string, child: string): void {
  const p = addGroup(inv, parent);
  const c = addGroup(inv, child);
  if (p === c || p.children.includes(child)) return;
  // (a group made its own ancestor: Ansible refuses it)
  if (descendants(inv, c).includes(p)) throw new Error(`group ${parent} would be its own descendant through ${child}`);
  p.children.push(child);
  c.parents.push(parent);
  deepen(inv, c, p.depth + 1);
}

function deepen(inv: Inventory, g: InventoryGroup, depth: number): void {
  if (depth <= g.depth) return;
  g.depth = depth;
  for (const k of g.children) deepen(inv, inv.groups.get(k)!, depth + 1);
}

/** Groups with no parent become children of all; hosts in no group but all and ungrouped are ungrouped ones, the others are not. */
export function reconcile(inv: Inventory): void {
  for (const g of inv.groups.values()) if (g.name !== "all" && g.parents.length === 0) addChild(inv, "all", g.name);
  const ungrouped = inv.groups.get("ungrouped")!;
  const direct = directGroups(inv);
  for (const h of inv.hosts) {
    const own = groupsOfHost(inv, h, direct).filter((g) => g !== "all" && g !== "ungrouped");
    const i = ungrouped.hosts.indexOf(h);
    if (own.length > 0 && i >= 0) ungrouped.hosts.splice(i, 1);
    else if (own.length === 0 && i < 0) ungrouped.hosts.push(h);
  }
}

/** `g` and the groups below it, round by round, in the order they were added (Ansible's get_descendants with ordering kept). */
function descendants(inv: Inventory, g: InventoryGroup): InventoryGroup[] {
  const out = [g];
  const seen = new Set([g]);
  let round = [g];
  while (round.length > 0) {
    const next: InventoryGroup[] = [];
    for (const r of round) {
      for (const k of r.children) {
        const c = inv.groups.get(k)!;
        if (seen.has(c)) continue;
        seen.add(c);
        out.push(c);
        next.push(c);
      }
    }
    round = next;
  }
  return out;
}

/** The hosts of a group: its own, then those of the groups below it, each once. */
export function hostsOfGroup(inv: Inventory, name: string): string[] {
  const g = inv.groups.get(name);
  if (!g) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const d of descendants(inv, g)) {
    for (const h of d.hosts) {
      if (seen.has(h)) continue;
      seen.add(h);
      out.push(h);
    }
  }
  return out;
}

/** The groups that name each host themselves, in one pass over the groups. */
function directGroups(inv: Inventory): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of inv.groups.values()) {
    for (const h of g.hosts) {
      const list = out.get(h);
      if (list) list.push(g.name);
      else out.set(h, [g.name]);
    }
  }
  return out;
}

/** Every group a host is in, directly or through a child group (`all` among them); `direct` as directGroups gives it, for many hosts. */
export function groupsOfHost(inv: Inventory, host: string, direct: ReadonlyMap<string, readonly string[]> = directGroups(inv)): string[] {
  const out = new Set<string>();
  const up = (name: string) => {
    if (out.has(name)) return;
    out.add(name);
    for (const p of inv.groups.get(name)!.parents) up(p);
  };
  for (const g of direct.get(host) ?? []) up(g);
  out.add("all");
  return [...out];
}

/** directGroups of a read inventory, for mergeOrder, which is asked of host after host (readers change an inventory only before reconcile). */
const membership = new WeakMap<Inventory, ReadonlyMap<string, readonly string[]>>();

/**
 * The groups whose variables a host gets, in the order Ansible merges them (later wins): `all`
 * first, then by depth, ansible_group_priority (the inventory's own variable, default 1) and name.
 */
export function mergeOrder(inv: Inventory, host: string): string[] {
  let direct = membership.get(inv);
  if (!direct) membership.set(inv, (direct = directGroups(inv)));
  const groups = groupsOfHost(inv, host, direct)
    .filter((g) => g !== "all")
    .map((g) => inv.groups.get(g)!);
  groups.sort((a, b) => a.depth - b.depth || a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return ["all", ...groups.map((g) => g.name)];
}

/** Ansible's `groups`: every group with all its hosts. */
export function groupsDict(inv: Inventory): { [group: string]: string[] } {
  const out: { [group: string]: string[] } = emptyNameTable();
  for (const name of inv.groups.keys()) out[name] = hostsOfGroup(inv, name);
  return out;
}

/**
 * The hosts a play's `hosts:` pattern names, in inventory order: names separated by ',' (or ':'
 * between plain names), each a group, a host, a shell-style wildcard or a `~regex`, optionally
 * with a [i] or [i:j] subscript; `&name` keeps only the hosts also in name, `!name` takes them out.
 */
export function hostsOfPattern(inv: Inventory, pattern: string | readonly string[]): string[] {
  const terms = (typeof pattern === "string" ? [pattern] : pattern).flatMap(splitPattern).filter((t) => t !== "");
  const plain = terms.filter((t) => !/^[!&]/.test(t));
  const out: string[] = [];
  for (const t of plain) for (const h of matchTerm(inv, t)) if (!out.includes(h)) out.push(h);
  let kept = out;
  for (const t of terms.filter((t) => t.startsWith("&"))) {
    const also = new Set(matchTerm(inv, t.slice(1)));
    kept = kept.filter((h) => also.has(h));
  }
  for (const t of terms.filter((t) => t.startsWith("!"))) {
    const not = new Set(matchTerm(inv, t.slice(1)));
    kept = kept.filter((h) => !not.has(h));
  }
  return kept;
}

function splitPattern(p: string): string[] {
  const s = p.trim();
  if (s.includes(",")) return s.split(",").map((t) => t.trim());
  // (':' separates names only where no IPv6 address or range is meant)
  if (s.includes(":") && !s.includes("[") && !/::|[0-9a-f]{1,4}:[0-9a-f]{1,4}:/i.test(s)) return s.split(":").map((t) => t.trim());
  return [s];
}

function matchTerm(inv: Inventory, term: string): string[] {
  const sub = /^(.*?)\[(-?\d+)(?::(-?\d*))?\]$/.exec(term);
  const name = sub ? sub[1]! : term;
  let hosts: string[];
  if (name === "all" || name === "*") hosts = hostsOfGroup(inv, "all");
  else if (inv.groups.has(name)) hosts = hostsOfGroup(inv, name);
  else if (inv.hostVars.has(name)) hosts = [name];
  else {
    let test: (s: string) => boolean;
    if (name.startsWith("~")) {
      let re: RegExp;
      try {
        re = new RegExp(name.slice(1));
      } catch {
        return [];
      }
      test = (s) => re.exec(s)?.index === 0;
    } else if (/[*?[]/.test(name)) {
      const re = new RegExp(`^${name.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
      test = (s) => re.test(s);
    } else return [];
    hosts = [];
    for (const g of inv.groups.keys()) if (test(g)) for (const h of hostsOfGroup(inv, g)) if (!hosts.includes(h)) hosts.push(h);
    for (const h of inv.hosts) if (test(h) && !hosts.includes(h)) hosts.push(h);
  }
  if (!sub) return hosts;
  const at = (i: number) => (i < 0 ? hosts.length + i : i);
  if (sub[3] === undefined) {
    const h = hosts[at(Number(sub[2]))];
    return h === undefined ? [] : [h];
  }
  return hosts.slice(at(Number(sub[2])), sub[3] === "" ? undefined : at(Number(sub[3])) + 1);
}

/** Why a file is not an inventory of the format tried (Ansible's parse error), or nothing. */
export type InventoryError = string | undefined;

/**
 * Reads an INI inventory into `inv` (as ansible-core's ini plugin: host lines split as a POSIX
 * shell splits them, values read as Python literals where they are ones). Returns why the file is
 * not one; what came before the error stays read, as in Ansible.
 */
export function readIniInventory(text: string, inv: Inventory): InventoryError {
  let group = "ungrouped";
  let state = "hosts";
  const pending = new Map<string, { state: string; line: number; parents: string[] }>();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const at = `line ${n + 1}`;
    const section = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/.exec(line);
    if (section) {
      group = section[1]!;
      state = section[2] ?? "hosts";
      if (!["hosts", "children", "vars"].includes(state)) return `${at}: section [${group}:${state}] has unknown type: ${state}`;
      if (!inv.groups.has(group)) {
        if (state === "vars" && !pending.has(group)) pending.set(group, { state, line: n + 1, parents: [] });
        addGroup(inv, group);
      }
      const p = pending.get(group);
      if (p && state !== "vars") {
        if (p.state === "children") addPending(inv, group, pending);
        else pending.delete(group);
      }
      continue;
    }
    if (line.startsWith("[") && line.endsWith("]")) return `${at}: invalid section entry: '${line}'`;
    try {
      if (state === "hosts") {
        const tokens = shlexSplit(line);
        if (tokens === undefined) return `${at}: a quotation is not closed`;
        if (tokens.length === 0) continue;
        const { hosts, port } = expandHostPattern(tokens[0]!);
        const vars = new Map<string, Value>();
        for (const t of tokens.slice(1)) {
          const eq = t.indexOf("=");
          if (eq < 0) return `${at}: expected key=value host variable assignment, got: ${t}`;
          vars.set(t.slice(0, eq), pyLiteral(t.slice(eq + 1)));
        }
        for (const h of hosts) {
          addHost(inv, h, group, port);
          for (const [k, v] of vars) inv.hostVars.get(h)!.set(k, v);
        }
      } else if (state === "vars") {
        const eq = line.indexOf("=");
        if (eq < 0) return `${at}: expected key=value, got: ${line}`;
        setGroupVar(addGroup(inv, group), line.slice(0, eq).trim(), pyLiteral(line.slice(eq + 1).trim()));
      } else {
        const child = /^([^:\]\s]+)\s*(?:#.*)?$/.exec(line)?.[1];
        if (child === undefined) return `${at}: expected group name, got: ${line}`;
        if (!inv.groups.has(child)) {
          const p = pending.get(child);
          if (p) p.parents.push(group);
          else pending.set(child, { state, line: n + 1, parents: [group] });
        } else addChild(inv, group, child);
      }
    } catch (e) {
      return `${at}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  for (const [name, p] of pending) {
    if (p.state === "vars") return `line ${p.line}: section [${name}:vars] not valid for undefined group: ${name}`;
    return `line ${p.line}: section [${p.parents[p.parents.length - 1]}:children] includes undefined group: ${name}`;
  }
  return undefined;
}

function addPending(inv: Inventory, group: string, pending: Map<string, { state: string; line: number; parents: string[] }>): void {
  for (const parent of pending.get(group)!.parents) {
    addChild(inv, parent, group);
    if (pending.get(parent)?.state === "children") addPending(inv, parent, pending);
  }
  pending.delete(group);
}

/**
 * Reads a YAML inventory (`group: {hosts: {name: {vars}}, children: {...}, vars: {...}}` at the
 * top) into `inv`, as ansible-core's yaml plugin. Returns why the file is not one (an inventory
 * plugin's configuration among them); what came before an error stays read, as in Ansible.
 */
export function readYamlInventory(text: string, inv: Inventory, toValue: (n: unknown, doc: Document) => Value): InventoryError {
  const doc = parseDocument(text, { ...ANSIBLE_YAML, uniqueKeys: false });
  if (doc.errors.length > 0) return `YAML: ${doc.errors[0]!.message.split("\n")[0]}`;
  const top = doc.contents;
  if (!isMap(top) || top.items.length === 0) return "not a mapping of groups";
  if (top.items.some((p) => isScalar(p.key) && p.key.value === "plugin")) return "an inventory plugin's configuration (a dynamic inventory fwlint does not run)";
  const nameOf = (n: unknown) => (isScalar(n) ? n.value : undefined);
  /** A section's entries: a mapping's pairs, or one name written alone (`hosts: web1`). */
  const entries = (section: unknown): [unknown, unknown][] | undefined => {
    if (isMap(section)) return section.items.map((p) => [nameOf(p.key), p.value]);
    if (isScalar(section) && typeof section.value === "string") return [[section.value, null]];
    return undefined;
  };
  const group = (name: string, node: unknown): void => {
    addGroup(inv, name);
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = nameOf(pair.key);
      for (const [item, value] of entries(pair.value) ?? []) {
        if (typeof item !== "string") {
          if (key === "hosts") throw new Error(`host pattern ${String(item)} must be a string`);
          continue;
        }
        if (key === "vars") setGroupVar(inv.groups.get(name)!, item, toValue(value, doc));
        else if (key === "children") {
          group(item, value);
          addChild(inv, name, item);
        } else if (key === "hosts") {
          const { hosts, port } = expandHostPattern(item);
          const vars = isMap(value) ? (toValue(value, doc) as { [k: string]: Value }) : {};
          for (const h of hosts) {
            addHost(inv, h, name, port);
            for (const [k, v] of Object.entries(vars)) inv.hostVars.get(h)!.set(k, v);
          }
        }
      }
    }
  };
  try {
    for (const pair of top.items) {
      const name = nameOf(pair.key);
      if (typeof name === "string" && (pair.value === null || isMap(pair.value) || nameOf(pair.value) === null)) group(name, pair.value);
    }
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return undefined;
}

/** A host entry: its names (a range such as db[01:10] or [a:c] expanded) and the port of `name:port`. */
export function expandHostPattern(text: string): { hosts: string[]; port?: number } {
  let pattern = text;
  let port: number | undefined;
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { hosts: [v6[1]!], ...(v6[2] !== undefined ? { port: Number(v6[2]) } : {}) };
  // (a port after the name: no other ':' but inside a range's brackets, where IPv6 has many)
  const withPort = /^(.+):(\d+)$/.exec(text);
  if (withPort && !withPort[1]!.replace(/\[[^\]]*\]/g, "").includes(":")) {
    pattern = withPort[1]!;
    port = Number(withPort[2]);
  } else if (text.endsWith(":") && !text.includes("::")) throw new Error(`invalid host pattern '${text}': ending in ':' is reserved for a port`);
  if (pattern.trim() === "---") throw new Error(`invalid host pattern '${text}' ('---' is a sign of a YAML file)`);
  return { hosts: pattern.includes("[") ? expandRange(pattern) : [pattern], ...(port !== undefined ? { port } : {}) };
}

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

function expandRange(name: string): string[] {
  const open = name.indexOf("[");
  const close = name.indexOf("]", open);
  if (close < 0) return [name];
  const head = name.slice(0, open);
  const tail = name.slice(close + 1);
  const bounds = name.slice(open + 1, close).split(":");
  if (bounds.length !== 2 && bounds.length !== 3) throw new Error("host range must be begin:end or begin:end:step");
  const beg = bounds[0] === "" ? "0" : bounds[0]!;
  const end = bounds[1]!;
  if (end === "") throw new Error("host range must specify end value");
  const step = bounds.length === 3 ? Number(bounds[2]) : 1;
  if (!Number.isInteger(step) || step <= 0) throw new Error("host range step must be a positive integer");
  let width = 0;
  if (beg.startsWith("0") && beg.length > 1) {
    if (beg.length !== end.length) throw new Error("host range must specify equal-length begin and end formats");
    width = beg.length;
  }
  const seq: string[] = [];
  const a = LETTERS.indexOf(beg);
  const b = LETTERS.indexOf(end);
  if (beg.length === 1 && end.length === 1 && a >= 0 && b >= 0) {
    if (a > b) throw new Error("host range must have begin <= end");
    for (let i = a; i <= b; i += step) seq.push(LETTERS[i]!);
  } else {
    if (!/^[+-]?\d+$/.test(beg.trim()) || !/^[+-]?\d+$/.test(end.trim())) throw new Error(`host range [${bounds.join(":")}] is neither numeric nor alphabetic`);
    const from = Number(beg);
    const to = Number(end);
    if ((to - from) / step > MAX_HOSTS) throw new Error(`host range [${bounds.join(":")}] names more than ${MAX_HOSTS} hosts`);
    for (let i = from; i <= to; i += step) seq.push(width > 0 ? String(i).padStart(width, "0") : String(i));
  }
  return seq.flatMap((s) => {
    const h = head + s + tail;
    return h.includes("[") ? expandRange(h) : [h];
  });
}

/** A line split as Python's shlex.split(line, comments=True) splits it (POSIX); undefined for an unclosed quotation. */
export function shlexSplit(line: string): string[] | undefined {
  const out: string[] = [];
  let token = "";
  let inToken = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      if (inToken) out.push(token);
      token = "";
      inToken = false;
    } else if (c === "#") break;
    else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return undefined;
      token += line.slice(i + 1, end);
      inToken = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && j + 1 < line.length && '\\"$`\n'.includes(line[j + 1]!)) j++;
        token += line[j];
      }
      if (j >= line.length) return undefined;
      inToken = true;
      i = j;
    } else if (c === "\\") {
      if (i + 1 < line.length) token += line[++i];
      inToken = true;
    } else {
      token += c;
      inToken = true;
    }
  }
  if (inToken) out.push(token);
  return out;
}

/**
 * A value as Python's ast.literal_eval reads it - numbers, quoted strings, True/False/None, lists,
 * tuples, dicts - else the text itself (Ansible's reading of an INI inventory's values).
 */
export function pyLiteral(text: string): Value {
  const p = new PyLiteral(text);
  try {
    p.space();
    const v = p.value();
    p.space();
    return p.done() ? v : text;
  } catch {
    return text;
  }
}

/** What PyLiteral throws where the text is no literal (caught by pyLiteral). */
const NOT_LITERAL = Symbol("not a literal");

class PyLiteral {
  private i = 0;
  constructor(private readonly s: string) {}
  done(): boolean {
    return this.i === this.s.length;
  }
  space(): void {
    while (this.i < this.s.length && /[ \t]/.test(this.s[this.i]!)) this.i++;
  }
  private fail(): never {
    // (most values of an inventory are no literal - an address, a name -: no Error and its stack for each)
    throw NOT_LITERAL;
  }
  value(): Value {
    const c = this.s[this.i];
    if (c === "[" || c === "(") return this.sequence(c === "[" ? "]" : ")");
    if (c === "{") return this.dict();
    if (c === "'" || c === '"' || (/[uUrR]/.test(c ?? "") && /['"]/.test(this.s[this.i + 1] ?? ""))) return this.strings();
    const word = /^(?:True|False|None)(?![A-Za-z0-9_])/.exec(this.s.slice(this.i));
    if (word) {
      this.i += word[0].length;
      return word[0] === "True" ? true : word[0] === "False" ? false : null;
    }
    return this.number();
  }
  private number(): number {
    const m = /^[+-]?[ \t]*(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][+-]?\d+)?\.?)(?![A-Za-z0-9_.])/.exec(this.s.slice(this.i));
    if (!m) this.fail();
    const raw = m[0].replace(/[ \t_]/g, "");
    const sign = raw.startsWith("-") ? -1 : 1;
    const body = raw.replace(/^[+-]/, "");
    // (a decimal integer with a leading zero is a syntax error in Python 3)
    if (/^0\d/.test(body) && /^\d+$/.test(body)) this.fail();
    let n: number;
    if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16);
    else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8);
    else if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2);
    else n = Number(body);
    if (Number.isNaN(n)) this.fail();
    this.i += m[0].length;
    return sign * n;
  }
  private strings(): string {
    let out = "";
    let any = false;
    for (;;) {
      this.space();
      let raw = false;
      if (/[uUrR]/.test(this.s[this.i] ?? "") && /['"]/.test(this.s[this.i + 1] ?? "")) {
        raw = /[rR]/.test(this.s[this.i]!);
        this.i++;
      }
      const q = this.s[this.i];
      if (q !== "'" && q !== '"') break;
      const triple = this.s.startsWith(q.repeat(3), this.i);
      const close = triple ? q.repeat(3) : q;
      this.i += close.length;
      for (;;) {
        if (this.i >= this.s.length) this.fail();
        if (this.s.startsWith(close, this.i)) {
          this.i += close.length;
          break;
        }
        const c = this.s[this.i++]!;
        if (c === "\\" && !raw) {
          const e = this.s[this.i++];
          const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", v: "\v", "0": "\0", "\n": "" };
          if (e !== undefined && e in simple) out += simple[e];
          else if (e === "x" && /^[0-9a-fA-F]{2}/.test(this.s.slice(this.i))) {
            out += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + 2), 16));
            this.i += 2;
          } else out += `\\${e ?? ""}`;
        } else out += c;
      }
      any = true;
    }
    if (!any) this.fail();
    return out;
  }
  private sequence(close: string): Value[] {
    this.i++;
    const out: Value[] = [];
    for (;;) {
      this.space();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.space();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] !== close) this.fail();
    }
  }
  private dict(): { [k: string]: Value } {
    this.i++;
    const out: { [k: string]: Value } = emptyNameTable();
    for (;;) {
      this.space();
      if (this.s[this.i] === "}") {
        this.i++;
        return out;
      }
      const k = this.value();
      this.space();
      // (a set literal: fwlint keeps such a value as its text)
      if (this.s[this.i] !== ":") this.fail();
      this.i++;
      this.space();
      out[String(k)] = this.value();
      this.space();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] !== "}") this.fail();
    }
  }
}

/** A project's inventory, the files it was read from and the folders whose group_vars/host_vars go with it. */
export interface ProjectInventory {
  inventory: Inventory;
  /** The inventory files read (absolute). */
  files: string[];
  /** The text of every file looked at as an inventory source, by path (read once: the walk records them from here). */
  texts: Map<string, string>;
  /** The folders of the inventory sources (a folder itself, a file's folder): their group_vars and host_vars are the inventory's. */
  dirs: string[];
  /** Why a source was not read, each with its path. */
  unread: { path: string; why: string }[];
}

/** Extensions Ansible skips in an inventory folder (INVENTORY_IGNORE_EXTS). */
const IGNORED = /(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;

/**
 * The inventory of the playbooks in `base`: the sources ansible.cfg names (`configured`), else an
 * inventory/ folder or file beside them, else the first of the usual names (hosts, hosts.ini,
 * inventory.yml, ...) there - what `ansible-playbook -i` is given in such projects. A folder is read
 * as Ansible reads one: its files in name order (not group_vars/, host_vars/, hidden files or the
 * extensions Ansible skips), its subfolders the same way. A file is YAML (.yml, .yaml, .json) or INI.
 */
export function projectInventory(base: string, configured: readonly string[], io: IncludeIo, inTree: (path: string) => boolean, toValue: (n: unknown, doc: Document) => Value): ProjectInventory {
  const out: ProjectInventory = { inventory: emptyInventory(), files: [], texts: new Map(), dirs: [], unread: [] };
  const isDir = (path: string) => io.listDir(path) !== undefined;
  const textOf = (path: string) => {
    if (!out.texts.has(path)) {
      const text = io.readFile(path);
      if (text === undefined) return undefined;
      out.texts.set(path, text);
    }
    return out.texts.get(path);
  };
  let sources = configured.filter(inTree);
  if (sources.length === 0) {
    const folder = join(base, "inventory");
    if (isDir(folder) || textOf(folder) !== undefined) sources = [folder];
    else {
      const file = INVENTORY_NAMES.map((n) => join(base, n)).find((f) => !isDir(f) && textOf(f) !== undefined);
      sources = file ? [file] : [];
    }
  }
  const readFile = (path: string) => {
    const text = textOf(path);
    if (text === undefined) return;
    const yaml = /\.(?:ya?ml|json)$/.test(path);
    const why = yaml ? readYamlInventory(text, out.inventory, toValue) : readIniInventory(text, out.inventory);
    if (why === undefined) out.files.push(path);
    else out.unread.push({ path, why });
  };
  const readFolder = (dir: string, depth: number) => {
    for (const name of [...(io.listDir(dir) ?? [])].sort()) {
      if (name.startsWith(".") || name === "group_vars" || name === "host_vars" || IGNORED.test(name)) continue;
      const path = join(dir, name);
      if (isDir(path)) {
        if (depth < 4) readFolder(path, depth + 1);
      } else readFile(path);
    }
  };
  for (const source of sources) {
    if (isDir(source)) {
      out.dirs.push(source);
      readFolder(source, 0);
    } else {
      out.dirs.push(dirname(source));
      readFile(source);
    }
  }
  reconcile(out.inventory);
  return out;
}

/**
 * What the inventory gives `host`, in Ansible's order (later wins): the inventory files' variables
 * of its groups (all's first, then mergeOrder's), the group_vars of all beside the inventory, then
 * beside the playbooks (`base`), those of its other groups the same way, its own inventory
 * variables, its host_vars beside the inventory, then beside the playbooks; with the names Ansible
 * defines for every host (inventory_hostname, inventory_hostname_short, group_names).
 * `varsIn(dir, folder, name)` reads the variables files of `name` in dir/folder.
 */
export function hostVariables(found: ProjectInventory, host: string, base: string, varsIn: (dir: string, folder: "group_vars" | "host_vars", name: string) => ReadonlyMap<string, Value>): Map<string, Value> {
  const { inventory, dirs } = found;
  const order = mergeOrder(inventory, host);
  const out = new Map<string, Value>();
  const put = (m: ReadonlyMap<string, Value>) => {
    for (const [k, v] of m) out.set(k, v);
  };
  const places = [...dirs, ...(dirs.includes(base) ? [] : [base])];
  for (const g of order) put(inventory.groups.get(g)!.vars);
  // (each place in turn, its files of every group in order: Ansible's reading by source)
  for (const dir of places) put(varsIn(dir, "group_vars", "all"));
  for (const dir of places) for (const g of order.slice(1)) put(varsIn(dir, "group_vars", g));
  put(inventory.hostVars.get(host) ?? new Map());
  for (const dir of places) put(varsIn(dir, "host_vars", host));
  out.set("inventory_hostname", host);
  out.set("inventory_hostname_short", host.split(".")[0]!);
  out.set("group_names", order.filter((g) => g !== "all").sort());
  return out;
}

