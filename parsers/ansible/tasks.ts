/**
 * Ansible's tasks as Ansible runs them, for the readers of one module's tasks (ansible-ufw,
 * ansible-iptables): plays in order (their pre_tasks, tasks, post_tasks), blocks and `always`,
 * `import_tasks` / `include_tasks` of a file of the tree, a play's `roles:` and the
 * `import_role` / `include_role` tasks (a role's tasks/main.yml or `tasks_from`, after the roles
 * its meta/main.yml depends on), a task's `loop` / `with_items` / `with_list` / `with_dict` /
 * `with_subelements` / `with_nested` / `with_together` over a list (written
 * there or a variable), Jinja's `{{ name }}`, `{{ item.port }}` and `| default(...)` from the
 * variables Ansible gives the task, in its order of precedence: a role's defaults, what the
 * project's inventory (inventory.ts) gives the first host of the play's pattern - its groups'
 * variables and group_vars, its own and its host_vars, `groups` and `hostvars` - (without an
 * inventory naming one: the group_vars of `all` and of the play's group beside the playbook or
 * its inventory/ folder), the play's `vars` and `vars_files`, the role's vars, block and task `vars`, the role's
 * parameters. YAML aliases and merge keys. Each task of the modules asked for is handed over once
 * per loop item with its arguments filled in, where its module key stands and under which `when:`
 * conditions; what fwlint cannot know is told (an info) and left out.
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { type Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node, type Pair } from "yaml";
import type { Condition, Diagnostic } from "../../src/model/types.js";
import type { Pos } from "../iptables-script/lexer.js";
import { diskIo, projectRoot, type IncludeIo } from "../file-io.js";
import { decideWhen } from "./when.js";
import { type AnsibleConfig, readAnsibleConfig, roleFolderOf } from "./layout.js";
import { isWhy, why } from "./why.js";
import { SCALAR_FILTERS, itemOf, listFilter, scalarFilter } from "./filters.js";
import { ANSIBLE_YAML } from "./yaml-schema.js";
import { type ProjectInventory, groupsDict, hostVariables, hostsOfPattern, projectInventory } from "./inventory.js";
import { emptyNameTable } from "../../src/model/name-table.js";

/** Why a file of the tree is not read when it is not there (see readTreeFile). */
const NOT_FOUND = "the file is not found";

/** Imports followed this deep at most (a file importing itself). */
const MAX_DEPTH = 8;

export type Value = string | number | boolean | null | Value[] | { [k: string]: Value };
/** Variables by inventory host, then by name (.fwlint.yaml `ansibleHostVars`). */
export type HostVars = Readonly<Record<string, Readonly<Record<string, Value>>>>;
type Vars = ReadonlyMap<string, Value>;

export interface AnsibleOptions {
  io?: IncludeIo;
  /**
   * Variables given as ansible-playbook's extra variables (`-e`; .fwlint.yaml `ansibleVars`): above
   * every other, facts included (what a host would gather, such as ansible_default_ipv4).
   */
  extraVars?: Readonly<Record<string, Value>>;
  /** Files it imports must stay inside this folder; default the file's own. */
  root?: string;
  /** Where the file is when `file` only labels it (a file at a git revision). */
  origin?: string;
  /**
   * The inventory host a play is read for, when its pattern names it; by default the pattern's
   * first host (a template is also rendered for the play's other hosts, to tell where they differ).
   */
  host?: string;
  /**
   * Variables of each host of the inventory, by name, as its gathered facts stand (.fwlint.yaml
   * `ansibleHostVars`): above its inventory variables and host_vars, in hostvars too.
   */
  hostVars?: HostVars;
  /** Told, for each play whose pattern names several hosts of the inventory, the host it is read for and them all. */
  onPlayHosts?: (host: string, hosts: readonly string[]) => void;
}

/** A task of one of the modules asked for, for one loop item. */
export interface AnsibleTask {
  module: string;
  /** Its arguments with Jinja filled in (a list's and a mapping's strings too). */
  args: Map<string, Value>;
  /** Where its module key stands. */
  pos: Pos;
  /** The file it is in (absolute; `pos` names it as reports do). */
  path: string;
  /** The `when:` conditions it runs under (its own, its blocks' and play's). */
  when: string[];
  /** The variables the task sees (its loop item among them), as Ansible's precedence leaves them. */
  vars: ReadonlyMap<string, Value>;
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
  // files of the project the walk reads (imported tasks, roles, variables): up to the working
  // folder, the git repository or the scan's folder (a role's task file named alone reads its
  // defaults and the group_vars beside its playbooks)
  const root = projectRoot(where, io, opts.root);
  // a file read is named as the file's own path is: relative to the working folder, or absolute
  const shownOf = (path: string) => io.shown?.(path) ?? (isAbsolute(file) ? path : relative(process.cwd(), path));

  interface Where {
    /** The document the nodes are of (its aliases resolved in it). */
    doc: Document;
    place: (n: Node | Pair | undefined | null) => Pos;
    path: string;
    depth: number;
    /** The playbook's folder, where its roles/ and group_vars/ are. */
    base: string;
  }

  const inTree = (path: string) => path === root || path.startsWith(root + "/");
  const extras = new Map(Object.entries(opts.extraVars ?? {}));
  /** `vars` with the extra variables over them (Ansible's highest precedence). */
  const withExtras = (vars: Vars): Vars => (extras.size === 0 ? vars : new Map([...vars, ...extras]));

  /** A file of the tree for the walk (recorded for its lines), or why it is not read (NOT_FOUND when it is not there). */
  const readTreeFile = (path: string, depth: number): { source: string; shown: string } | string => {
    if (!inTree(path)) return "the file is outside the scanned tree";
    if (depth >= MAX_DEPTH) return `imports nest deeper than ${MAX_DEPTH}`;
    const source = io.readFile(path);
    if (source === undefined) return NOT_FOUND;
    const shown = shownOf(path);
    read.set(shown, source.split("\n"));
    return { source, shown };
  };

