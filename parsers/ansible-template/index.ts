/**
 * Jinja templates of firewall files, as Ansible's `template` module writes them: an Ansible
 * role's templates/rules.v4.j2 (iptables-save text), nftables.conf.j2, a firewall script. The
 * template is rendered (parsers/ansible/template.ts) with the variables of the task that writes
 * it, and what it renders is read by the reader of its format; every place is then the
 * template's own line, so an opening a loop writes is found at the loop's body.
 *
 *   parseAnsibleTemplate(text, file, opts) -> Ruleset     never throws
 *
 * The task is looked for where Ansible's projects keep them: for roles/NAME/templates/... (or a
 * role in a folder of ansible.cfg's roles_path), the playbooks beside roles/ and in a playbooks/
 * folder there that run the role, then the role's own tasks/main.yml (its defaults, vars and the
 * group_vars beside its playbooks); for templates/... beside playbooks, those playbooks; its `src` resolved as Ansible resolves it (the role's templates/, the playbook's
 * templates/, or beside them). The task's variables are the walk's (parsers/ansible/tasks.ts):
 * defaults, group_vars, play and task vars, loop items, facts set before it. Found nowhere, the
 * role's defaults and vars are used, and that is said. What it renders is read as the task's
 * destination names it (rules.v6: ip6tables) or as its text looks.
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { Diagnostic, Ruleset } from "../../src/model/types.js";
import { diskIo, projectRoot, type IncludeIo } from "../file-io.js";
import { roleFolderOf } from "../ansible/layout.js";
import { type AnsibleOptions, roleVariables, type Value, walkTasks, yamlMapping } from "../ansible/tasks.js";
import { renderTemplate, type IncludeLoader, type Rendered } from "../ansible/template.js";
import { internalErrorRuleset } from "../internal-error.js";
import { detectAnsibleTemplate, renderedFormatOf, templateSkeleton, type RenderedFormat } from "./detect.js";

export { detectAnsibleTemplate };

export const FORMAT = "ansible-template";

const TEMPLATE_MODULES: ReadonlySet<string> = new Set(["template", "ansible.builtin.template", "ansible.legacy.template"]);

/** Playbooks beside a template's project looked at, at most. */
const MAX_PLAYBOOKS = 50;

/**
 * Reads what a template renders as `format`, its places named `file` (the format registry's reader
 * of that format, given by src/engine/formats.ts: parsers know no registry); `at`: where the
 * template is and the folder its includes stay in.
 */
export type RenderedReader = (format: RenderedFormat, text: string, file: string, at: { origin: string; root: string }) => Ruleset;

export interface TemplateOptions {
  /** The reader of what the template renders. */
  readRendered: RenderedReader;
  io?: IncludeIo;
  /** Extra variables (ansible-playbook's `-e`; .fwlint.yaml `ansibleVars`): above every other. */
  extraVars?: Readonly<Record<string, Value>>;
  /** Where the file is when `file` only labels it (a file at a git revision). */
  origin?: string;
  /** The scan's folder (see projectRoot). */
  root?: string;
  /** The inventory host to render for, one of the writer's play's hosts (AnsibleOptions.host). */
  host?: string;
  /** Variables of each inventory host, as its gathered facts stand (AnsibleOptions.hostVars). */
  hostVars?: AnsibleOptions["hostVars"];
  /** Told the host rendered for and the writer's play's hosts, when there are several (AnsibleOptions.onPlayHosts). */
  onPlayHosts?: (host: string, hosts: readonly string[]) => void;
}

type Vars = ReadonlyMap<string, Value>;

/** The task that writes the template, as found (see findTask). */
interface Writer {
  vars: Vars;
  dest?: string;
  /** Where the task's module key is, shown as the report names files. */
  at: { file: string; line: number; column: number };
  /** The playbook (or task file) whose walk ran the task, shown so. */
  playbook: string;
  /** Every file the walk read (the playbook, its roles' tasks and variables files), absolute. */
  read: string[];
  when: string[];
}

export function parseAnsibleTemplate(text: string, file: string, opts: TemplateOptions): Ruleset {
  try {
    return readTemplate(text, file, opts);
  } catch (e) {
    return internalErrorRuleset("Ansible template reader", { format: FORMAT, file, families: [4] }, [], e);
  }
}

