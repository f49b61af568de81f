/**
 * Ansible's tasks as Ansible runs them, for the readers of one module's tasks (ansible-ufw,
 * ansible-iptables): plays in order (their pre_tasks, tasks, post_tasks), blocks and `always`,
 * `import_tasks` / `include_tasks` of a file of the tree, a task's `loop` / `with_items` /
 * `with_list` over a list (written there or a variable), Jinja's `{{ name }}`, `{{ item.port }}`
 * and `| default(...)` from the play's and task's `vars` and a role's defaults/main.yml and
 * vars/main.yml, YAML aliases and merge keys. Each task of the modules asked for is handed over
 * once per loop item with its arguments filled in, where its module key stands and under which
 * `when:` conditions; what fwlint cannot know is told (an info) and left out.
 */
import { dirname, join, resolve } from "node:path";
import { type Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node, type Pair } from "yaml";
import type { Condition, Diagnostic } from "../../src/model/types.js";
import type { Pos } from "../iptables-script/lexer.js";
import { diskIo, type IncludeIo } from "../file-io.js";

/** Imports followed this deep at most (a file importing itself). */
const MAX_DEPTH = 8;

export type Value = string | number | boolean | null | Value[] | { [k: string]: Value };
type Vars = ReadonlyMap<string, Value>;

export interface AnsibleOptions {
  io?: IncludeIo;
  /** Files it imports must stay inside this folder; default the file's own. */
  root?: string;
  /** Where the file is when `file` only labels it (a file at a git revision). */
  origin?: string;
}

/** A task of one of the modules asked for, for one loop item. */
export interface AnsibleTask {
  module: string;
  /** Its arguments with Jinja filled in (a list's and a mapping's strings too). */
  args: Map<string, Value>;
  /** Where its module key stands. */
  pos: Pos;
  /** The `when:` conditions it runs under (its own, its blocks' and play's). */
  when: string[];
}

/**
 * Walks `text` (a playbook or a task file) as Ansible runs it, handing each task of `modules` to
 * `onTask`; returns the files of the tree it imported, by the name their places give, with their lines.
 */
