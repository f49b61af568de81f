/**
 * Ansible playbooks and task files that set up ufw with its module (`community.general.ufw:` or
 * `ufw:`): each task is the ufw command the module runs for it, and what ufw then loads is read as
 * for a script of ufw commands (parsers/ufw-script) - so a task that opens SMTP to everyone is
 * found at the task.
 *
 *   parseAnsibleUfw(text, file) -> Ruleset     never throws
 *   detectAnsibleUfw(text) -> boolean
 *
 * Followed as Ansible runs them: plays in order (their pre_tasks, tasks, post_tasks), blocks,
 * `import_tasks` / `include_tasks` of a file of the tree, a task's `loop` / `with_items` over a
 * list (written there or a variable), Jinja's `{{ name }}`, `{{ item.port }}` and `| default(...)`
 * from the play's and task's `vars` and a role's defaults/main.yml and vars/main.yml. The module's
 * arguments become its command as community.general.ufw builds it (`rule`, `port`/`to_port`,
 * `proto`, `from_ip`/`src`, `to_ip`/`dest`, `direction`, `interface`, `route`, `delete`,
 * `insert`, `name`/`app`, `default`/`policy`, `state`, `comment`, `log`). A task with `when:` may
 * not run: its rules carry that condition as unknown, so what they open "may be reachable".
 * What fwlint cannot know (another Jinja expression, a variable defined elsewhere, roles of other
 * folders, `insert_relative_to` other than zero) is told and left out.
 */
import { dirname, join, resolve } from "node:path";
import { type Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node, type Pair, type YAMLMap } from "yaml";
import type { Condition, Diagnostic, Ruleset } from "../../src/model/types.js";
import type { ArgField } from "../iptables-script/argv.js";
import type { Pos } from "../iptables-script/lexer.js";
import { diskIo, type IncludeIo } from "../file-io.js";
import { internalErrorRuleset } from "../internal-error.js";
import { buildPipelines } from "../iptables/mapper.js";
import { UfwCommands } from "../ufw-script/commands.js";
import { loadedRuleset } from "../ufw-script/loaded.js";
import { profilesFrom, treeProfiles } from "../ufw-script/profiles.js";
import { detectAnsibleUfw } from "./detect.js";

export { detectAnsibleUfw };

export const FORMAT = "ansible-ufw";

export interface ParseAnsibleUfwOptions {
  io?: IncludeIo;
  /** Files it imports must stay inside this folder; default the file's own. */
  root?: string;
  /** Where the file is when `file` only labels it (a file at a git revision). */
  origin?: string;
}

const MODULES = new Set(["ufw", "community.general.ufw"]);
/** The module's argument aliases, by the name community.general.ufw gives the argument. */
const ALIASES: Record<string, string> = { policy: "default", if: "interface", if_in: "interface_in", if_out: "interface_out", from: "from_ip", src: "from_ip", dest: "to_ip", to: "to_ip", port: "to_port", protocol: "proto", app: "name" };
/** Imports followed this deep at most (a file importing itself). */
const MAX_DEPTH = 8;

type Value = string | number | boolean | null | Value[] | { [k: string]: Value };
type Vars = ReadonlyMap<string, Value>;