/** A template rendered for the task that writes it (see the header), with what was said on the way. */
export interface TemplateReading {
  rendered: ReturnType<typeof renderTemplate>;
  /** Where the template stands. */
  place: Place;
  /** The lines of each template it includes, by the name reports give it. */
  included: Map<string, string[]>;
  /** The files whose variables it was rendered with (the writer's playbook and what its walk read, or the role's defaults and vars), absolute. */
  read: string[];
  /** The task found (undefined: none, the role's defaults and vars were used). */
  writer?: Writer;
  diagnostics: Diagnostic[];
}

/** Where a template stands, worked out once for a reading: its path, the project bounds, its role and project folders. */
interface Place {
  io: IncludeIo;
  /** The template's path. */
  where: string;
  /** The folder the files it reads stay in (see projectRoot). */
  root: string;
  /** How reports name a path (as the template's own is named). */
  shownOf: (path: string) => string;
  /** The role whose templates/ it is in. */
  role?: string;
  /** The folder above the roles' folder, or the one holding its templates/, else its own. */
  project: string;
}

function placeOf(file: string, opts: Omit<TemplateOptions, "readRendered">): Place {
  const io = opts.io ?? diskIo;
  const where = resolve(opts.origin ?? file);
  const shownOf = (path: string) => io.shown?.(path) ?? (isAbsolute(file) ? path : relative(process.cwd(), path));
  return { io, where, root: projectRoot(where, io, opts.root), shownOf, ...roleAndProject(where, io) };
}

/** Renders a template as the task that writes it does (the reader's first half; the tests compare it with Ansible's). */
export function renderForWriter(text: string, file: string, opts: Omit<TemplateOptions, "readRendered"> = {}): TemplateReading {
  const place = placeOf(file, opts);
  const { io, root, shownOf, role } = place;
  const diagnostics: Diagnostic[] = [];
  const say = (severity: Diagnostic["severity"], message: string) => diagnostics.push({ severity, message, file, line: 1, column: 1 });
  const writer = findWriter(place, opts);
  const read = writer ? writer.read : [];
  let vars: Vars;
  if (writer) {
    vars = writer.vars;
    const by = writer.playbook !== writer.at.file ? `, run by ${writer.playbook}` : "";
    say("info", `rendered with the variables of the task that writes it (${writer.at.file}:${writer.at.line}${by}${writer.dest !== undefined ? `, dest: ${writer.dest}` : ""})`);
    if (writer.when.length > 0) say("info", `the task that writes it runs only when: ${writer.when.join(" and ")} (read as if it runs)`);

  } else {
    const inTree = (path: string) => path.startsWith(root + "/");
    const own = role ? roleVariables(role, io, (path) => {
      const source = inTree(path) ? io.readFile(path) : undefined;
      if (source === undefined) return undefined;
      read.push(path);
      return yamlMapping(source);
    }) : undefined;
    vars = new Map([...(own?.defaults ?? []), ...(own?.vars ?? []), ...Object.entries(opts.extraVars ?? {})]);
    say("info", role ? `no task found that writes this template (in the playbooks beside ${shownOf(dirname(role))} and the role's tasks): rendered with the role's defaults and vars` : "no task found that writes this template (in the playbooks beside it): rendered with no variables");
  }
  // (Ansible's template module defines ansible_managed for every template: its default text)
  if (!vars.has("ansible_managed")) vars = new Map([...vars, ["ansible_managed", "Ansible managed"]]);
  const included = new Map<string, string[]>();
  const rendered = renderTemplate(text, vars, includeLoader(place, read, included));
  if (!("why" in rendered)) for (const name of rendered.assumedUndefined) say("info", `'${name}' is read as not defined by the template's 'is defined' tests (not among the variables fwlint reads)`);
  if (writer) {
    // (the play's hosts, for a reading of each: see readForEveryHost)
    const host = writer.vars.get("inventory_hostname");
    const hosts = writer.vars.get("ansible_play_hosts");
    if (typeof host === "string" && Array.isArray(hosts) && hosts.length > 1) opts.onPlayHosts?.(host, hosts.filter((h): h is string => typeof h === "string"));
  }
  return { rendered, place, read, included, ...(writer ? { writer } : {}), diagnostics };
}

/**
 * How `{% include NAME %}` finds a template as Ansible's template module does: beside the
 * template, in its role's templates/, in the project's templates/ (inside the project). Each one
 * found is recorded in `read` (its path) and `included` (its lines, by the name reports give it).
 */