export function walkTasks(
  text: string,
  file: string,
  opts: AnsibleOptions,
  modules: ReadonlySet<string>,
  onTask: (task: AnsibleTask) => void,
  say: (severity: Diagnostic["severity"], pos: Pos, message: string) => void,
  /** Filled with the files it imports as it reads them (a task's file's lines are there when the task is handed over). */
  read = new Map<string, string[]>(),
): Map<string, string[]> {
  const io = opts.io ?? diskIo;
  const where = resolve(opts.origin ?? file);
  const root = resolve(opts.root ?? dirname(where));

  interface Where {
    /** The document the nodes are of (its aliases resolved in it). */
    doc: Document;
    place: (n: Node | Pair | undefined | null) => Pos;
    path: string;
    depth: number;
  }

  const runFile = (source: string, shownFile: string | undefined, path: string, vars: Vars, when: string[], depth: number) => {
    const counter = new LineCounter();
    const docs = parseAllDocuments(source, { lineCounter: counter, uniqueKeys: false });
    const place = (n: Node | Pair | undefined | null): Pos => {
      const offset = n && "range" in n && n.range ? n.range[0] : n && "key" in n && isScalar(n.key) && n.key.range ? n.key.range[0] : 0;
      const { line, col } = counter.linePos(offset);
      return shownFile !== undefined ? { line, column: col, file: shownFile } : { line, column: col };
    };
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      for (const e of doc.errors) say("error", { ...(shownFile !== undefined ? { file: shownFile } : {}), line: e.linePos?.[0].line ?? 1, column: e.linePos?.[0].col ?? 1 }, `YAML: ${e.message.split("\n")[0]}`);
      if (doc.errors.length > 0) continue;
      const top = doc.contents;
      if (!isSeq(top)) continue;
      runList(top.items as Node[], new Map([...roleDefaults(path, io), ...vars]), when, { doc, place, path, depth });
    }
  };

  const runList = (items: readonly Node[], vars: Vars, when: string[], at: Where) => {
    for (const item of items) {
      if (!isMap(item)) continue;
      const keys = new Map(item.items.map((p) => [scalarText(p.key) ?? "", p] as const));
      const own = keys.has("vars") ? new Map([...vars, ...toValueMap(keys.get("vars")!.value, at.doc)]) : vars;
      const cond = keys.has("when") ? [...when, conditionText(keys.get("when")!.value, at.doc)] : when;
      // a play: its tasks in the order Ansible runs them
      if (keys.has("hosts")) {
        if (keys.has("vars_files")) say("info", at.place(keys.get("vars_files")!), "vars_files are not read: a variable they define is unknown here");
        if (keys.has("roles")) say("info", at.place(keys.get("roles")!), "the play's roles are not followed from here: check their task files (roles/NAME/tasks) on their own");
        for (const section of ["pre_tasks", "tasks", "post_tasks"]) {
          const list = keys.get(section)?.value;
          if (isSeq(list)) runList(list.items as Node[], own, cond, at);
        }
        continue;
      }
      if (keys.has("block")) {
        for (const section of ["block", "always"]) {
          const list = keys.get(section)?.value;
          if (isSeq(list)) runList(list.items as Node[], own, cond, at);
        }
        continue;
      }
      const imported = keys.get("import_tasks") ?? keys.get("include_tasks") ?? keys.get("ansible.builtin.import_tasks") ?? keys.get("ansible.builtin.include_tasks");
      if (imported) {
        const name = expand(scalarText(imported.value) ?? "", own);
        const pos = at.place(imported);
        if (typeof name !== "string") {
          say("info", pos, `tasks imported from ${String(scalarText(imported.value))} are not followed: ${name.why}`);
          continue;
        }
        const path = resolve(dirname(at.path), name);
        const inTree = path === root || path.startsWith(root + "/");
        const source = inTree && at.depth < MAX_DEPTH ? io.readFile(path) : undefined;
        if (source === undefined) {
          say("info", pos, `tasks imported from ${name} are not followed: ${!inTree ? "the file is outside the scanned tree" : at.depth >= MAX_DEPTH ? `imports nest deeper than ${MAX_DEPTH}` : "the file is not found"}`);
          continue;
        }
        const shown = io.shown?.(path) ?? path;
        read.set(shown, source.split("\n"));
        runFile(source, shown, path, own, cond, at.depth + 1);
        continue;
      }
      const module = [...keys.keys()].find((k) => modules.has(k));
      if (module !== undefined) runTask(keys, module, own, cond, at);
    }
  };

  const runTask = (keys: ReadonlyMap<string, Pair>, module: string, vars: Vars, when: string[], at: Where) => {
    const pair = keys.get(module)!;
    const pos = at.place(pair);
    const loopPair = keys.get("loop") ?? keys.get("with_items") ?? keys.get("with_list");
    let items: Value[] = [null];
    if (loopPair) {
      const loop = isScalar(loopPair.value) ? expandValue(scalarText(loopPair.value) ?? "", vars) : toValue(loopPair.value, at.doc);
      if (!Array.isArray(loop)) {
        say("info", pos, `task skipped: its loop (${scalarText(loopPair.value) ?? "a mapping"}) is not a list fwlint knows${loop !== null && typeof loop === "object" && isWhy(loop) ? ` (${loop.why})` : ""}`);
        return;
      }
      items = loop;
    }
    for (const item of items) {
      const scope = !loopPair ? vars : new Map([...vars, ["item", item]]);
      const args = taskArgs(pair.value, scope, at.doc);
      if ("why" in args) say("info", pos, `task skipped: ${args.why}`);
      else onTask({ module, args, pos, when });
    }
  };

  runFile(text, undefined, where, new Map(), [], 0);
  return read;
}

