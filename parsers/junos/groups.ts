/**
 * `groups` and `apply-groups`: configuration written once under `groups G` and inherited where
 * `apply-groups G` is set (at the top or at any level below). The group's tree at the same path
 * is merged into the configuration: statements the configuration lacks are added (marked as
 * coming from the group); `<pattern>` names (`<*>`, `<ge-*>`, `<em[0,1]>`) match only statements
 * that exist. `apply-groups-except G` stops G below its level.
 */
import type { Diagnostics } from "./statements.js";
import { child, kids, newNode, type ConfigNode } from "./tree.js";
import { type GlobToken, globWalk } from "../../src/model/glob.js";

/** Nodes apply-groups may add in total (bounded work on hostile input). */
const MAX_ADDED = 500_000;

export function expandGroups(root: ConfigNode, diags: Diagnostics): void {
  const groupsNode = child(root, "groups");
  const state = { added: 0, warned: false };
  const walk = (n: ConfigNode, path: string[], except: Set<string>) => {
    const exceptHere = new Set(except);
    for (const e of kids(child(n, "apply-groups-except"))) exceptHere.add(e.name);
    for (const g of kids(child(n, "apply-groups"))) {
      if (exceptHere.has(g.name)) continue;
      const group = child(groupsNode, g.name);
      if (!group) {
        diags.warn(g, `apply-groups: group '${g.name}' is not defined`);
        continue;
      }
      for (const source of groupNodesAt(group, path, diags)) merge(n, source, g.name, exceptHere, state, diags);
    }
    for (const c of kids(n)) {
      if (path.length === 0 && c.name === "groups") continue;
      if (c.name === "apply-groups" || c.name === "apply-groups-except") continue;
      walk(c, [...path, c.name], exceptHere);
    }
  };
  walk(root, [], new Set());
}

/** The nodes of a group's tree at a configuration path (literal names or matching patterns). */
function groupNodesAt(group: ConfigNode, path: string[], diags: Diagnostics): ConfigNode[] {
  let cur: ConfigNode[] = [group];
  for (const name of path) {
    const next: ConfigNode[] = [];
    for (const g of cur) {
      for (const c of kids(g)) {
        if (c.name === name) next.push(c);
        else if (isPattern(c.name) && patternMatches(c, name, diags)) next.push(c);
      }
    }
    cur = next;
    if (cur.length === 0) break;
  }
  return cur;
}

function merge(target: ConfigNode, source: ConfigNode, group: string, except: Set<string>, state: { added: number; warned: boolean }, diags: Diagnostics): void {
  for (const s of kids(source)) {
    if (s.name === "apply-groups" || s.name === "apply-groups-except") continue;
    if (isPattern(s.name)) {
      for (const t of kids(target)) if (patternMatches(s, t.name, diags) && !blocked(t, group, except)) merge(t, s, group, except, state, diags);
      continue;
    }
    let t = target.children.get(s.name);
    if (t?.inactive) continue;
    if (!t) {
      if (state.added >= MAX_ADDED) {
        if (!state.warned) diags.error(s, `apply-groups adds more than ${MAX_ADDED} statements; the rest is not inherited`);
        state.warned = true;
        return;
      }
      state.added++;
      t = newNode(s.name, s);
      t.fromGroup = group;
      target.children.set(s.name, t);
    }
    if (!blocked(t, group, except)) merge(t, s, group, except, state, diags);
  }
}

function blocked(n: ConfigNode, group: string, except: Set<string>): boolean {
  return except.has(group) || kids(child(n, "apply-groups-except")).some((e) => e.name === group);
}

function isPattern(name: string): boolean {
  return name.length >= 2 && name.startsWith("<") && name.endsWith(">");
}

/** Compiled `<pattern>` nodes (per node, so each parse warns about its own invalid patterns once). */
const compiled = new WeakMap<ConfigNode, Glob | null>();

/** Whether a `<glob>` group name matches a configuration name; an invalid glob warns once and matches nothing. */
function patternMatches(p: ConfigNode, name: string, diags: Diagnostics): boolean {
  let glob = compiled.get(p);
  if (glob === undefined) {
    glob = compileGlob(p.name.slice(1, -1));
    compiled.set(p, glob);
    if (glob === null) diags.warn(p, `invalid wildcard '${p.name}' in a group; it matches nothing`);
  }
  return glob !== null && glob.test(name);
}

export interface Glob {
  test(name: string): boolean;
}

/**
 * Glob as Junos groups use it: `*`, `?`, `[abc]` / `[a-z]` / `[!a]` / `[0,1]`; anything else is
 * literal. Matched by globWalk, so a hostile pattern costs at most name length x pattern length.
 */
export function compileGlob(glob: string): Glob | null {
  const parts: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (parts[parts.length - 1] !== "*") parts.push("*");
    } else if (c === "?") parts.push(() => true);
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end === -1) return null;
      let body = glob.slice(i + 1, end);
      const neg = body.startsWith("!") || body.startsWith("^");
      if (neg) body = body.slice(1);
      if (body === "") return null;
      const singles = new Set<string>();
      const spans: [string, string][] = [];
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === "-" && k + 2 < body.length) {
          spans.push([body[k]!, body[k + 2]!]);
          k += 2;
        } else singles.add(body[k]!);
      }
      const inSet = (x: string) => singles.has(x) || spans.some(([a, b]) => x >= a && x <= b);
      parts.push(neg ? (x) => !inSet(x) : inSet);
      i = end;
    } else if (c === "<" || c === ">" || c === "%") return null;
    else parts.push((x) => x === c);
  }
  return { test: (name) => globWalk(parts, [...name]) };
}