function includeLoader({ io, where, root, shownOf, role, project }: Place, read: string[], included: Map<string, string[]>): IncludeLoader {
  const folders = [dirname(where), ...(role ? [join(role, "templates")] : []), join(project, "templates")];
  return (name) => {
    for (const folder of folders) {
      const path = resolve(folder, name);
      if (!path.startsWith(root + "/")) continue;
      const text = io.readFile(path);
      if (text === undefined) continue;
      if (!read.includes(path)) read.push(path);
      const shown = shownOf(path);
      included.set(shown, text.split("\n"));
      return { text, file: shown };
    }
    return undefined;
  };
}

function readTemplate(text: string, file: string, opts: TemplateOptions): Ruleset {
  const { rendered, place, writer, diagnostics, read, included } = renderForWriter(text, file, opts);
  const { where, root, shownOf } = place;
  // (a change to any of them changes what the template renders: check --new-only, diff and the hook's search read them so)
  const inputs: Pick<Ruleset, "includedFiles"> = read.length > 0 ? { includedFiles: read.map(shownOf) } : {};
  const fail = (line: number, column: number, message: string): Ruleset => {
    diagnostics.push({ severity: "error", message, file, line, column, unread: true });
    return { format: FORMAT, file, families: [4], chains: new Map(), pipelines: [], diagnostics, ruleCount: 0, ...inputs };
  };
  if ("why" in rendered) {
    const at = rendered.file === undefined ? "" : ` (in ${rendered.file}, which it includes, at ${rendered.line}:${rendered.column})`;
    // (what the project does not define - a fact, an extra variable - the configuration can)
    const hint = / is not defined where fwlint reads| is not decided by the variables/.test(rendered.why) ? " (.fwlint.yaml's ansibleVars gives an extra variable or a fact for every host, its ansibleHostVars a fact of one inventory host)" : "";
    const message = `the template is not rendered: ${rendered.why}${at}; its rules are not analysed${hint}`;
    return rendered.file === undefined ? fail(rendered.line, rendered.column, message) : fail(1, 1, message);
  }
  const format = renderedFormatOf(rendered.text, writer?.dest ?? file) ?? renderedFormatOf(templateSkeleton(text), writer?.dest ?? file);
  if (!format) return fail(1, 1, "what the template renders is not a firewall file fwlint reads (iptables-save, nft, or a script of their commands)");
  diagnostics.push({ severity: "info", message: `read as ${format} after rendering`, file, line: 1, column: 1 });
  const inner = opts.readRendered(format, rendered.text, file, { origin: where, root });
  relocate(inner, file, rendered, text.split("\n"), included);
  const inputFiles = [...(inputs.includedFiles ?? []), ...(inner.includedFiles ?? [])];
  const lines = new Map([...(inner.includedLines ?? []), ...included]);
  return {
    ...inner,
    format: FORMAT,
    diagnostics: [...diagnostics, ...inner.diagnostics],
    ...(inputFiles.length > 0 ? { includedFiles: inputFiles } : {}),
    ...(lines.size > 0 ? { includedLines: lines } : {}),
  };
}

/**
 * Every place in the ruleset that names a line of the rendered text, moved to the line it came
 * from (the template's, or a template it includes: that file then); its column kept where that
 * line reads the same up to it, else the line's first column that is not blank; its text that line.
 */
function relocate(ruleset: Ruleset, file: string, rendered: Rendered, template: readonly string[], included: ReadonlyMap<string, readonly string[]>): void {
  const out = rendered.text.split("\n");
  const last = rendered.lines.length - 1;
  const seen = new Set<object>();
  const visit = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== "object" || seen.has(v) || depth > 40) return;
    seen.add(v);
    if (v instanceof Map) {
      for (const x of v.values()) visit(x, depth + 1);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    if (o.file === file && typeof o.line === "number" && typeof o.column === "number" && !Object.isFrozen(o)) {
      const at = Math.min(o.line - 1, last);
      const from = rendered.files[at];
      const to = rendered.lines[at] ?? o.line;
      const own = (from === undefined ? template : included.get(from))?.[to - 1] ?? "";
      const written = out[o.line - 1] ?? "";
      const col = o.column;
      if (from !== undefined) o.file = from;
      o.line = to;
      o.column = own.slice(0, col - 1) === written.slice(0, col - 1) ? col : own.length - own.trimStart().length + 1;
      if (typeof o.text === "string") o.text = own;
    }
    for (const x of Object.values(o)) visit(x, depth + 1);
  };
  visit(ruleset.chains, 0);
  visit(ruleset.pipelines, 0);
  visit(ruleset.diagnostics, 0);
}

