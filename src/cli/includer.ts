/**
 * The file that includes a fragment checked on its own: pre-commit names only the staged files, so
 * an nftables.d/20-mail.nft edited alone comes without the nftables.conf that includes it - and
 * alone it names the includer's chains and `$variables`. Such an includer is looked for beside the
 * fragment: in its folder and the two above, among the files named as nft rulesets are
 * (`*.nft`, `*.conf`, `nftables*`) that say `include`, and the shell scripts (`*.sh`) that load a
 * file with nft (`nft -D WAN=eth0 -f rules.nft`), the first (in name order, nearest folder first)
 * whose ruleset reads the fragment through its includes. A shell script that another sources
 * (`. ./site-rules.sh`: it uses that one's variables) is looked for the same way, among the scripts
 * beside it that source a file.
 *
 * A Capirca / Aerleon include file or naming definitions file (def/NETWORK.net) is read by the
 * policies of the tree: named alone, it is reported with the whole analysis of the first policy
 * (`*.pol`, `*.yaml`, `*.yml` in the folders above it, or two levels below those) that reads it.
 *
 * A file of Ansible variables (group_vars/all.yml, a role's defaults/main.yml, a play's vars file)
 * is read by the playbooks and role task files of the tree that use it: named alone, it is reported
 * with the whole analysis of each such file beside it (found as a Capirca policy is) that reads it.
 *
 * An `ipset save` file (/etc/iptables/ipsets) is read by the iptables ruleset beside it, or in a
 * folder just below it (Arch's /etc/ipset.conf, /etc/iptables/iptables.rules): named alone, it is
 * reported with the whole analysis of the first such ruleset that reads it (a set decides what
 * rules elsewhere let in), and as a file no ruleset reads when none does.
 */
import { readdir } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { analyzeFile, type AnalyzedFile, type CheckOptions } from "../engine/check.js";
import { readConfigFile } from "./files.js";
import { looksLikeIpsetSave } from "../../parsers/ipset/save.js";
import { namesIpsets } from "../../parsers/ipset/beside.js";
import { detectAnsibleTemplate } from "../../parsers/ansible-template/detect.js";
import { detectAnsibleIptables } from "../../parsers/ansible-iptables/detect.js";
import { detectAnsibleUfw } from "../../parsers/ansible-ufw/detect.js";
import { isInventoryFile, readAnsibleConfig, roleFolderOf } from "../../parsers/ansible/layout.js";
import type { Finding } from "../model/finding.js";
import type { Ruleset } from "../model/types.js";
import { nameTable } from "../model/name-table.js";