  /**
   * A file of variables (YAML or JSON mapping) of the tree; undefined when it is none. Read and
   * parsed once per walk: every play asks for the same group_vars, every run of a role its defaults.
   */
  const varsRead = new Map<string, Map<string, Value> | undefined>();
  const varsFile = (path: string): Map<string, Value> | undefined => {
    if (varsRead.has(path)) return varsRead.get(path);
    const text = inTree(path) ? io.readFile(path) : undefined;
    if (text !== undefined) read.set(shownOf(path), text.split("\n"));
    const vars = text === undefined ? undefined : yamlMapping(text);
    varsRead.set(path, vars);
    return vars;
  };

  /**
   * The variables files of `name` in `dir`'s `folder` (group_vars or host_vars): a file NAME,
   * NAME.yml, NAME.yaml or NAME.json, or a folder NAME of such files, in name order.
   */
  const varsFilesRead = new Map<string, Map<string, Value>>();
  const varsFilesIn = (dir: string, folder: string, name: string): Map<string, Value> => {
    // (asked again for every host and play: each folder listed once per walk)
    const key = `${dir}\0${folder}\0${name}`;
    const known = varsFilesRead.get(key);
    if (known) return known;
    const out = new Map<string, Value>();
    varsFilesRead.set(key, out);
    const at = join(dir, folder);
    for (const file of [name, `${name}.yml`, `${name}.yaml`, `${name}.json`]) for (const [k, v] of varsFile(join(at, file)) ?? []) out.set(k, v);
    for (const file of io.listDir(join(at, name)) ?? []) {
      if (/\.(?:ya?ml|json)$/.test(file)) for (const [k, v] of varsFile(join(at, name, file)) ?? []) out.set(k, v);
    }
    return out;
  };

  /** The ansible.cfg that applies to a playbook's folder (the nearest at or above it in the tree), read once. */
  const configs = new Map<string, AnsibleConfig>();
  const configOf = (base: string): AnsibleConfig => {
    let config = configs.get(base);
    if (!config) {
      const text = inTree(join(base, "ansible.cfg")) ? io.readFile(join(base, "ansible.cfg")) : undefined;
      const up = dirname(base);
      config = text !== undefined ? readAnsibleConfig(text, base) : up !== base && inTree(up) ? configOf(up) : { rolesPath: [], inventories: [] };
      configs.set(base, config);
    }
    return config;
  };

  /** The playbook folders whose unread inventory sources were told. */
  const toldInventory = new Set<string>();
  /** The project's inventory for a playbook's folder (see projectInventory), read once. */
  const inventories = new Map<string, ProjectInventory>();
  const inventoryOf = (base: string): ProjectInventory => {
    let found = inventories.get(base);
    if (!found) {
      found = projectInventory(base, configOf(base).inventories, io, inTree, (n, doc) => toValue(n, doc));
      for (const f of found.files) read.set(shownOf(f), found.texts.get(f)!.split("\n"));
      inventories.set(base, found);
    }
    return found;
  };

  /** What the inventory gives a host (its configured facts over it), by playbook folder and host, worked out once per walk. */
  const hostVarsKnown = new Map<string, ReadonlyMap<string, Value>>();
  const hostVars = (base: string, found: ProjectInventory, host: string): ReadonlyMap<string, Value> => {
    const key = `${base}\0${host}`;
    let own = hostVarsKnown.get(key);
    if (!own) {
      const vars = hostVariables(found, host, base, varsFilesIn);
      for (const [k, v] of Object.entries(opts.hostVars?.[host] ?? {})) vars.set(k, v);
      hostVarsKnown.set(key, (own = vars));
    }
    return own;
  };

  /**
   * `groups` and `hostvars` of a playbook folder's inventory, made once per walk; a host's entry in
   * hostvars is worked out when it is first read (a play reads few of an inventory's hosts).
   */
  const inventoryNames = new Map<string, Map<string, Value>>();
  const namesOf = (base: string, found: ProjectInventory): Map<string, Value> => {
    let names = inventoryNames.get(base);
    if (!names) {
      const all: { [host: string]: Value } = emptyNameTable();
      for (const h of found.inventory.hosts) {
        Object.defineProperty(all, h, {
          enumerable: true,
          configurable: true,
          get: () => {
            const value = Object.fromEntries(hostVars(base, found, h));
            Object.defineProperty(all, h, { value, enumerable: true });
            return value;
          },
        });
      }
      names = new Map<string, Value>([["groups", groupsDict(found.inventory)], ["hostvars", all]]);
      inventoryNames.set(base, names);
    }
    return names;
  };

  /**
   * What the inventory gives the hosts of `hosts` (a play's pattern): the variables of its first
   * host when the project's inventory names any (and `groups`, `hostvars` and the play's hosts);
   * else the group_vars of all, then of the single group named, beside the inventory and the playbook.
   */
  const inventoryVars = (base: string, hosts: Value | undefined, pos?: Pos): Map<string, Value> => {
    const found = inventoryOf(base);
    const { inventory } = found;
    if (pos && !toldInventory.has(base)) {
      toldInventory.add(base);
      for (const u of found.unread) say("info", pos, `the inventory ${shownOf(u.path)} is read only up to where Ansible stops reading it: ${u.why}`);
    }
    const pattern = typeof hosts === "string" ? hosts : Array.isArray(hosts) && hosts.every((h) => typeof h === "string") ? (hosts as string[]) : undefined;
    const named = pattern !== undefined && inventory.hosts.length > 0 ? hostsOfPattern(inventory, pattern) : [];
    const magic = new Map<string, Value>(inventory.hosts.length > 0 ? namesOf(base, found) : []);
    if (named.length > 0) {
      const host = opts.host !== undefined && named.includes(opts.host) ? opts.host : named[0]!;
      if (named.length > 1 && pos) {
        const shown = found.files.map(shownOf).join(", ");
        opts.onPlayHosts?.(host, named);
        if (opts.host === undefined) say("info", pos, `read for host ${host}, the first of the ${named.length} hosts ${JSON.stringify(pattern)} names in the inventory (${shown}): its groups' and its own variables`);
      }
      for (const k of ["ansible_play_hosts", "ansible_play_hosts_all", "ansible_play_batch", "play_hosts"]) magic.set(k, named);
      return new Map([...hostVars(base, found, host), ...magic]);
    }
    const single = typeof pattern === "string" && /^[A-Za-z0-9_-]+$/.test(pattern) && pattern !== "all" ? [pattern] : [];
    const out = new Map<string, Value>();
    for (const g of ["all", ...single]) for (const dir of [...found.dirs, base]) for (const [k, v] of varsFilesIn(dir, "group_vars", g)) out.set(k, v);
    return new Map([...out, ...magic]);
  };