/** A task's module arguments (a mapping, or the old `key=value` text) with Jinja filled in; or why not. */
function taskArgs(node: unknown, vars: Vars, doc: Document): Map<string, Value> | { why: string } {
  const out = new Map<string, Value>();
  const fill = (v: Value): Value | { why: string } => {
    if (typeof v === "string") return expandValue(v, vars);
    if (Array.isArray(v)) {
      const xs: Value[] = [];
      for (const x of v) {
        const e = fill(x);
        if (e !== null && typeof e === "object" && !Array.isArray(e) && isWhy(e)) return e;
        xs.push(e as Value);
      }
      return xs;
    }
    if (v !== null && typeof v === "object") {
      const o: Record<string, Value> = {};
      for (const [k, x] of Object.entries(v)) {
        const e = fill(x);
        if (e !== null && typeof e === "object" && !Array.isArray(e) && isWhy(e)) return e;
        o[k] = e as Value;
      }
      return o;
    }
    return v;
  };
  const n = isAlias(node) ? node.resolve(doc) : node;
  if (isMap(n)) {
    for (const [key, v] of Object.entries(toValue(n, doc) as Record<string, Value>)) {
      const e = fill(v);
      if (e !== null && typeof e === "object" && !Array.isArray(e) && isWhy(e)) return e;
      out.set(key, e as Value);
    }
    return out;
  }
  const text = scalarText(n);
  if (text === undefined) return why("the module's arguments are neither a mapping nor key=value text");
  for (const m of text.matchAll(/([A-Za-z_]+)=("([^"]*)"|'([^']*)'|\S+)/g)) {
    const e = fill(m[3] ?? m[4] ?? m[2]!);
    if (e !== null && typeof e === "object" && !Array.isArray(e) && isWhy(e)) return e;
    out.set(m[1]!, e as Value);
  }
  return out;
}

/** A why-not (a mapping of one string `why`), as Jinja's expansion returns it. */
function isWhy(v: object): v is { why: string } {
  return Object.keys(v).length === 1 && typeof (v as { why?: unknown }).why === "string" && WHYS.has(v);
}
/** The why-nots made here (so that an argument mapping `{ why: ... }` is not taken for one). */
const WHYS = new WeakSet<object>();
const why = (text: string): { why: string } => {
  const o = { why: text };
  WHYS.add(o);
  return o;
};

function scalarText(n: unknown): string | undefined {
  if (!isScalar(n)) return undefined;
  return n.value === null ? "" : String(n.value);
}

/** A YAML node as a plain value: aliases resolved, `<<` merge keys merged (the keys written beside them win). */
function toValue(n: unknown, doc: Document | undefined, depth = 0): Value {
  if (n === null || n === undefined || depth > MAX_DEPTH * 4) return null;
  if (isAlias(n)) return doc ? toValue(n.resolve(doc), doc, depth + 1) : null;
  if (isScalar(n)) return n.value as Value;
  if (isSeq(n)) return n.items.map((x) => toValue(x, doc, depth + 1));
  if (isMap(n)) {
    const out: Record<string, Value> = {};
    const own: [string, Value][] = [];
    for (const p of n.items) {
      const key = scalarText(p.key) ?? "";
      const v = toValue(p.value, doc, depth + 1);
      if (key !== "<<") own.push([key, v]);
      else for (const m of Array.isArray(v) ? v : [v]) if (m && typeof m === "object" && !Array.isArray(m)) Object.assign(out, m);
    }
    for (const [k, v] of own) out[k] = v;
    return out;
  }
  return null;
}

function toValueMap(n: unknown, doc: Document | undefined): Map<string, Value> {
  const v = toValue(n, doc);
  return v && typeof v === "object" && !Array.isArray(v) ? new Map(Object.entries(v)) : new Map();
}

/** A `when:` as text (a list is its conditions joined). */
function conditionText(n: unknown, doc: Document): string {
  const v = toValue(n, doc);
  return Array.isArray(v) ? v.map(String).join(" and ") : String(v);
}