/**
 * The role folder of a template in a role's templates/ folder (…/roles/NAME, or a folder of
 * ansible.cfg's roles_path: one with tasks/, defaults/ or meta/ beside templates/), and the project
 * (the folder above the roles' folder; for a template outside roles, the folder holding its
 * templates/, else its own).
 */
function roleAndProject(where: string, io: IncludeIo): { role?: string; project: string } {
  const at = where.lastIndexOf("/templates/");
  const dir = at < 0 ? undefined : where.slice(0, at);
  const role = dir !== undefined && (/(^|\/)roles\/[^/]+$/.test(dir) || ["tasks", "defaults", "meta"].some((f) => io.listDir(join(dir, f)) !== undefined)) ? dir : undefined;
  return role ? { role, project: dirname(dirname(role)) } : { project: dir ?? dirname(where) };
}

/**
 * The first task (of the playbooks beside the project, then the role's own tasks) whose `src`
 * is this template, with the variables it sees; undefined when none is found.
 */
function findWriter({ io, where, root, shownOf, role, project }: Place, given: Pick<TemplateOptions, "extraVars" | "host" | "hostVars">): Writer | undefined {
  const { extraVars, host, hostVars } = given;
  const roleName = role ? role.slice(role.lastIndexOf("/") + 1) : undefined;
  const candidates: string[] = [];
  // (the playbooks at the project's top, then in a playbooks/ folder there)
  for (const folder of [project, join(project, "playbooks")]) {
    for (const name of io.listDir(folder) ?? []) {
      if (/\.ya?ml$/.test(name) && candidates.length < MAX_PLAYBOOKS) candidates.push(join(folder, name));
    }
  }
  if (role) for (const name of ["main.yml", "main.yaml"]) candidates.push(join(role, "tasks", name));
  for (const path of candidates) {
    if (!(path === root || path.startsWith(root + "/"))) continue;
    const text = io.readFile(path);
    if (text === undefined) continue;
    const ownTasks = role !== undefined && path.startsWith(role + "/");
    // (a playbook that names neither the role nor a template does not write it)
    if (!ownTasks && !(roleName !== undefined ? text.includes(roleName) : /template/.test(text))) continue;
    let found: Omit<Writer, "read"> | undefined;
    // (what the walk reads, by path: the files whose change changes what the template renders)
    const read = new Set<string>([path]);
    const recording: IncludeIo = { ...io, readFile: (p) => { const t = io.readFile(p); if (t !== undefined) read.add(p); return t; } };
    walkTasks(
      text,
      path,
      { io: recording, root, ...(extraVars ? { extraVars } : {}), ...(host !== undefined ? { host } : {}), ...(hostVars ? { hostVars } : {}) },
      TEMPLATE_MODULES,
      (task) => {
        if (found) return;
        const src = task.args.get("src");
        if (typeof src !== "string" || src === "") return;
        const taskFile = task.path;
        if (!sourcesOf(src, taskFile, path).includes(where)) return;
        const dest = task.args.get("dest");
        found = {
          vars: task.vars,
          ...(typeof dest === "string" ? { dest } : {}),
          at: { file: shownOf(taskFile), line: task.pos.line, column: task.pos.column },
          playbook: shownOf(path),
          when: task.when,
        };
      },
      () => {},
    );
    if (found) return { ...found, read: [...read] };
  }
  return undefined;
}

/** Where Ansible looks for a template task's `src`: the task's role's templates/ and folder, then the playbook's. */
function sourcesOf(src: string, taskFile: string, playbook: string): string[] {
  if (isAbsolute(src)) return [resolve(src)];
  const out: string[] = [];
  // (a task file in a tasks/ folder: a role's, wherever its roles folder is - ansible.cfg's roles_path)
  const role = roleFolderOf(taskFile) ?? /^(.*)\/tasks\/[^/]+$/.exec(taskFile)?.[1];
  if (role) out.push(resolve(role, "templates", src), resolve(role, src), resolve(role, "tasks", "templates", src), resolve(role, "tasks", src));
  const here = dirname(taskFile);
  out.push(resolve(here, "templates", src), resolve(here, src));
  const base = dirname(playbook);
  out.push(resolve(base, "templates", src), resolve(base, src));
  return out;
}