  /** A role's folder: roles/NAME beside the playbook, NAME in a folder of ansible.cfg's roles_path, or NAME itself as a path from there. */
  const roleDir = (base: string, name: string): string | undefined => {
    for (const dir of [join(base, "roles", name), ...configOf(base).rolesPath.map((p) => join(p, name)), resolve(base, name)]) {
      if (inTree(dir) && (io.listDir(join(dir, "tasks")) !== undefined || ["main.yml", "main.yaml"].some((f) => io.readFile(join(dir, "tasks", f)) !== undefined))) return dir;
    }
    return undefined;
  };

  /**
   * Runs role `name` (its tasks file `tasksFrom`) with the play's variables `scope`, the
   * parameters it is given and under `when`: first the roles its meta/main.yml depends on, then
   * its tasks, with its defaults below the play's variables and its vars above them. `ran` holds
   * the roles a play has run: one asked again with the same parameters does not run again.
   */
  const runRole = (name: string, tasksFrom: string, params: Map<string, Value>, scope: Vars, when: string[], at: Where, pos: Pos, ran: Set<string>, chain: readonly string[] = []) => {
    const dir = roleDir(at.base, name);
    if (dir === undefined) {
      say("info", pos, `role ${name} is not followed: no roles/${name}/tasks folder beside the playbook in the scanned tree`);
      return;
    }
    const key = `${dir}|${tasksFrom}|${JSON.stringify([...params])}`;
    if (ran.has(key)) return;
    ran.add(key);
    if (chain.includes(dir) || chain.length >= MAX_DEPTH) {
      say("info", pos, `role ${name} is not followed: its dependencies nest deeper than ${MAX_DEPTH} or loop`);
      return;
    }
    const own = roleVarsOf(dir);
    for (const dep of roleDependencies(dir)) {
      const left = undecided(dep.when, withExtras(new Map([...scope, ...dep.params])));
      if (left) runRole(dep.name, "main", dep.params, scope, [...when, ...left], at, pos, ran, [...chain, dir]);
    }
    // (tasks/NAME.yml, else tasks/NAME.yaml: each read once)
    const stem = join(dir, "tasks", tasksFrom.replace(/\.ya?ml$/, ""));
    let file = `${stem}.yml`;
    let got = readTreeFile(file, at.depth);
    if (got === NOT_FOUND) got = readTreeFile((file = `${stem}.yaml`), at.depth);
    if (typeof got === "string") {
      say("info", pos, `role ${name}'s tasks (tasks/${tasksFrom}) are not followed: ${got}`);
      return;
    }
    const vars = new Map([...own.defaults, ...scope, ...own.vars, ...params]);
    runFile(got.source, got.shown, file, vars, when, at.depth + 1, at.base);
  };

  /** A role's defaults and vars (see roleVariables), each file read once per walk. */
  const roleVarsOf = (dir: string) => roleVariables(dir, io, varsFile);

  /** The roles a role's meta/main.yml lists under `dependencies`, with their parameters. */
  const roleDependencies = (dir: string): { name: string; params: Map<string, Value>; when: string[] }[] => {
    const meta = new Map([...(varsFile(join(dir, "meta", "main.yml")) ?? []), ...(varsFile(join(dir, "meta", "main.yaml")) ?? [])]);
    const deps = meta.get("dependencies");
    if (!Array.isArray(deps)) return [];
    return deps.flatMap((d) => {
      const entry = roleEntry(d);
      return entry ? [entry] : [];
    });
  };