/** How many folders up from the fragment's own an includer is looked for. */
const FOLDERS_UP = 2;
const INCLUDER_NAME = /(\.nft|\.conf)$|^nftables/;
/** A Capirca / Aerleon policy's name, and its text: a .pol header, or a YAML policy's filters. */
const POLICY_NAME = /\.(pol|ya?ml)$/;
const POLICY_TEXT = /^[ \t]*header[ \t]*\{|^filters:/m;
/** Policies (or playbooks) read at most while looking for those that read a fragment. */
const MAX_POLICY_CANDIDATES = 200;
/** An Ansible playbook's or task file's name. */
const PLAYBOOK_NAME = /\.ya?ml$/;
/** A Jinja template's name (an Ansible project's templates/ folder). */
const TEMPLATE_NAME = /\.j2$/;
/** A play that runs roles (its `roles:`, or a task that imports or includes one). */
const ROLES_PLAY = /^[ \t]*(?:-[ \t]+)?(?:roles:|(?:ansible\.builtin\.)?(?:import|include)_role:)/m;

/**
 * A file of Ansible variables by where it stands - in group_vars/ or host_vars/ (a file, or a
 * group's folder of files), a play's vars/ folder, a role's defaults/, vars/ or meta/ - and by its
 * name (YAML or JSON, or no extension as group_vars files may have).
 */
const ANSIBLE_VARIABLES = /(^|\/)(group_vars|host_vars|vars|defaults|meta)\/([^/]+\/)?([^/.]+|[^/]+\.(ya?ml|json))$/;

/** How the formats a playbook is read as when its content names none are recognised in the files it reads. */
const FORMAT_OF_READ: Readonly<Record<string, (text: string) => boolean>> = nameTable({ "ansible-iptables": detectAnsibleIptables, "ansible-ufw": detectAnsibleUfw });

/** A file that may read a fragment, and the format to read it as when its content does not name it. */
interface Candidate {
  path: string;
  text: string;
  format?: string;
}

const SCRIPT_NAME = /\.sh$/;
/** A script that may load a file with nft (`nft -f FILE`, `$NFT --file FILE`). */
const LOADS_FILE = /\s(-f|--file)[\s=]/;
/** A script that may source another (`. ./site-rules.sh`, `source "$DIR/fw.conf"`). */
const SOURCES_FILE = /(^|[;&|({]|\s)(\.|source)\s+["'$\w./]/m;
/** The shell script readers: a fragment of theirs (a file another script sources) is looked for in scripts beside it. */
export const SCRIPT_FORMATS: ReadonlySet<string> = new Set(["iptables-script", "nft-script", "ufw-script"]);

/**
 * Looks for includers across one run: folders are listed, candidates read and analysed once
 * however many of the run's fragments ask (five staged fragments of one nftables.conf: one
 * analysis of it). An analysis is kept per candidate and the options it was made with (a
 * fragment's own: its configuration's interfaces, intent and rules).
 */
export class IncluderSearch {
  private readonly listings = new Map<string, Promise<string[]>>();
  private readonly texts = new Map<string, Promise<string | undefined>>();
  private readonly analyses = new Map<string, Promise<AnalyzedFile>>();

  /** `keepModels`: analyses keep their ruleset (trace goes on from it); check lets them go. */
  constructor(
    private readonly maxFileBytes: number,
    private readonly keepModels = false,
  ) {}

  /**
   * The includer of `fragment` (as named on the command line), with its analysis; undefined when
   * none is found. `ipset`: the fragment is an ipset save file, and the includer an iptables
   * ruleset that reads it (ipsetReaders).
   */
  async find(fragment: string, options: CheckOptions, ipset = false, sourced = false): Promise<{ path: string; result: AnalyzedFile } | undefined> {
    for await (const found of this.readers(fragment, options, ipset ? this.ipsetReaders(fragment) : this.candidates(fragment, sourced))) return found;
    return undefined;
  }

  /**
   * The `candidates` whose analysis (made once per candidate and options) reads `fragment` through
   * its includes, in their order.
   */
  private async *readers(fragment: string, options: CheckOptions, candidates: AsyncGenerator<Candidate>): AsyncGenerator<{ path: string; result: AnalyzedFile }> {
    const target = resolve(fragment);
    const { scanRoot: _fragments, ...own } = options;
    const optionsKey = JSON.stringify(own, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    for await (const { path: shown, text, format } of candidates) {
      const key = `${shown}\u0000${format ?? ""}\u0000${optionsKey}`;
      let analysis = this.analyses.get(key);
      if (!analysis) this.analyses.set(key, (analysis = analyzed(shown, text, format !== undefined ? { ...own, inputFormat: format } : own, this.keepModels)));
      const result = await analysis;
      if (!result.includes?.includes(target)) continue;
      // (read as a format its content does not name - a playbook that only runs roles -: where a
      // file it reads is of that format, a role's tasks of that module)
      if (format !== undefined && !(result.fatal === undefined && (await this.readsFormat(result.includes, format)))) continue;
      yield { path: shown, result };
    }
  }

  /** Does one of `files` (absolute paths) read as `format` on its own (see FORMAT_OF_READ)? */
  private async readsFormat(files: readonly string[], format: string): Promise<boolean> {
    const detect = FORMAT_OF_READ[format];
    if (!detect) return false;
    for (const f of files) {
      const text = await this.text(f);
      if (text !== undefined && detect(text)) return true;
    }
    return false;
  }

  /**
   * The files that may include `fragment`, nearest folder first (named as `fragment` is: absolute
   * or relative to the working folder), with their text. diff asks them of a fragment deleted
   * from the working tree, which only their versions at the base revision include.
   */
  async *candidates(fragment: string, sourced = false): AsyncGenerator<{ path: string; text: string }> {
    const target = resolve(fragment);
    let dir = dirname(target);
    for (let up = 0; up <= FOLDERS_UP; up++) {
      for (const name of await this.listing(dir)) {
        const path = join(dir, name);
        const script = SCRIPT_NAME.test(name);
        // (a file a script sources: only the scripts beside it that source one)
        if (path === target || !(sourced ? script : INCLUDER_NAME.test(name) || script)) continue;
        const text = await this.text(path);
        if (text === undefined || !(script ? (!sourced && text.includes("nft") && LOADS_FILE.test(text)) || SOURCES_FILE.test(text) : text.includes("include"))) continue;
        yield { path: isAbsolute(fragment) ? path : relative(process.cwd(), path), text };
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }

  /**
   * The files that may read the ipset save file `fragment`: in its folder, then in the folders just
   * below it (name order), those whose text names an ipset (`--match-set`, or the old `--set`).
   */
  async *ipsetReaders(fragment: string): AsyncGenerator<{ path: string; text: string }> {
    const target = resolve(fragment);
    const dir = dirname(target);
    const folders = [dir]; // and the folders just below it, found as it is listed
    for (let i = 0; i < folders.length; i++) {
      const folder = folders[i]!;
      for (const name of await this.listing(folder)) {
        const path = join(folder, name);
        if (path === target) continue;
        const text = await this.text(path);
        if (text === undefined) {
          if (i === 0 && (await this.listing(path)).length > 0) folders.push(path); // (a folder)
          continue;
        }
        if (!namesIpsets(text)) continue;
        yield { path: isAbsolute(fragment) ? path : relative(process.cwd(), path), text };
      }
    }
  }

  /**
   * Every Capirca / Aerleon policy beside `fragment` (policyReaders) that reads it, with its
   * analysis, nearest first: a definitions file's names reach every policy that uses them.
   */
  async findPolicies(fragment: string, options: CheckOptions): Promise<{ path: string; result: AnalyzedFile }[]> {
    return this.allReaders(fragment, options, this.policyReaders(fragment));
  }

  /**
   * Every Ansible playbook or task file beside the variables file `fragment` (found as policies
   * are) that reads it, with its analysis, nearest first.
   */
  async findPlaybooks(fragment: string, options: CheckOptions, formats: readonly string[] = [...ANSIBLE_FORMATS]): Promise<{ path: string; result: AnalyzedFile }[]> {
    return this.allReaders(
      fragment,
      options,
      // a playbook whose own tasks use a module is recognised by them; one that only runs roles
      // (the usual site.yml) is read as each Ansible format asked for
      this.besideReaders(fragment, PLAYBOOK_NAME, (text) => (detectAnsibleIptables(text) || detectAnsibleUfw(text) ? [undefined] : ROLES_PLAY.test(text) ? formats : [])),
    );
  }

  /**
   * Every template of a firewall file in the Ansible project around `fragment` (a variables file,
   * a playbook or a role's task file) whose rendering reads it, with its analysis: the
   * templates/ folder of the project and of each of its roles - in roles/ and in the folders of
   * its ansible.cfg's roles_path - (and two levels below them), the project being the nearest
   * folder at or above the fragment's (up to FOLDERS_UP + 1) that holds roles/, templates/ or an
   * ansible.cfg.
   */
  async findTemplates(fragment: string, options: CheckOptions): Promise<{ path: string; result: AnalyzedFile }[]> {
    return this.allReaders(fragment, options, this.templateReaders(fragment));
  }

  /**
   * What reads a file of an Ansible project (see mayBeAnsibleInput): a variables file's playbooks
   * beside it (findPlaybooks), and every file's templates rendered with it or including it
   * (findTemplates).
   */
  async findAnsibleReaders(fragment: string, options: CheckOptions): Promise<{ playbooks: { path: string; result: AnalyzedFile }[]; templates: { path: string; result: AnalyzedFile }[] }> {
    const playbooks = ANSIBLE_VARIABLES.test(fragment) || isInventoryFile(fragment) ? await this.findPlaybooks(fragment, options) : [];
    return { playbooks, templates: await this.findTemplates(fragment, options) };
  }

  private async *templateReaders(fragment: string): AsyncGenerator<Candidate> {
    let dir: string | undefined = dirname(resolve(fragment));
    let names: string[] = [];
    for (let up = 0; dir !== undefined && up <= FOLDERS_UP + 1; up++) {
      names = await this.listing(dir);
      if (names.includes("roles") || names.includes("templates") || names.includes("ansible.cfg")) break;
      const parent: string = dirname(dir);
      dir = parent === dir || up === FOLDERS_UP + 1 ? undefined : parent;
    }
    if (dir === undefined) return;
    // (the roles beside the project, and those in the folders of its ansible.cfg's roles_path)
    const cfg = names.includes("ansible.cfg") ? await this.text(join(dir, "ansible.cfg")) : undefined;
    const rolesFolders = [...new Set([join(dir, "roles"), ...(cfg !== undefined ? readAnsibleConfig(cfg, dir).rolesPath : [])])];
    const folders: string[] = [join(dir, "templates")];
    for (const roles of rolesFolders) for (const role of await this.listing(roles)) folders.push(join(roles, role, "templates"));
    let seen = 0;
    for (const top of folders) {
      const queue: [string, number][] = [[top, 0]];
      for (let i = 0; i < queue.length && seen < MAX_POLICY_CANDIDATES; i++) {
        const [folder, depth] = queue[i]!;
        for (const name of await this.listing(folder)) {
          const path = join(folder, name);
          if (!TEMPLATE_NAME.test(name)) {
            if (depth < 2 && !name.startsWith(".")) queue.push([path, depth + 1]);
            continue;
          }
          const text = await this.text(path);
          if (text === undefined || !detectAnsibleTemplate(text)) continue;
          seen++;
          yield { path: isAbsolute(fragment) ? path : relative(process.cwd(), path), text };
        }
      }
    }
  }

  private async allReaders(fragment: string, options: CheckOptions, candidates: AsyncGenerator<Candidate>): Promise<{ path: string; result: AnalyzedFile }[]> {
    const out: { path: string; result: AnalyzedFile }[] = [];
    for await (const found of this.readers(fragment, options, candidates)) out.push(found);
    return out;
  }

  /** The Capirca / Aerleon policies that may read the include or definitions file `fragment` (see besideReaders): those whose text has a header. */
  policyReaders(fragment: string): AsyncGenerator<Candidate> {
    return this.besideReaders(fragment, POLICY_NAME, (text) => (POLICY_TEXT.test(text) ? [undefined] : []));
  }

  /**
   * The files named so (`name`) that may read `fragment`, each as the formats `readAs` gives for
   * its text (undefined: the format its content names; none: not a candidate): in each folder from
   * its own up FOLDERS_UP + 1 (a def/ folder's policies are in a sibling tree, a role's playbook
   * two folders above its defaults/), then two levels below it, nearest first.
   */
  private async *besideReaders(fragment: string, fileName: RegExp, readAs: (text: string) => readonly (string | undefined)[]): AsyncGenerator<Candidate> {
    const target = resolve(fragment);
    const seen = new Set<string>();
    let dir = dirname(target);
    for (let up = 0; up <= FOLDERS_UP + 1; up++) {
      const folders: [string, number][] = [[dir, 0]];
      for (let i = 0; i < folders.length && seen.size < MAX_POLICY_CANDIDATES; i++) {
        const [folder, depth] = folders[i]!;
        for (const name of await this.listing(folder)) {
          const path = join(folder, name);
          if (path === target || seen.has(path)) continue;
          if (!fileName.test(name)) {
            if (depth < 2 && !name.startsWith(".") && name !== "node_modules" && (await this.listing(path)).length > 0) folders.push([path, depth + 1]);
            continue;
          }
          seen.add(path);
          const text = await this.text(path);
          if (text === undefined) continue;
          for (const format of readAs(text)) yield { path: isAbsolute(fragment) ? path : relative(process.cwd(), path), text, ...(format !== undefined ? { format } : {}) };
        }
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }

  private listing(dir: string): Promise<string[]> {
    let names = this.listings.get(dir);
    if (!names) this.listings.set(dir, (names = readdir(dir).then((n) => n.sort(), () => [])));
    return names;
  }

  /** The text of a file as named (relative to the working folder, or absolute); undefined when it cannot be read. */
  textOf(path: string): Promise<string | undefined> {
    return this.text(resolve(path));
  }

  private text(path: string): Promise<string | undefined> {
    let text = this.texts.get(path);
    if (!text) this.texts.set(path, (text = readConfigFile(path, this.maxFileBytes).then((r) => (r.ok ? r.text : undefined))));
    return text;
  }
}

/**
 * How a file of a run is read: on its own; as part of a file of the run that includes it (a
 * fragment that cannot stand alone: its rules are analysed there); or, named without its
 * includer, as its part of the includer found beside it (partIn).
 */
export type Reading =
  | { kind: "alone" }
  /** `via`: how the file is part of the includer (an ipset save file its rules read, a file it sources, an nft include). */
  | { kind: "included"; includer: string; via: PartOf }
  /**
   * `format`: the fragment's own (nft, ipset for an ipset save file, the sourcing script's for a
   * file it sources). `also`: the other files that read it (a definitions file's other policies),
   * each with its own findings in `each` (part holds them all).
   */
  | { kind: "found"; includer: string; format: string; via: PartOf; part: ReturnType<typeof partIn>; ruleset?: Ruleset; also?: string[]; each?: { path: string; findings: Finding[] }[] }
  /** A file that matters only as part of another, and no file beside it reads it (an ipset save file): nothing to analyse. */
  | { kind: "aside"; format: string; note: string };

/**
 * How a file is part of another: an ipset save file whose sets it reads, a file a script sources,
 * one an nft ruleset includes, a Capirca include or definitions file a policy reads, a file of
 * variables an Ansible playbook reads, or a role's task file a playbook runs.
 */
export type PartOf = "ipset" | "sourced" | "included" | "policy" | "variables" | "tasks" | "rendered";

/**
 * The readings of one run's files (check, baseline, review): which includes which, and a search
 * made on first need. With `keepModels` (review: its packet tracer and exposure map go on from
 * the model) a fragment found with its includer carries the includer's ruleset.
 */
export class RunReadings {
  private readonly includers: Map<string, string>;
  /** Each file's format, as read on its own: an includer that is a shell script sources its files. */
  private readonly formats: Map<string, string>;
  private search?: IncluderSearch;

  constructor(
    files: readonly { path: string; includes: readonly string[]; format?: string }[],
    private readonly maxFileBytes: number,
    private readonly forcedFormat?: string,
    private readonly keepModels = false,
  ) {
    this.includers = includersAmong(files);
    this.formats = new Map(files.map((f) => [f.path, f.format ?? ""]));
  }

  async of(path: string, explicit: boolean, result: AnalyzedFile, options: CheckOptions): Promise<Reading> {
    // (a script another sources runs in that one's shell, whether or not it reads well alone: a
    // file of functions the other calls, say)
    // (a role's task file reads alone, but no host runs it so: a playbook's play runs it)
    const roleTasks = isRoleTasks(path, result);
    if (!isFragment(result) && !SCRIPT_FORMATS.has(result.file.format) && !roleTasks) return { kind: "alone" };
    const includer = this.includers.get(path);
    this.search ??= new IncluderSearch(this.maxFileBytes, this.keepModels);
    // (a file no reader recognises: its text says whether it is an ipset save file - whatever its
    // name: a script restores its sets from the file it names -, or a script's settings)
    const unrecognised = this.forcedFormat === undefined && result.fatal !== undefined && result.file.format === "unknown";
    const text = unrecognised ? await this.search.textOf(path) : undefined;
    const ipset = text !== undefined && looksLikeIpsetSave(text);
    if (includer !== undefined) {
      const by = this.formats.get(includer) ?? "";
      return { kind: "included", includer, via: ipset ? "ipset" : SCRIPT_FORMATS.has(by) ? "sourced" : by === "capirca" ? "policy" : ANSIBLE_FORMATS.has(by) ? (roleTasks ? "tasks" : "variables") : by === TEMPLATE_FORMAT && !TEMPLATE_NAME.test(path) ? "rendered" : "included" };
    }
    if (roleTasks) {
      // named without the playbook that runs the role (pre-commit names the staged task file), or
      // in a folder whose playbook only names roles (no reader claims it): its part of the first
      // playbook beside it that runs it, as an nft include's of its includer
      const found = (await this.search.findPlaybooks(path, options, [result.file.format])).find((f) => !isRoleTasks(f.path, f.result));
      if (!found) return { kind: "alone" };
      return { kind: "found", includer: found.path, format: result.file.format, via: "tasks", part: partIn(found.result, path), ...(found.result.ruleset ? { ruleset: found.result.ruleset } : {}) };
    }
    if (!explicit) return { kind: "alone" };
    const nft = mayBeNftFragment(path, result, this.forcedFormat);
    if (!nft && isPolicyFragment(result)) return this.readersOf(path, options, "policy");
    if (mayBeAnsibleInput(path, result, this.forcedFormat)) {
      const reading = await this.readersOf(path, options, "variables");
      if (reading.kind === "found") return reading;
    }
    const sourced = !nft && !ipset && mayBeSourced(result, this.forcedFormat, text);
    if (!ipset && !sourced && !nft) return { kind: "alone" };
    // named without its includer (pre-commit names only the staged files): look for it beside it
    const found = await this.search.find(path, options, ipset, sourced);
    if (!found) return ipset ? { kind: "aside", format: "ipset", note: "an ipset save file that no iptables ruleset beside it reads (in its folder or one just below): nothing to check on its own" } : { kind: "alone" };
    // an ipset file's part is the whole ruleset's: what it holds decides what the rules elsewhere let in
    const part = ipset ? { findings: found.result.findings, diagnostics: found.result.file.diagnostics } : partIn(found.result, path);
    const format = ipset ? "ipset" : sourced ? found.result.file.format : "nft";
    return { kind: "found", includer: found.path, format, via: ipset ? "ipset" : sourced ? "sourced" : "included", part, ...(found.result.ruleset ? { ruleset: found.result.ruleset } : {}) };
  }

  /**
   * A Capirca include or definitions file named without the policies that read it, or an Ansible
   * variables file without its playbooks: its part is every such reader's whole analysis (findings
   * stand at the policies' terms, the playbooks' tasks), each told once.
   */
  private async readersOf(path: string, options: CheckOptions, via: "policy" | "variables" | "rendered" | "included"): Promise<Reading> {
    // (an Ansible project's variables are read by its playbooks' tasks and by the templates its tasks render)
    const ansible = via === "policy" ? undefined : await this.search!.findAnsibleReaders(path, options);
    const found = ansible ? [...ansible.playbooks, ...ansible.templates] : await this.search!.findPolicies(path, options);
    if (found.length === 0) return { kind: "alone" };
    // (a template another includes is part of it as an nft include is)
    if (via === "variables" && found.every((f) => f.result.file.format === TEMPLATE_FORMAT)) via = TEMPLATE_NAME.test(path) ? "included" : "rendered";
    const seen = new Set<string>();
    const diagnostics = found.flatMap((f) => f.result.file.diagnostics).filter((d) => {
      const k = `${d.file}:${d.line}:${d.column}:${d.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const part = { findings: found.flatMap((f) => f.result.findings), diagnostics };
    const [first, ...rest] = found;
    return {
      kind: "found",
      includer: first!.path,
      format: first!.result.file.format,
      via,
      part,
      ...(first!.result.ruleset ? { ruleset: first!.result.ruleset } : {}),
      ...(rest.length > 0 ? { also: rest.map((f) => f.path), each: found.map((f) => ({ path: f.path, findings: f.result.findings })) } : {}),
    };
  }
}

/** A candidate's analysis, its model let go unless kept (check reads only findings, diagnostics and includes). */
async function analyzed(path: string, text: string, options: CheckOptions, keepModel: boolean): Promise<AnalyzedFile> {
  const result = await analyzeFile(path, text, options);
  if (!keepModel) delete result.ruleset;
  return result;
}

/** The part of an includer's analysis that lies in `fragment`: its findings and diagnostics there. */
function partIn(result: AnalyzedFile, fragment: string): Pick<AnalyzedFile, "findings"> & { diagnostics: AnalyzedFile["file"]["diagnostics"] } {
  const target = resolve(fragment);
  return {
    findings: result.findings.filter((f) => resolve(f.location.file) === target),
    diagnostics: result.file.diagnostics.filter((d) => resolve(d.file) === target),
  };
}

/**
 * A file that cannot be read on its own: it fails, or names what only a file including it defines
 * (an nft fragment's chains, tables, `$variables`).
 */
export function isFragment(result: Pick<AnalyzedFile, "fatal" | "file">): boolean {
  return result.fatal !== undefined || result.file.diagnostics.some((d) => d.unresolved === true);
}

/** A Capirca / Aerleon include or naming definitions file: read by the policies that use it. */
export function isPolicyFragment(result: Pick<AnalyzedFile, "fatal" | "file">): boolean {
  return result.file.format === "capirca" && result.fatal === undefined && isFragment(result);
}

/** The Ansible readers: a file of variables their playbooks read is read as part of them. */
const ANSIBLE_FORMATS: ReadonlySet<string> = new Set(["ansible-iptables", "ansible-ufw"]);

/** A role's task file (roles/NAME/tasks/...) read as Ansible tasks. */
export function isRoleTasks(path: string, result: Pick<AnalyzedFile, "fatal" | "file">): boolean {
  return result.fatal === undefined && ANSIBLE_FORMATS.has(result.file.format) && roleFolderOf(path) !== undefined;
}

/** The format of Jinja templates of firewall files (parsers/ansible-template). */
const TEMPLATE_FORMAT = "ansible-template";

/**
 * A file no reader recognises that an Ansible project reads: one where Ansible keeps variables
 * (ANSIBLE_VARIABLES), a file of its inventory (isInventoryFile), a playbook or task file (the role parameters and play vars of site.yml, a
 * role's task file that writes a template), or a template another includes - the playbooks and
 * templates that read it are worth looking for (findAnsibleReaders). Not with a format forced on
 * the command line.
 */
export function mayBeAnsibleInput(path: string, result: { fatal?: string; file: { format: string } }, forcedFormat?: string): boolean {
  return forcedFormat === undefined && result.fatal !== undefined && result.file.format === "unknown" && (ANSIBLE_VARIABLES.test(path) || isInventoryFile(path) || PLAYBOOK_NAME.test(path) || TEMPLATE_NAME.test(path));
}

/**
 * True when `path`'s includer is worth looking for: it was read as nft, or no reader recognised it
 * and its name says nft (a fragment of rules alone - `tcp dport 25 accept` - is no ruleset on its
 * own). Not with a format forced on the command line.
 */
export function mayBeNftFragment(path: string, result: { fatal?: string; file: { format: string } }, forcedFormat?: string): boolean {
  if (result.file.format === "nft") return true;
  return forcedFormat === undefined && result.fatal !== undefined && result.file.format === "unknown" && /\.nft$/.test(path);
}

/**
 * Shell settings or functions: an assignment (`WAN=eth0`, `export PORTS="22 80"`, `A[1]=x`) or a
 * function definition at a line's start.
 */
const SHELL_SETTINGS = /^[ \t]*(?:(?:export|readonly|declare|typeset|local)[ \t]+(?:-[A-Za-z]+[ \t]+)*)?[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]\n]*\])?\+?=|^[ \t]*(?:function[ \t]+[A-Za-z_][\w-]*|[A-Za-z_][\w-]*[ \t]*\(\))/m;

/**
 * True when a file may be one a shell script sources (`. ./fw.conf`): read as a script, or no
 * reader recognised it and its text (`text`) reads as shell settings (`WAN=eth0` alone is no
 * ruleset) - not notes, JSON or anything else a hook hands over. Not with a format forced on the
 * command line.
 */
export function mayBeSourced(result: { fatal?: string; file: { format: string } }, forcedFormat?: string, text?: string): boolean {
  if (SCRIPT_FORMATS.has(result.file.format)) return true;
  return forcedFormat === undefined && result.fatal !== undefined && result.file.format === "unknown" && text !== undefined && SHELL_SETTINGS.test(text);
}

/**
 * For each file (as named) that another of `files` includes, the first such includer. `includes`
 * are the files a ruleset read through its includes (absolute paths); named paths are resolved
 * from `cwd`. Two files that include each other (a cycle, which the loader refuses) are both read
 * on their own.
 */
export function includersAmong(files: readonly { path: string; includes: readonly string[] }[], cwd: string = process.cwd()): Map<string, string> {
  const byAbs = new Map(files.map((f) => [resolve(cwd, f.path), f]));
  const includedBy = (f: { includes: readonly string[] }, abs: string) => f.includes.includes(abs);
  const out = new Map<string, string>();
  for (const f of files) {
    const abs = resolve(cwd, f.path);
    for (const inc of f.includes) {
      const g = byAbs.get(inc);
      if (!g || g === f || out.has(g.path) || includedBy(g, abs)) continue;
      out.set(g.path, f.path);
    }
  }
  // the top reader: a file read as part of another that reads the fragment too (a role's task file
  // and the playbook that runs it both read group_vars/all.yml) gives way to that one
  for (const [g, f] of out) {
    const abs = resolve(cwd, g);
    let top = f;
    const seen = new Set([g, f]);
    for (let up = out.get(top); up !== undefined && !seen.has(up) && byAbs.get(resolve(cwd, up))?.includes.includes(abs); up = out.get(up)) {
      seen.add(up);
      top = up;
    }
    out.set(g, top);
  }
  return out;
}

/**
 * The findings not reported yet, marked reported: what tells two apart is the rule, where it
 * points, and what it says. An includer's analysis and a fragment's own may make the same finding;
 * it is reported once.
 */
export function notReportedYet(reported: Set<string>, findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => {
    const key = `${f.ruleId}\u0000${f.location.file}:${f.location.line}:${f.location.column}\u0000${f.message}`;
    if (reported.has(key)) return false;
    reported.add(key);
    return true;
  });
}
