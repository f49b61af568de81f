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
import { dirname, resolve } from "node:path";
import type { Diagnostic, Ruleset } from "../../src/model/types.js";
import type { ArgField } from "../iptables-script/argv.js";
import type { Pos } from "../iptables-script/lexer.js";
import { diskIo } from "../file-io.js";
import { type AnsibleOptions, type Value, walkTasks, whenCondition } from "../ansible/tasks.js";
import { internalErrorRuleset } from "../internal-error.js";
import { buildPipelines } from "../iptables/mapper.js";
import { UfwCommands } from "../ufw-script/commands.js";
import { loadedRuleset } from "../ufw-script/loaded.js";
import { profilesFrom, treeProfiles } from "../ufw-script/profiles.js";
import { detectAnsibleUfw } from "./detect.js";
import { nameTable } from "../../src/model/name-table.js";

export { detectAnsibleUfw };

export const FORMAT = "ansible-ufw";


const MODULES = new Set(["ufw", "community.general.ufw"]);
/** The module's argument aliases, by the name community.general.ufw gives the argument. */
const ALIASES: Readonly<Record<string, string>> = nameTable({ policy: "default", if: "interface", if_in: "interface_in", if_out: "interface_out", from: "from_ip", src: "from_ip", dest: "to_ip", to: "to_ip", port: "to_port", protocol: "proto", app: "name" });


export function parseAnsibleUfw(text: string, file: string, opts: AnsibleOptions = {}): Ruleset {
  const diagnostics: Diagnostic[] = [];
  const say = (severity: Diagnostic["severity"], pos: Pos, message: string) => diagnostics.push({ severity, message, file: pos.file ?? file, line: pos.line, column: pos.column });
  try {
    const root = resolve(opts.root ?? dirname(resolve(opts.origin ?? file)));
    const ufw = new UfwCommands(
      (pos, m) => say("info", pos, m),
      (pos, m) => say("error", pos, m),
      profilesFrom(treeProfiles(root, opts.io ?? diskIo)),
    );
    /** Conditions of the tasks that made rules, by the place of their module key. */
    const conditions = new Map<string, string[]>();
    const read = walkTasks(text, file, opts, MODULES, (task) => {
      const args = ufwArgs(task.args);
      const commands = "why" in args ? args : ufwCommands(args);
      if ("why" in commands) {
        const error = "error" in commands && commands.error === true;
        say(error ? "error" : "info", task.pos, error ? `community.general.ufw: ${commands.why}` : `task skipped: ${commands.why}`);
        return;
      }
      for (const argv of commands) {
        const fields: ArgField[] = argv.map((t) => ({ text: t, pos: task.pos }));
        const before = ufw.followed;
        if (ufw.run(fields, { text: "ufw", pos: task.pos }) === "fail") break;
        if (ufw.followed > before && task.when.length > 0) conditions.set(`${task.pos.file ?? ""}:${task.pos.line}`, task.when);
      }
    }, say);
    const ruleset = loadedRuleset(ufw, FORMAT, file, text.split("\n"), (f) => read.get(f), "the playbook");
    // a rule of a task that runs only `when:` something: that condition, unknown
    if (conditions.size > 0) {
      for (const chain of ruleset.chains.values()) {
        for (const rule of chain.rules) {
          const when = conditions.get(`${rule.span.file === file ? "" : rule.span.file}:${rule.span.line}`);
          if (!when || rule.implied) continue;
          rule.conditions = [...rule.conditions, whenCondition(when)];
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

/** The module's arguments by their own names (aliases resolved), each a single value; or why not. */
function ufwArgs(args: ReadonlyMap<string, Value>): Map<string, string> | { why: string } {
  const out = new Map<string, string>();
  for (const [key, v] of args) {
    if (v !== null && typeof v === "object") return { why: `argument ${key} is not a single value` };
    out.set(ALIASES[key] ?? key, v === null ? "" : String(v));
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