  const runFile = (source: string, shownFile: string | undefined, path: string, vars: Vars, when: string[], depth: number, base?: string) => {
    const counter = new LineCounter();
    const docs = parseAllDocuments(source, { ...ANSIBLE_YAML, lineCounter: counter, uniqueKeys: false });
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
      if (base !== undefined) {
        // run as a role's tasks: its variables are given whole
        runList(top.items as Node[], vars, when, { doc, place, path, depth, base });
        continue;
      }
      // A file read on its own: a role's task file (roles/NAME/tasks/...) gets its role's defaults,
      // what the inventory gives every host beside the playbooks the roles/ folder stands with, and
      // its role's vars; any other file its own folder's.
      const role = roleFolderOf(path);
      const home = role ? dirname(dirname(role)) : dirname(path);
      const own = role ? roleVarsOf(role) : { defaults: new Map<string, Value>(), vars: new Map<string, Value>() };
      const scope = new Map([...own.defaults, ...inventoryVars(home, undefined), ...own.vars, ...vars]);
      runList(top.items as Node[], scope, when, { doc, place, path, depth, base: home });
    }
  };

  /**
   * The host's facts the tasks set as they run (set_fact, include_vars): above every variable but
   * a role's parameters. One set under a condition fwlint does not decide holds why not instead.
   */
  const facts = new Map<string, Value>();
  const setFacts = (values: ReadonlyMap<string, Value>, when: readonly string[]) => {
    for (const [k, v] of values) facts.set(k, when.length === 0 ? v : (why(`'${k}' is set only when: ${when.join(" and ")}, which depends on the host`) as unknown as Value));
  };

  /** The first play's hosts, and whether a play for other hosts was told. */
  let playHosts: string | undefined;
  let toldHosts = false;

  const runList = (items: readonly Node[], vars: Vars, when: string[], at: Where) => {
    for (const item of items) {
      if (!isMap(item)) continue;
      const keys = new Map(item.items.map((p) => [scalarText(p.key) ?? "", p] as const));
      const given = keys.has("vars") ? new Map([...vars, ...toValueMap(keys.get("vars")!.value, at.doc)]) : vars;
      const own = withExtras(facts.size > 0 ? new Map([...given, ...facts]) : given);
      // its `when:`: decided by the variables fwlint reads where it can be (a task that loops
      // decides it per item, below), else carried on as an unknown condition
      const whenText = keys.has("when") ? conditionText(keys.get("when")!.value, at.doc) : undefined;
      const perItem = whenText !== undefined && LOOP_KEYS.some((k) => keys.has(k));
      const decided = whenText === undefined || perItem ? undefined : decideWhen(whenText, own);
      if (decided === false) {
        say("info", at.place(keys.get("when")!), `not run: when: ${whenText} is false with the variables fwlint reads`);
        continue;
      }
      const cond = whenText === undefined || perItem || decided === true ? when : [...when, whenText];
      // a play: its tasks in the order Ansible runs them
      if (keys.has("hosts")) {
        // (plays for other hosts are read as this host's too: said once, at the first that differs)
        const hosts = JSON.stringify(toValue(keys.get("hosts")!.value, at.doc));
        if (playHosts === undefined) playHosts = hosts;
        else if (hosts !== playHosts && !toldHosts) {
          toldHosts = true;
          say("info", at.place(keys.get("hosts")!), `this play is for hosts ${hosts}, an earlier one for ${playHosts}: fwlint reads every play as the firewall of one host that all of them configure`);
        }
        // the play's variables: what the inventory gives its hosts, its vars, then its vars_files
        const play = new Map([...vars, ...inventoryVars(at.base, hostsPattern(keys.get("hosts")!.value, at.doc, withExtras(vars)), at.place(keys.get("hosts")!)), ...(keys.has("vars") ? toValueMap(keys.get("vars")!.value, at.doc) : [])]);
        const files = keys.get("vars_files")?.value;
        for (const entry of isSeq(files) ? files.items : []) {
          const written = toValue(entry, at.doc);
          // (a list: the first of its files that is there)
          const names = Array.isArray(written) ? written : [written];
          let found = false;
          for (const n of names) {
            const name = typeof n === "string" ? expand(n, withExtras(play)) : why("not a file name");
            if (typeof name !== "string") continue;
            const fileVars = varsFile(resolve(at.base, name));
            if (!fileVars) continue;
            for (const [k, v] of fileVars) play.set(k, v);
            found = true;
            break;
          }
          if (!found) say("info", at.place(entry as Node), `vars_files entry ${names.map(String).join(" or ")} is not read (not a file of the scanned tree, or a name fwlint cannot compute): a variable it defines is unknown here`);
        }
        // (the extra variables above them all)
        const scope = withExtras(play);
        const ran = new Set<string>();
        const section = (name: string) => {
          const list = keys.get(name)?.value;
          if (isSeq(list)) runList(list.items as Node[], scope, cond, at);
        };
        section("pre_tasks");
        const roles = keys.get("roles")?.value;
        for (const r of isSeq(roles) ? roles.items : []) {
          const entry = roleEntry(toValue(r, at.doc), scope);
          if (!entry) {
            say("info", at.place(r as Node), "a role entry fwlint cannot read (no role name) is not followed");
            continue;
          }
          const roleWhen = undecided(entry.when, withExtras(new Map([...scope, ...entry.params])));
          if (!roleWhen) {
            say("info", at.place(r as Node), `role ${entry.name} not run: when: ${entry.when.join(" and ")} is false with the variables fwlint reads`);
            continue;
          }
          runRole(entry.name, "main", entry.params, scope, [...cond, ...roleWhen], at, at.place(r as Node), ran);
        }
        section("tasks");
        section("post_tasks");
        continue;
      }
      if (keys.has("block")) {
        for (const section of ["block", "always"]) {
          const list = keys.get(section)?.value;
          if (isSeq(list)) runList(list.items as Node[], own, cond, at);
        }
        continue;
      }
      const factTask = keys.get("set_fact") ?? keys.get("ansible.builtin.set_fact");
      if (factTask) {
        // (in a loop the facts are the last item's, which fwlint does not follow: each unknown)
        const loops = LOOP_KEYS.some((k) => keys.has(k));
        const values = loops ? undefined : taskArgs(factTask.value, own, at.doc);
        if (values instanceof Map) setFacts(new Map([...values].filter(([k]) => k !== "cacheable")), cond);
        else for (const k of toValueMap(factTask.value, at.doc).keys()) if (k !== "cacheable") facts.set(k, why(`'${k}' is set by a set_fact fwlint does not compute (${values ? values.why : "in a loop"})`) as unknown as Value);
        continue;
      }
      const varsTask = keys.get("include_vars") ?? keys.get("ansible.builtin.include_vars");
      if (varsTask) {
        const pos = at.place(varsTask);
        const arg = toValue(varsTask.value, at.doc);
        const spec = typeof arg === "string" ? { file: arg } : arg !== null && typeof arg === "object" && !Array.isArray(arg) ? arg : {};
        const name = typeof spec.file === "string" ? expand(spec.file, own) : why("it names no file (a folder, or free-form arguments)");
        // a role's task looks in its role's vars/ first, then beside the task file; a playbook beside itself
        const role = roleFolderOf(at.path);
        let found: Map<string, Value> | undefined;
        if (typeof name === "string") for (const f of [...(role ? [join(role, "vars", name)] : []), resolve(dirname(at.path), name), resolve(at.base, name)]) if ((found = varsFile(f))) break;
        if (!found) {
          say("info", pos, `include_vars is not read: ${typeof name === "string" ? `${name} is not a file of the scanned tree` : name.why}; the variables it defines are unknown here`);
          continue;
        }
        const into = typeof spec.name === "string" ? new Map<string, Value>([[spec.name, Object.fromEntries(found)]]) : found;
        setFacts(into, cond);
        continue;
      }
      const roleTask = keys.get("import_role") ?? keys.get("include_role") ?? keys.get("ansible.builtin.import_role") ?? keys.get("ansible.builtin.include_role");
      if (roleTask) {
        const pos = at.place(roleTask);
        const args = toValue(roleTask.value, at.doc);
        const name = args && typeof args === "object" && !Array.isArray(args) && typeof args.name === "string" ? expand(args.name, own) : why("it names no role");
        const from = args && typeof args === "object" && !Array.isArray(args) && typeof args.tasks_from === "string" ? expand(args.tasks_from, own) : "main";
        if (typeof name !== "string" || typeof from !== "string" || LOOP_KEYS.some((k) => keys.has(k))) {
          say("info", pos, `role task not followed: ${typeof name !== "string" ? name.why : typeof from !== "string" ? from.why : "it runs in a loop"}`);
          continue;
        }
        // (the task's vars are the role's parameters here)
        const params = keys.has("vars") ? toValueMap(keys.get("vars")!.value, at.doc) : new Map<string, Value>();
        runRole(name, from, params, vars, cond, at, pos, new Set());
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
        const got = readTreeFile(path, at.depth);
        if (typeof got === "string") {
          say("info", pos, `tasks imported from ${name} are not followed: ${got}`);
          continue;
        }
        runFile(got.source, got.shown, path, own, cond, at.depth + 1, at.base);
        continue;
      }
      const module = [...keys.keys()].find((k) => modules.has(k));
      if (module !== undefined) runTask(keys, module, own, cond, at, perItem ? whenText : undefined);
    }
  };

  /** `itemWhen`: the task's own `when:`, which Ansible asks of each item of its loop. */
  const runTask = (keys: ReadonlyMap<string, Pair>, module: string, vars: Vars, when: string[], at: Where, itemWhen?: string) => {
    const pair = keys.get(module)!;
    const pos = at.place(pair);
    const loopKey = LOOP_KEYS.find((k) => keys.has(k));
    const loopPair = loopKey === undefined ? undefined : keys.get(loopKey);
    let items: Value[] = [null];
    if (loopPair) {
      // (the loop's value, its Jinja filled in - a list written out may hold "{{ a_list }}" items)
      const written = isScalar(loopPair.value) ? expandValue(scalarText(loopPair.value) ?? "", vars) : fillJinja(toValue(loopPair.value, at.doc), vars);
      const loop = isWhy(written) ? written : loopItems(loopKey!, written);
      if (!Array.isArray(loop)) {
        const reason = isWhy(loop) ? loop.why : typeof loop === "string" ? loop : "";
        say("info", pos, `task skipped: its loop (${scalarText(loopPair.value) ?? "a mapping"}) is not a list fwlint knows${reason !== "" ? ` (${reason})` : ""}`);
        return;
      }
      items = loop;
    }
    // (loop_control's loop_var names the item otherwise)
    const control = keys.has("loop_control") ? toValue(keys.get("loop_control")!.value, at.doc) : null;
    const itemName = control !== null && typeof control === "object" && !Array.isArray(control) && typeof control.loop_var === "string" ? control.loop_var : "item";
    for (const item of items) {
      const scope = !loopPair ? vars : new Map([...vars, [itemName, item]]);
      const decided = itemWhen === undefined ? true : decideWhen(itemWhen, scope);
      if (decided === false) continue;
      const args = taskArgs(pair.value, scope, at.doc);
      if ("why" in args) say("info", pos, `task skipped: ${args.why}`);
      else onTask({ module, args, pos, path: at.path, when: decided === true ? when : [...when, itemWhen!], vars: scope });
    }
  };

  runFile(text, undefined, where, new Map(), [], 0);
  return read;
}