/** Jinja's simple forms in a string: `{{ name }}`, `{{ name.attr }}`, `{{ name | default(x) }}`; else why not. */
function expand(s: string, vars: Vars, depth = 0): string | { why: string } {
  const v = expandValue(s, vars, depth);
  if (v !== null && typeof v === "object" && !Array.isArray(v) && isWhy(v)) return v;
  return typeof v === "string" ? v : v === null ? "" : typeof v === "object" ? why(`'${s}' is not a single value`) : String(v);
}

/** A string's value: the value of a lone `{{ ... }}` (a list stays a list), else the text with each filled in. */
function expandValue(s: string, vars: Vars, depth = 0): Value | { why: string } {
  const lone = /^\s*\{\{(.*?)\}\}\s*$/.exec(s);
  if (lone) return jinja(lone[1]!, vars, depth);
  let out = "";
  let last = 0;
  for (const m of s.matchAll(/\{\{(.*?)\}\}/g)) {
    const v = jinja(m[1]!, vars, depth);
    if (v !== null && typeof v === "object") return Array.isArray(v) ? why(`'${m[0]}' is a list inside a string`) : isWhy(v) ? v : why(`'${m[0]}' is a mapping inside a string`);
    out += s.slice(last, m.index) + (v === null ? "" : String(v));
    last = m.index! + m[0].length;
  }
  if (/\{%|\{#/.test(s)) return why(`'${s}' has Jinja statements fwlint does not run`);
  return out + s.slice(last);
}

function jinja(expr: string, vars: Vars, depth: number): Value | { why: string } {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*|\[['"][^'"]+['"]\])*)\s*(?:\|\s*default\(\s*(?:'([^']*)'|"([^"]*)"|(-?\d+))\s*(?:,\s*(?:true|True))?\s*\))?\s*$/.exec(expr);
  if (!m) return why(`'{{${expr}}}' is a Jinja expression fwlint does not compute`);
  const fallback = m[3] ?? m[4] ?? m[5];
  let v: Value | undefined = vars.get(m[1]!);
  for (const step of m[2]!.match(/\.[A-Za-z_][A-Za-z0-9_]*|\[['"][^'"]+['"]\]/g) ?? []) {
    const key = step.startsWith(".") ? step.slice(1) : step.slice(2, -2);
    v = v !== null && typeof v === "object" && !Array.isArray(v) ? v[key] : undefined;
  }
  if (v === undefined || v === null) return fallback !== undefined ? fallback : why(`'${m[1]}${m[2]}' is not defined where fwlint reads (the play's or task's vars, the role's defaults and vars)`);
  if (typeof v === "string" && v.includes("{{") && depth < MAX_DEPTH) return expandValue(v, vars, depth + 1);
  return v;
}

/** A role's defaults and vars, when `path` is a task file of a role (roles/NAME/tasks/...). */
function roleDefaults(path: string, io: IncludeIo): Map<string, Value> {
  const m = /^(.*\/roles\/[^/]+)\/tasks\/[^/]+$/.exec(path);
  const out = new Map<string, Value>();
  if (!m) return out;
  for (const part of ["defaults", "vars"]) {
    for (const name of ["main.yml", "main.yaml"]) {
      const text = io.readFile(join(m[1]!, part, name));
      if (text === undefined) continue;
      try {
        for (const doc of parseAllDocuments(text)) {
          if (Array.isArray(doc) || doc.errors.length > 0) continue;
          for (const [k, v] of toValueMap(doc.contents, doc)) out.set(k, v);
        }
      } catch {
        // (a defaults file that is no YAML defines nothing)
      }
    }
  }
  return out;
}

/** The condition a task's rules carry when it runs only `when:` something: unknown, as the host decides it. */
export function whenCondition(when: readonly string[]): Condition {
  return { kind: "unknown", text: `when: ${when.join(" and ")}`, reason: "the task runs only when its condition holds, which depends on the host Ansible runs it on" };
}