export function parseAnsibleUfw(text: string, file: string, opts: ParseAnsibleUfwOptions = {}): Ruleset {
  const diagnostics: Diagnostic[] = [];
  const say = (severity: Diagnostic["severity"], pos: Pos, message: string) => diagnostics.push({ severity, message, file: pos.file ?? file, line: pos.line, column: pos.column });
  try {
    const io = opts.io ?? diskIo;
    const where = resolve(opts.origin ?? file);
    const root = resolve(opts.root ?? dirname(where));
    const read = new Map<string, string[]>();
    const ufw = new UfwCommands(
      (pos, m) => say("info", pos, m),
      (pos, m) => say("error", pos, m),
      profilesFrom(treeProfiles(root, io)),
    );
    /** Conditions of the tasks that made rules, by the place of their module key. */
    const conditions = new Map<string, string[]>();

    /** The documents of a file, with where each node stands. */
    const documents = (source: string, shownFile: string | undefined) => {
      const counter = new LineCounter();
      const docs = parseAllDocuments(source, { lineCounter: counter, uniqueKeys: false });
      const place = (n: Node | Pair | undefined | null): Pos => {
        const offset = n && "range" in n && n.range ? n.range[0] : n && "key" in n && isScalarNode(n.key) && n.key.range ? n.key.range[0] : 0;
        const { line, col } = counter.linePos(offset);
        return shownFile !== undefined ? { line, column: col, file: shownFile } : { line, column: col };
      };
      return { docs: Array.isArray(docs) ? docs : [docs], place };
    };

    const runFile = (source: string, shownFile: string | undefined, path: string, vars: Vars, when: string[], depth: number) => {
      const { docs, place } = documents(source, shownFile);
      for (const doc of docs) {
        for (const e of doc.errors) say("error", { ...(shownFile !== undefined ? { file: shownFile } : {}), line: e.linePos?.[0].line ?? 1, column: e.linePos?.[0].col ?? 1 }, `YAML: ${e.message.split("\n")[0]}`);
        if (doc.errors.length > 0) continue;
        const top = doc.contents;
        if (!isSeq(top)) continue;
        const roleVars = new Map([...roleDefaults(path, io), ...vars]);
        runList(top.items as Node[], roleVars, when, { doc, place, path, depth });
      }
    };

    interface Where {
      /** The document the nodes are of (its aliases resolved in it). */
      doc: Document;
      place: (n: Node | Pair | undefined | null) => Pos;
      path: string;
      depth: number;
    }

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
        const module = [...keys.keys()].find((k) => MODULES.has(k));
        if (module === undefined) continue;
        runTask(item, keys, module, own, cond, at);
      }
    };

    const runTask = (task: YAMLMap, keys: ReadonlyMap<string, Pair>, module: string, vars: Vars, when: string[], at: Where) => {
      const pair = keys.get(module)!;
      const pos = at.place(pair);
      const loopPair = keys.get("loop") ?? keys.get("with_items") ?? keys.get("with_list");
      let items: Value[] = [null];
      if (loopPair) {
        const loop = isScalar(loopPair.value) ? expandValue(scalarText(loopPair.value) ?? "", vars) : toValue(loopPair.value as Node, at.doc);
        if (!Array.isArray(loop)) {
          say("info", pos, `task skipped: its loop (${scalarText(loopPair.value) ?? "a mapping"}) is not a list fwlint knows${loop && typeof loop === "object" && "why" in (loop as object) ? ` (${(loop as { why: string }).why})` : ""}`);
          return;
        }
        items = loop;
      }
      for (const item of items) {
        const scope = item === null && !loopPair ? vars : new Map([...vars, ["item", item]]);
        const args = moduleArgs(pair.value, scope, at.doc);
        if ("why" in args) {
          say("info", pos, `task skipped: ${args.why}`);
          continue;
        }
        const commands = ufwCommands(args);
        if ("why" in commands) {
          say(commands.error ? "error" : "info", pos, commands.error ? `community.general.ufw: ${commands.why}` : `task skipped: ${commands.why}`);
          continue;
        }
        for (const argv of commands) {
          const fields: ArgField[] = argv.map((text) => ({ text, pos }));
          const before = ufw.followed;
          const outcome = ufw.run(fields, { text: "ufw", pos });
          if (outcome === "fail") break;
          if (ufw.followed > before && when.length > 0) conditions.set(`${pos.file ?? ""}:${pos.line}`, when);
        }
      }
    };

    const source = text;
    runFile(source, undefined, where, new Map(), [], 0);
    const lines = text.split("\n");
    const ruleset = loadedRuleset(ufw, FORMAT, file, lines, (f) => read.get(f), "the playbook");
    // a rule of a task that runs only `when:` something: that condition, unknown
    if (conditions.size > 0) {
      for (const chain of ruleset.chains.values()) {
        for (const rule of chain.rules) {
          const when = conditions.get(`${rule.span.file === file ? "" : rule.span.file}:${rule.span.line}`);
          if (!when || rule.implied) continue;
          const cond: Condition = { kind: "unknown", text: `when: ${when.join(" and ")}`, reason: "the task runs only when its condition holds, which depends on the host Ansible runs it on" };
          rule.conditions = [...rule.conditions, cond];
        }
      }
    }
    ruleset.diagnostics = [...diagnostics, ...ruleset.diagnostics];
    if (read.size > 0) {
      ruleset.includedFiles = [...(ruleset.includedFiles ?? []), ...read.keys()];
      ruleset.includedLines = new Map([...(ruleset.includedLines ?? []), ...read]);
    }
    return ruleset;
  } catch (e) {
    return internalErrorRuleset("Ansible ufw reader", { format: FORMAT, file, families: [4, 6], pipelines: buildPipelines(4, new Map()) }, diagnostics, e);
  }
}