/**
 * A role's defaults and vars: defaults/main.yml (or .yaml), or the files of a defaults/main/ folder
 * in name order; vars/ alike. `varsFile` reads one file of variables (undefined: none there).
 */
export function roleVariables(dir: string, io: IncludeIo, varsFile: (path: string) => ReadonlyMap<string, Value> | undefined): { defaults: Map<string, Value>; vars: Map<string, Value> } {
  const layer = (part: string) => {
    const files = [join(dir, part, "main.yml"), join(dir, part, "main.yaml"), ...(io.listDir(join(dir, part, "main")) ?? []).filter((n) => /\.(?:ya?ml|json)$/.test(n)).map((n) => join(dir, part, "main", n))];
    return new Map(files.flatMap((f) => [...(varsFile(f) ?? [])]));
  };
  return { defaults: layer("defaults"), vars: layer("vars") };
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
        if (isWhy(e)) return e;
        if (e !== OMIT) xs.push(e as Value);
      }
      return xs;
    }
    if (v !== null && typeof v === "object") {
      const o: Record<string, Value> = emptyNameTable();
      for (const [k, x] of Object.entries(v)) {
        const e = fill(x);
        if (isWhy(e)) return e;
        if (e !== OMIT) o[k] = e as Value;
      }
      return o;
    }
    return v;
  };
  const n = isAlias(node) ? node.resolve(doc) : node;
  if (isMap(n)) {
    for (const [key, v] of Object.entries(toValue(n, doc) as Record<string, Value>)) {
      const e = fill(v);
      if (isWhy(e)) return e;
      // (`default(omit)` of an undefined value: the argument is not given)
      if (e !== OMIT) out.set(key, e as Value);
    }
    return out;
  }
  const text = scalarText(n);
  if (text === undefined) return why("the module's arguments are neither a mapping nor key=value text");
  for (const m of text.matchAll(/([A-Za-z_]+)=("([^"]*)"|'([^']*)'|\S+)/g)) {
    const e = fill(m[3] ?? m[4] ?? m[2]!);
    if (isWhy(e)) return e;
    if (e !== OMIT) out.set(m[1]!, e as Value);
  }
  return out;
}

/** A play's `hosts:` - a pattern, or a list of them - its Jinja filled in; undefined when fwlint cannot tell it. */
function hostsPattern(n: unknown, doc: Document, vars: Vars): Value | undefined {
  const v = toValue(n, doc);
  const fill = (x: Value): string | undefined => {
    if (typeof x !== "string") return undefined;
    const e = x.includes("{{") ? expand(x, vars) : x;
    return typeof e === "string" ? e : undefined;
  };
  if (Array.isArray(v)) {
    const out = v.map(fill);
    return out.every((x) => x !== undefined) ? (out as string[]) : undefined;
  }
  return fill(v);
}

function scalarText(n: unknown): string | undefined {
  if (!isScalar(n)) return undefined;
  // (YAML 1.1's merge key `<<` is read as a symbol)
  if (typeof n.value === "symbol") return n.value.description;
  return n.value === null ? "" : String(n.value);
}

/** A YAML node as a plain value: aliases resolved, `<<` merge keys merged (the keys written beside them win). */
function toValue(n: unknown, doc: Document | undefined, depth = 0): Value {
  if (n === null || n === undefined || depth > MAX_DEPTH * 4) return null;
  if (isAlias(n)) return doc ? toValue(n.resolve(doc), doc, depth + 1) : null;
  if (isScalar(n)) return n.value as Value;
  if (isSeq(n)) return n.items.map((x) => toValue(x, doc, depth + 1));
  if (isMap(n)) {
    const out: Record<string, Value> = emptyNameTable();
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
  if (isWhy(v)) return v;
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

/**
 * Ansible's `omit`: a module argument whose value is `{{ x | default(omit) }}` with x undefined is
 * not given at all (taskArgs leaves it out).
 */
const OMIT: Value = Object.freeze({ omit: true }) as Value;

/** The conditions of `whens` that `vars` do not decide; false when one of them is decided false. */
function undecided(whens: readonly string[], vars: Vars): string[] | false {
  const left: string[] = [];
  for (const w of whens) {
    const d = decideWhen(w, vars);
    if (d === false) return false;
    if (d === undefined) left.push(w);
  }
  return left;
}


const NOT_DEFINED = "is not defined where fwlint reads (the project's inventory, group_vars and host_vars, the play's vars and vars_files, the role's defaults, vars and parameters, block and task vars)";

/**
 * One Jinja expression: a variable (`name`, `name.attr`, `name['key']`) and the filters roles
 * use on module arguments - `default(x)` (a literal, another variable, `omit`, `[]`, `{}`;
 * `default(x, true)` also for an empty or false value), `join(sep)`, `list`, `dict2items`, `a + b`
 * (lists, numbers or strings joined) and those of one
 * value (filters.ts: `int`, `string`, `lower`, `upper`, `trim`, `bool`, `length`) - computed as
 * Jinja does; anything else is why not.
 */
export function jinja(expr: string, vars: Vars, depth = 0): Value | { why: string } {
  const notComputed = () => why(`'{{${expr}}}' is a Jinja expression fwlint does not compute`);
  // `a + b`: lists joined, numbers added, strings joined, as Python does
  const terms = splitArgs(expr, "+");
  if (terms.length > 1) {
    const values: Value[] = [];
    for (const t of terms) {
      // (a number or a quoted string, or a variable with its filters)
      const v = /^-?\d+$/.test(t) ? Number(t) : /^'[^']*'$|^"[^"]*"$/.test(t) ? t.slice(1, -1) : jinja(t, vars, depth);
      if (isWhy(v)) return v;
      values.push(v as Value);
    }
    if (values.every(Array.isArray)) return (values as Value[][]).flat(1);
    if (values.every((v) => typeof v === "number")) return (values as number[]).reduce((a, b) => a + b, 0);
    if (values.every((v) => typeof v === "string")) return values.join("");
    return notComputed();
  }
  const head = /^\s*([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*|\.\d+|\[['"][^'"]+['"]\]|\[\d+\]|\[\s*[A-Za-z_][A-Za-z0-9_.]*\s*\])*)\s*/.exec(expr);
  if (!head) return notComputed();
  let v: Value | undefined = vars.get(head[1]!);
  if (isWhy(v)) return v;
  for (const step of head[2]!.match(/\.[A-Za-z_][A-Za-z0-9_]*|\.\d+|\[['"][^'"]+['"]\]|\[\d+\]|\[\s*[A-Za-z_][A-Za-z0-9_.]*\s*\]/g) ?? []) {
    let key: Value;
    // (a list's item by its index: item[0], or Jinja's item.0)
    if (/^(?:\[|\.)\d/.test(step)) key = Number(step.replace(/^[[.]|\]$/g, ""));
    else if (/^\[\s*[A-Za-z_]/.test(step)) {
      // (an item named by a variable's value: hostvars[item], groups[group])
      const k = jinja(step.slice(1, -1), vars, depth + 1);
      if (isWhy(k)) return k;
      if (typeof k !== "string" && typeof k !== "number") return notComputed();
      key = k;
    } else key = step.startsWith(".") ? step.slice(1) : step.slice(2, -2);
    v = itemOf(v, key);
  }
  if (typeof v === "string" && v.includes("{{") && depth < MAX_DEPTH) {
    const e = expandValue(v, vars, depth + 1);
    if (isWhy(e)) return e;
    v = e as Value;
  }
  let rest = expr.slice(head[0].length);
  while (rest.trim() !== "") {
    const f = /^\|\s*([a-z_][a-z0-9_]*)\s*(?:\(((?:'[^']*'|"[^"]*"|[^'"()])*)\))?\s*/.exec(rest);
    if (!f) return notComputed();
    rest = rest.slice(f[0].length);
    const args = f[2] === undefined ? [] : splitArgs(f[2]);
    switch (f[1]) {
      case "d":
      case "default": {
        const orEmpty = args[1] !== undefined && /^(true|True)$/.test(args[1]);
        // (None is a value: only an undefined one takes the default, unless its second argument asks for every false one)
        if (v === undefined || (orEmpty && (v === null || v === "" || v === false || v === 0 || (Array.isArray(v) && v.length === 0)))) {
          const d = jinjaLiteral(args[0] ?? "''", vars, depth);
          if (d === undefined) return notComputed();
          if (isWhy(d)) return d;
          v = d as Value;
        }
        break;
      }
      case "unique":
      case "sort":
      case "first":
      case "last":
      case "flatten":
      case "map":
      case "selectattr":
      case "rejectattr":
      case "union":
      case "difference":
      case "intersect": {
        if (v === undefined || v === null) return why(`'${head[1]}${head[2]}' ${NOT_DEFINED}`);
        if (!Array.isArray(v)) return notComputed();
        const given = filterArguments(args, vars, depth);
        if (given === undefined) return notComputed();
        if (isWhy(given)) return given;
        const r = listFilter(f[1]!, v, given.positional, given.keywords);
        if (r === undefined) return notComputed();
        v = r;
        break;
      }
      case "dict2items": {
        if (v === undefined || v === null) return why(`'${head[1]}${head[2]}' ${NOT_DEFINED}`);
        if (typeof v !== "object" || Array.isArray(v) || v === OMIT) return notComputed();
        v = dictItems(v);
        break;
      }
      case "join":
      case "list": {
        if (v === undefined || v === null) return why(`'${head[1]}${head[2]}' ${NOT_DEFINED}`);
        if (!Array.isArray(v)) return notComputed();
        if (f[1] === "join") {
          const sep = args[0] === undefined ? "" : jinjaLiteral(args[0], vars, depth);
          if (typeof sep !== "string" || v.some((x) => x !== null && typeof x === "object")) return notComputed();
          v = v.map((x) => (x === null ? "" : String(x))).join(sep);
        }
        break;
      }
      default: {
        if (!SCALAR_FILTERS.has(f[1]!) || f[2] !== undefined) return notComputed();
        if (v === undefined || v === null) return why(`'${head[1]}${head[2]}' ${NOT_DEFINED}`);
        if (v === OMIT) return notComputed();
        const r = scalarFilter(f[1]!, v);
        if (r === undefined) return notComputed();
        v = r;
      }
    }
  }
  // (a variable set to None - `x:` or `x: ~` in YAML - is defined: Ansible passes None to a module, and writes it out as nothing)
  if (v === undefined) return why(`'${head[1]}${head[2]}' ${NOT_DEFINED}`);
  return v;
}

/**
 * A list filter's arguments as values: each positional one and each `name=value` keyword (a
 * literal, a list of literals, or a variable's value); a why-not when one is not known, undefined
 * when one is not such an argument.
 */
function filterArguments(args: readonly string[], vars: Vars, depth: number): { positional: Value[]; keywords: Record<string, Value> } | { why: string } | undefined {
  const positional: Value[] = [];
  const keywords: Record<string, Value> = emptyNameTable();
  for (const a of args) {
    const kw = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)\s*([\s\S]*)$/.exec(a);
    const text = (kw ? kw[2]! : a).trim();
    // (a number is Python's int here, not the text a module argument takes)
    const literal = (t: string) => (/^-?\d+$/.test(t.trim()) ? Number(t.trim()) : jinjaLiteral(t, vars, depth));
    const items = /^\[.*\]$/s.test(text) ? splitArgs(text.slice(1, -1)).map(literal) : undefined;
    const v = items ?? literal(text);
    const known = (x: unknown): x is Value => x !== undefined && !(isWhy(x));
    if (Array.isArray(items) && !items.every(known)) return items.find((x) => x !== undefined && !known(x)) as { why: string } | undefined;
    if (!Array.isArray(items) && !known(v)) return v as { why: string } | undefined;
    if (kw) keywords[kw[1]!] = v as Value;
    else positional.push(v as Value);
  }
  return { positional, keywords };
}

/** `text` split at each `sep` outside quotes, parentheses, brackets and braces: the parts as they are. */
export function splitOutside(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0 && text.startsWith(sep, i)) {
      out.push(text.slice(from, i));
      from = i + sep.length;
      i = from - 1;
    }
  }
  out.push(text.slice(from));
  return out;
}

/** A filter's arguments (or an expression's terms), split at `sep` outside quotes and brackets, trimmed; none for an empty text. */
function splitArgs(text: string, sep = ","): string[] {
  const parts = splitOutside(text, sep).map((p) => p.trim());
  return parts.length === 1 && parts[0] === "" ? [] : parts;
}

/** The keys that make a task loop, in the order Ansible would take the first (one per task). */
const LOOP_KEYS = ["loop", "with_items", "with_list", "with_dict", "with_nested", "with_together", "with_subelements"] as const;

/** A YAML value with the Jinja of its strings filled in (a list's and a mapping's too); a why-not for the first that cannot be. */
function fillJinja(v: Value, vars: Vars): Value | { why: string } {
  if (typeof v === "string") return v.includes("{{") ? expandValue(v, vars) : v;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (const x of v) {
      const f = fillJinja(x, vars);
      if (isWhy(f)) return f;
      out.push(f);
    }
    return out;
  }
  if (v !== null && typeof v === "object") {
    const out: { [k: string]: Value } = emptyNameTable();
    for (const [k, x] of Object.entries(v)) {
      const f = fillJinja(x, vars);
      if (isWhy(f)) return f;
      out[k] = f;
    }
    return out;
  }
  return v;
}

/**
 * The items of a loop as Ansible's lookup for `key` makes them of its value: `loop` and
 * `with_list` the list itself; `with_items` the list flattened one level; `with_dict` a mapping's
 * entries ({key, value}); `with_nested` every combination of its lists, each a list; `with_together`
 * its lists zipped (a shorter one's missing items null); `with_subelements` [list, name(, {skip_missing})]
 * each item paired with each element of its `name` list. Else why not (a text).
 */
function loopItems(key: (typeof LOOP_KEYS)[number], v: Value): Value[] | string {
  const asList = (x: Value): Value[] => (Array.isArray(x) ? x : [x]);
  switch (key) {
    case "loop":
    case "with_list":
      return Array.isArray(v) ? v : "not a list";
    case "with_items":
      return Array.isArray(v) ? v.flatMap((x) => (Array.isArray(x) ? x : [x])) : v === null ? [] : [v];
    case "with_dict":
      return v !== null && typeof v === "object" && !Array.isArray(v) ? dictItems(v) : "not a mapping";
    case "with_nested": {
      if (!Array.isArray(v)) return "not a list of lists";
      let out: Value[][] = [[]];
      for (const list of v) {
        out = out.flatMap((head) => asList(list).map((x) => [...head, x]));
        if (out.length > 100_000) return "more than 100000 combinations";
      }
      return v.length === 0 ? [] : out;
    }
    case "with_together": {
      if (!Array.isArray(v)) return "not a list of lists";
      const lists = v.map(asList);
      const n = Math.max(0, ...lists.map((l) => l.length));
      return Array.from({ length: n }, (_x, i) => lists.map((l) => (i < l.length ? l[i]! : null)));
    }
    case "with_subelements": {
      if (!Array.isArray(v) || v.length < 2 || typeof v[1] !== "string") return "not [list, name]";
      const [list, name, flags] = v as [Value, string, Value];
      const skip = flags !== null && typeof flags === "object" && !Array.isArray(flags) && flags.skip_missing === true;
      const out: Value[] = [];
      const path = name.split(".");
      for (const item of asList(list)) {
        if (item === null || typeof item !== "object" || Array.isArray(item)) return "an item of the list is not a mapping";
        // (Ansible takes the list out of the item it pairs: the parent no longer holds it)
        const parent = JSON.parse(JSON.stringify(item)) as { [k: string]: Value };
        let holder: { [k: string]: Value } | undefined = parent;
        for (const k of path.slice(0, -1)) {
          const next: Value | undefined = holder?.[k];
          holder = next !== null && typeof next === "object" && !Array.isArray(next) ? next : undefined;
        }
        const sub = holder?.[path[path.length - 1]!];
        if (sub === undefined) {
          if (skip) continue;
          return `an item has no '${name}'`;
        }
        if (!Array.isArray(sub)) return `'${name}' of an item is not a list`;
        delete holder![path[path.length - 1]!];
        for (const x of sub) out.push([parent, x]);
      }
      return out;
    }
  }
}

/** A mapping's entries as dict2items (and with_dict) give them: `{ key, value }` each, in order. */
function dictItems(v: { [k: string]: Value }): Value[] {
  return Object.entries(v).map(([key, value]) => ({ key, value }));
}

/** A literal of a filter's argument (a string, number, boolean, `omit`, `[]`, `{}`, or a variable's value); undefined when it is none of these. */
function jinjaLiteral(text: string, vars: Vars, depth: number): Value | { why: string } | undefined {
  const t = text.trim();
  if (/^'[^']*'$|^"[^"]*"$/.test(t)) return t.slice(1, -1);
  if (/^-?\d+$/.test(t)) return t;
  if (/^(true|True)$/.test(t)) return true;
  if (/^(false|False)$/.test(t)) return false;
  if (t === "omit") return OMIT;
  if (t === "[]") return [];
  if (t === "{}") return {};
  if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(t)) return jinja(t, vars, depth + 1);
  return undefined;
}

/** The variables of a YAML (or JSON) text whose documents are mappings; later keys win. */
export function yamlMapping(text: string): Map<string, Value> {
  const out = new Map<string, Value>();
  try {
    for (const doc of parseAllDocuments(text, { ...ANSIBLE_YAML, uniqueKeys: false })) {
      if (Array.isArray(doc) || doc.errors.length > 0) continue;
      for (const [k, v] of toValueMap(doc.contents, doc)) out.set(k, v);
    }
  } catch {
    // (a file that is no YAML defines nothing)
  }
  return out;
}

/** Keys of a role entry that are not the role's parameters. */
const ROLE_KEYWORDS = new Set(["role", "name", "vars", "when", "tags", "become", "become_user", "become_method", "delegate_to", "environment", "ignore_errors", "no_log", "any_errors_fatal", "collections", "connection", "check_mode", "diff"]);

/**
 * A play's (or meta dependency's) role entry - a name, or a mapping with `role` (or `name`), its
 * parameters, `vars` and `when` - with its strings filled from `scope`; undefined without a name.
 */
function roleEntry(v: Value, scope: Vars = new Map()): { name: string; params: Map<string, Value>; when: string[] } | undefined {
  if (typeof v === "string") {
    const name = expand(v, scope);
    return typeof name === "string" && name !== "" ? { name, params: new Map(), when: [] } : undefined;
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  const given = typeof v.role === "string" ? v.role : typeof v.name === "string" ? v.name : undefined;
  const name = given === undefined ? undefined : expand(given, scope);
  if (typeof name !== "string" || name === "") return undefined;
  const params = new Map<string, Value>();
  for (const [k, x] of Object.entries(v)) if (!ROLE_KEYWORDS.has(k)) params.set(k, x);
  const vars = v.vars;
  if (vars && typeof vars === "object" && !Array.isArray(vars)) for (const [k, x] of Object.entries(vars)) params.set(k, x);
  const when = v.when === undefined || v.when === null ? [] : [Array.isArray(v.when) ? v.when.map(String).join(" and ") : String(v.when)];
  return { name, params, when };
}

/** The condition a task's rules carry when it runs only `when:` something: unknown, as the host decides it. */
export function whenCondition(when: readonly string[]): Condition {
  return { kind: "unknown", text: `when: ${when.join(" and ")}`, reason: "the task runs only when its condition holds, which depends on the host Ansible runs it on" };
}