function isScalarNode(n: unknown): n is { value: unknown; range?: [number, number, number] } {
  return isScalar(n);
}

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
  if (v !== null && typeof v === "object" && !Array.isArray(v) && "why" in v && typeof (v as { why: unknown }).why === "string" && Object.keys(v).length === 1) return v as { why: string };
  return typeof v === "string" ? v : v === null ? "" : typeof v === "object" ? { why: `'${s}' is not a single value` } : String(v);
}

/** A string's value: the value of a lone `{{ ... }}` (a list stays a list), else the text with each filled in. */
function expandValue(s: string, vars: Vars, depth = 0): Value | { why: string } {
  const lone = /^\s*\{\{(.*?)\}\}\s*$/.exec(s);
  if (lone) return jinja(lone[1]!, vars, depth);
  let out = "";
  let last = 0;
  for (const m of s.matchAll(/\{\{(.*?)\}\}/g)) {
    const v = jinja(m[1]!, vars, depth);
    if (v !== null && typeof v === "object") return Array.isArray(v) ? { why: `'${m[0]}' is a list inside a string` } : "why" in v ? (v as { why: string }) : { why: `'${m[0]}' is a mapping inside a string` };
    out += s.slice(last, m.index) + (v === null ? "" : String(v));
    last = m.index! + m[0].length;
  }
  if (/\{%|\{#/.test(s)) return { why: `'${s}' has Jinja statements fwlint does not run` };
  return out + s.slice(last);
}

function jinja(expr: string, vars: Vars, depth: number): Value | { why: string } {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*|\[['"][^'"]+['"]\])*)\s*(?:\|\s*default\(\s*(?:'([^']*)'|"([^"]*)"|(-?\d+))\s*(?:,\s*(?:true|True))?\s*\))?\s*$/.exec(expr);
  if (!m) return { why: `'{{${expr}}}' is a Jinja expression fwlint does not compute` };
  const fallback = m[3] ?? m[4] ?? m[5];
  let v: Value | undefined = vars.get(m[1]!);
  for (const step of m[2]!.match(/\.[A-Za-z_][A-Za-z0-9_]*|\[['"][^'"]+['"]\]/g) ?? []) {
    const key = step.startsWith(".") ? step.slice(1) : step.slice(2, -2);
    v = v !== null && typeof v === "object" && !Array.isArray(v) ? v[key] : undefined;
  }
  if (v === undefined || v === null) return fallback !== undefined ? fallback : { why: `'${m[1]}${m[2]}' is not defined where fwlint reads (the play's or task's vars, the role's defaults and vars)` };
  if (typeof v === "string" && v.includes("{{") && depth < MAX_DEPTH) return expandValue(v, vars, depth + 1);
  return v;
}

/** The module's arguments, each by its own name (aliases resolved), Jinja filled in; or why not. */
function moduleArgs(node: unknown, vars: Vars, doc: Document): Map<string, string> | { why: string } {
  const out = new Map<string, string>();
  const put = (key: string, raw: Value): { why: string } | undefined => {
    const v = typeof raw === "string" ? expand(raw, vars) : raw;
    if (v !== null && typeof v === "object") return "why" in (v as object) ? (v as { why: string }) : { why: `argument ${key} is not a single value` };
    out.set(ALIASES[key] ?? key, v === null ? "" : String(v));
    return undefined;
  };
  const n = isAlias(node) ? node.resolve(doc) : node;
  if (isMap(n)) {
    for (const [key, v] of Object.entries(toValue(n, doc) as Record<string, Value>)) {
      const bad = put(key, v);
      if (bad) return bad;
    }
    return out;
  }
  // the old `ufw: rule=allow port=22` form
  const text = scalarText(n);
  if (text === undefined) return { why: "the module's arguments are neither a mapping nor key=value text" };
  for (const m of text.matchAll(/([A-Za-z_]+)=("([^"]*)"|'([^']*)'|\S+)/g)) {
    const bad = put(m[1]!, m[3] ?? m[4] ?? m[2]!);
    if (bad) return bad;
  }
  return out;
}

const truthy = (v: string | undefined) => v !== undefined && /^(yes|true|on|1|y)$/i.test(v);

/**
 * The ufw commands community.general.ufw runs for these arguments, in its order (state, default,
 * rule, logging), each as ufw's words; or why not (`error`: the module itself refuses them).
 */
function ufwCommands(a: ReadonlyMap<string, string>): string[][] | { why: string; error?: boolean } {
  const out: string[][] = [];
  const state = a.get("state");
  const direction = a.get("direction");
  if (state) {
    const verb = ({ enabled: "enable", disabled: "disable", reloaded: "reload", reset: "reset" } as Record<string, string>)[state];
    if (!verb) return { why: `state must be one of enabled, disabled, reloaded, reset, not '${state}'`, error: true };
    out.push(["-f", verb]);
  }
  const policy = a.get("default");
  if (policy) {
    if (direction !== undefined && !["incoming", "outgoing", "routed"].includes(direction)) return { why: 'for default, direction must be one of "outgoing", "incoming" and "routed", or not given', error: true };
    out.push(["default", policy, ...(direction !== undefined ? [direction] : [])]);
  }
  const rule = a.get("rule");
  if (rule) {
    if (direction !== undefined && direction !== "in" && direction !== "out") return { why: 'for rules, direction must be one of "in" and "out", or not given', error: true };
    if (!truthy(a.get("route")) && a.get("interface_in") && a.get("interface_out")) return { why: "only route rules can combine interface_in and interface_out", error: true };
    const cmd: string[] = [];
    if (truthy(a.get("route"))) cmd.push("route");
    if (truthy(a.get("delete"))) cmd.push("delete");
    const insert = a.get("insert");
    if (insert !== undefined && insert !== "" && !truthy(a.get("delete"))) {
      const relative = a.get("insert_relative_to") ?? "zero";
      if (relative !== "zero") return { why: `insert_relative_to ${relative} depends on the rules the host has (ufw status numbered)` };
      cmd.push("insert", insert);
    }
    cmd.push(rule);
    if (direction) cmd.push(direction);
    if (a.get("interface")) cmd.push("on", a.get("interface")!);
    if (a.get("interface_in")) cmd.push("in", "on", a.get("interface_in")!);
    if (a.get("interface_out")) cmd.push("out", "on", a.get("interface_out")!);
    if (truthy(a.get("log"))) cmd.push("log");
    cmd.push("from", a.get("from_ip") || "any");
    if (a.get("from_port")) cmd.push("port", a.get("from_port")!);
    cmd.push("to", a.get("to_ip") || "any");
    if (a.get("to_port")) cmd.push("port", a.get("to_port")!);
    if (a.get("proto")) cmd.push("proto", a.get("proto")!);
    if (a.get("name")) cmd.push("app", a.get("name")!);
    if (a.get("comment")) cmd.push("comment", a.get("comment")!);
    out.push(cmd);
  }
  if (a.get("logging")) out.push(["logging", a.get("logging")!]);
  if (out.length === 0) return { why: "the task gives none of state, default, rule or logging", error: true };
  return out;
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
