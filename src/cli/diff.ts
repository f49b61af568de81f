/**
 * `fwlint diff OLD NEW` and `fwlint diff --base REF [PATH...]`: what a change to a ruleset opens and
 * closes (exactly, on the packet-set algebra), and which findings it adds or resolves.
 *
 * With --base, each firewall file in PATH (default: the files git tracks under the current folder
 * that fwlint reads) is compared in the working tree against its content at REF, read with
 * `git show REF:path` (git run with execFile, no shell, nothing checked out). A file absent at REF is
 * new: everything it accepts is opened. A tracked file deleted from the working tree closes everything
 * it accepted.
 *
 * Exit status: 1 when something is opened or a new finding is at or above --fail-on (default high);
 * 0 otherwise; 2 on usage errors, unreadable files, files that could not be parsed, git errors.
 */
import { execFile } from "node:child_process";
import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { diffFindings, diffRulesets, findingKey, type DiffRegion } from "../analysis/diff.js";
import { analyzeFile, analyzeText, knownFormats, loadFormats, type AnalyzedFile, type CheckOptions } from "../engine/check.js";
import { SEVERITIES, severityRank, type Finding, type Severity } from "../model/finding.js";
import type { Ruleset } from "../model/types.js";
import { sanitize } from "../report/sanitize.js";
import { failOnOption, maxFileSizeOption, parseArgs, quoted, UsageError, type OptionSpec, parseCommandArgs } from "./args.js";
import { decodeConfig, expandPaths, MAX_FILE_BYTES, readConfigFile, STDIN_PATH } from "./files.js";
import type { CliIo } from "./io.js";
import { gitTreeIo, treeBlobs } from "./git-tree.js";
import { BlobReader } from "./git-blobs.js";
import { IncluderSearch, includersAmong, isFragment, isPolicyFragment, isRoleTasks, mayBeAnsibleInput, mayBeNftFragment, mayBeSourced, SCRIPT_FORMATS } from "./includer.js";
import { diskIo, type IncludeIo } from "../../parsers/file-io.js";
import { portsText } from "../model/ports.js";

const COMMAND = "fwlint diff";
const OUTPUT_FORMATS = ["text", "json"] as const;

const SPECS: OptionSpec[] = [
  { name: "format", value: true },
  { name: "fail-on", value: true },
  { name: "base", value: true },
  { name: "input-format", value: true },
  { name: "max-file-size", value: true },
  { name: "help", value: false, short: "h" },
];

export function diffUsage(): string {
  return `Usage: fwlint diff [options] OLD NEW
       fwlint diff [options] --base REF [PATH...]

Compare two versions of a firewall ruleset: the traffic the new version accepts that the old one did
not (opened), the reverse (closed), and the findings the change adds or resolves. OLD and NEW may be
in different formats. With --base, every firewall file in PATH (default: the files git tracks under
the current folder that fwlint reads) is compared with its content at the git revision REF; a file
absent at REF is new, so everything it accepts is opened. OLD or NEW '-' reads standard input:
  sudo iptables-save | fwlint diff rules.v4 -     (what the live firewall opens that the file does not)

Options:
  --format text|json      output format (default: text)
  --fail-on SEVERITY      exit 1 when a new finding is at least this severe: ${SEVERITIES.join(", ")}, or none
                          (default: high); anything opened always exits 1
  --base REF              compare the working tree with the git revision REF
  --input-format NAME     read every file as NAME instead of detecting the format
                          (${knownFormats().join(", ")})
  --max-file-size SIZE    read files up to SIZE (default 10M; K, M, G: e.g. 50M)
  -h, --help              show this help

Exit status: 0 nothing opened and no new finding at or above --fail-on; 1 otherwise; 2 usage error,
unreadable file, a file that could not be parsed, or a git error.
`;
}

interface DiffArgs {
  format: "text" | "json";
  failOn: Severity | "none";
  base?: string;
  inputFormat?: string;
  /** --max-file-size: the largest file read, in bytes. */
  maxFileBytes: number;
  paths: string[];
  help: boolean;
}


export function parseDiffArgs(argv: readonly string[]): DiffArgs {
  const { options, positionals } = parseArgs(argv, SPECS, COMMAND);
  const str = (name: string): string | undefined => {
    const v = options.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const help = options.has("help");
  const format = str("format") ?? "text";
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`${COMMAND}: unknown --format ${quoted(format)} (expected ${OUTPUT_FORMATS.join(" or ")})`);
  }
  const failOn = failOnOption(COMMAND, str("fail-on"));
  const inputFormat = str("input-format");
  if (inputFormat !== undefined && !knownFormats().includes(inputFormat)) {
    throw new UsageError(`${COMMAND}: unknown --input-format ${quoted(inputFormat)} (known: ${knownFormats().join(", ")})`);
  }
  const base = str("base");
  if (base !== undefined && (base === "" || base.startsWith("-"))) throw new UsageError(`${COMMAND}: --base needs a git revision, not ${quoted(base)}`);
  if (!help && base === undefined && positionals.length !== 2) {
    throw new UsageError(`${COMMAND}: expected two files, OLD and NEW, or --base REF (see '${COMMAND} --help')`);
  }
  if (base === undefined && positionals[0] === STDIN_PATH && positionals[1] === STDIN_PATH) {
    throw new UsageError(`${COMMAND}: OLD and NEW cannot both be standard input ('-')`);
  }
  return {
    format: format as "text" | "json",
    failOn,
    ...(base !== undefined ? { base } : {}),
    ...(inputFormat !== undefined ? { inputFormat } : {}),
    maxFileBytes: maxFileSizeOption(COMMAND, str("max-file-size")),
    paths: positionals,
    help,
  };
}

// ---------------------------------------------------------------------------------------------
// git

export class GitError extends Error {
  override name = "GitError";
}

function git(args: readonly string[], cwd: string): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((done, fail) => {
    execFile("git", [...args], { cwd, encoding: "buffer", maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      if (e && typeof e.code === "string") {
        fail(new GitError(e.code === "ENOENT" ? "git is not installed (or not on PATH)" : `cannot run git: ${e.message}`));
        return;
      }
      done({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout, stderr: stderr.toString("utf8").trim() });
    });
  });
}

/** The commit a revision names now; undefined when it names none. */
async function commitOf(ref: string, cwd: string): Promise<string | undefined> {
  const verify = await git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], cwd);
  return verify.code === 0 ? verify.stdout.toString("utf8").trim() : undefined;
}

/**
 * A view of one repository at one revision: the commit `ref` named when the view was opened, its
 * files listed once (`git ls-tree`) and read through one `git cat-file --batch` process.
 */
export class GitBase {
  private constructor(
    readonly ref: string,
    /** The commit `ref` names. */
    readonly commit: string,
    readonly top: string,
    readonly cwd: string,
  ) {}

  /** Checks that `cwd` is inside a work tree and that `ref` names a commit. */
  static async open(ref: string, cwd: string): Promise<GitBase> {
    const top = await git(["rev-parse", "--show-toplevel"], cwd);
    if (top.code !== 0) throw new GitError(`not inside a git work tree (${top.stderr.split("\n")[0] ?? ""})`);
    const commit = await commitOf(ref, cwd);
    if (commit === undefined) throw new GitError(`unknown git revision ${quoted(ref)}`);
    return new GitBase(ref, commit, await realpath(top.stdout.toString("utf8").trim()), cwd);
  }

  /** Does `ref` still name the commit this view reads? (a branch moves when a commit is made) */
  async current(): Promise<boolean> {
    return (await commitOf(this.ref, this.cwd)) === this.commit;
  }

  /** The path of a working-tree file relative to the top of the repository (with '/'). */
  async repoPath(path: string): Promise<string> {
    const abs = resolve(this.cwd, path);
    let real = abs;
    try {
      real = await realpath(abs);
    } catch {
      // deleted from the working tree: resolve its folder instead
      try {
        real = resolve(await realpath(resolve(abs, "..")), abs.split(/[\\/]/).pop()!);
      } catch {
        real = abs;
      }
    }
    const rel = relative(this.top, real);
    if (rel.startsWith("..") || isAbsolute(rel)) throw new GitError(`${path} is outside the repository`);
    return rel.split(sep).join("/");
  }

  /** The file's bytes at the revision, or null when it did not exist there. */
  async read(path: string): Promise<Uint8Array | null> {
    const rel = await this.repoPath(path);
    const oid = (await this.blobIds()).get(rel);
    if (oid === undefined) return null;
    this.blobs ??= new BlobReader(this.top, (m) => new GitError(m));
    const bytes = await this.blobs.read(oid);
    if (bytes === null) throw new GitError(`git cat-file: ${this.ref}:${rel} (object ${oid}) is missing from the repository`);
    return bytes;
  }
  private blobs?: BlobReader;

  /** Ends the git process that reads blobs (the view can still read: it starts another). */
  close(): void {
    this.blobs?.close();
    this.blobs = undefined;
  }

  /**
   * The revision's files as an nft reader's includes read them (git-tree.ts), named `REF:path`
   * with the path relative to `cwd`.
   */
  async tree(maxFileBytes: number): Promise<IncludeIo> {
    // (one per size limit: check --new-only asks it for every file)
    let io = this.trees.get(maxFileBytes);
    if (!io) this.trees.set(maxFileBytes, (io = this.blobIds().then((blobs) => gitTreeIo(this.commit, this.top, blobs, { maxFileBytes, label: (p) => `${this.ref}:${relative(this.cwd, p) || p}` }))));
    return io;
  }
  private readonly trees = new Map<number, Promise<IncludeIo>>();

  /** `git ls-tree -r` of the commit, run once. */
  private listed(): Promise<string> {
    this.listing ??= git(["ls-tree", "-r", "-z", "--full-name", this.commit], this.top).then((ls) => {
      if (ls.code !== 0) throw new GitError(`git ls-tree ${this.ref} failed: ${ls.stderr.split("\n")[0] ?? ""}`);
      return ls.stdout.toString("utf8");
    });
    return this.listing;
  }
  private listing?: Promise<string>;

  /** The commit's files (blobs: files and symbolic links) and their object ids, by path from the top. */
  private blobIds(): Promise<Map<string, string>> {
    this.ids ??= this.listed().then(treeBlobs);
    return this.ids;
  }
  private ids?: Promise<Map<string, string>>;

  /** Files git tracks under `cwd`, relative to it. */
  async trackedFiles(): Promise<string[]> {
    const ls = await git(["ls-files", "-z", "--full-name"], this.cwd);
    if (ls.code !== 0) throw new GitError(`git ls-files failed: ${ls.stderr.split("\n")[0] ?? ""}`);
    return ls.stdout
      .toString("utf8")
      .split("\0")
      .filter((p) => p !== "")
      .map((p) => relative(this.cwd, resolve(this.top, p)));
  }
}

// ---------------------------------------------------------------------------------------------
// comparing

export interface FileDiff {
  old: string;
  new: string;
  format?: string;
  oldFormat?: string;
  opened: DiffRegion[];
  closed: DiffRegion[];
  newFindings: Finding[];
  resolvedFindings: Finding[];
}

interface Side {
  /** null: the file does not exist on this side. */
  analyzed: AnalyzedFile | null;
}

/** `unrecognised`: no reader claims the text (see check.ts isUnrecognised). */
function analyzeSide(path: string, text: string | null, options: CheckOptions): Side | { error: string; unrecognised: boolean; format: string } {
  if (text === null) return { analyzed: null };
  const a = analyzeText(path, text, options);
  if (a.fatal !== undefined) return { error: a.fatal, unrecognised: a.file.format === "unknown", format: a.file.format };
  return { analyzed: a };
}

/** Compares two analysed versions (either may be null: the file did not exist then). */
export function compareVersions(oldA: AnalyzedFile | null, newA: AnalyzedFile | null, oldLabel: string, newLabel: string): FileDiff {
  const oldRs: Ruleset | null = oldA?.ruleset ?? null;
  const newRs: Ruleset | null = newA?.ruleset ?? null;
  const { opened, closed } = diffRulesets(oldRs, newRs);
  const f = diffFindings(oldA?.findings ?? [], newA?.findings ?? []);
  return {
    old: oldLabel,
    new: newLabel,
    ...(newA ? { format: newA.file.format } : {}),
    ...(oldA ? { oldFormat: oldA.file.format } : {}),
    opened,
    closed,
    ...f,
  };
}

/**
 * Findings of `path` (already analysed: `findings`) that its version at git revision `ref` did not
 * have, matched by content (rule id, message without positions, exposure). A file absent at `ref`
 * keeps all its findings. For `fwlint check --new-only --base REF`. Throws GitError on git problems.
 */
export async function findingsNewSince(ref: string, path: string, findings: readonly Finding[], options: CheckOptions = {}, cwd: string = process.cwd()): Promise<Finding[]> {
  const base = await baseFor(ref, cwd);
  const bytes = await base.read(path);
  if (bytes === null) return [...findings];
  const decoded = decodeConfig(bytes);
  if (!decoded.ok) return [...findings];
  // (what it includes, as it was at the revision too)
  const old = await analyzeFile(path, decoded.text, { ...options, origin: resolve(cwd, path), includeIo: await base.tree(MAX_FILE_BYTES) });
  if (old.fatal !== undefined) return [...findings];
  return diffFindings(old.findings, findings).newFindings;
}

const baseCache = new Map<string, Promise<GitBase>>();
/** The view of `ref` from `cwd`: opened once, and again when `ref` names another commit since. */
async function baseFor(ref: string, cwd: string): Promise<GitBase> {
  const key = `${cwd}\0${ref}`;
  const cached = baseCache.get(key);
  if (cached) {
    const b = await cached.catch(() => undefined);
    if (b && (await b.current())) return b;
    b?.close();
  }
  const opened = GitBase.open(ref, cwd);
  opened.catch(() => baseCache.delete(key));
  baseCache.set(key, opened);
  return opened;
}

// ---------------------------------------------------------------------------------------------
// --base: the working tree against a revision

/** One file of a --base comparison, both sides read (null: absent on that side). */
interface BaseEntry {
  path: string;
  label: string;
  explicit: boolean;
  old: ReturnType<typeof analyzeSide>;
  /** (the same object as `old` when the text is the same on both sides and reads no other file) */
  new: ReturnType<typeof analyzeSide>;
  /** The text of a side no reader recognises (the working tree's, else the revision's): settings a script may source. */
  unrecognisedText?: string;
}

/** A side that cannot be compared on its own (includer.ts isFragment; unreadable as a ruleset). */
function partial(side: BaseEntry["old"]): boolean {
  if ("error" in side) return true;
  return side.analyzed !== null && isFragment(side.analyzed);
}

/** The files each side of an entry includes, as absolute paths. */
function includedBy(entry: BaseEntry): string[] {
  const out: string[] = [];
  for (const side of [entry.old, entry.new]) if (!("error" in side) && side.analyzed?.includes) out.push(...side.analyzed.includes);
  return out;
}

/**
 * Compares each firewall file of `args.paths` (default: the tracked files) in the working tree with
 * its content at the base revision. The revision's version of an nft ruleset includes the
 * revision's files (GitBase.tree). A fragment another compared file includes (on either side), and
 * that cannot be read alone, is compared as part of its includer: a change made only in
 * nftables.d/20-mail.nft shows as the change of the nftables.conf that includes it. A fragment
 * named without its includer is compared through the includer found beside it (includer.ts). An
 * opening or finding two compared files both show (a fragment that also stands alone) is reported once.
 */
async function compareWithBase(
  base: GitBase,
  args: DiffArgs,
  options: CheckOptions,
  cwd: string,
  error: (path: string, message: string) => void,
  noted: (path: string, message: string) => void,
): Promise<FileDiff[]> {
  const ref = args.base!;
  const tree = await base.tree(args.maxFileBytes);
  /** [path, named on the command line, folder a walk started from] */
  const inputs: [string, boolean, string | undefined][] = [];
  if (args.paths.length === 0) {
    for (const p of await base.trackedFiles()) inputs.push([p, false, cwd]);
  } else {
    const expansion = await expandPaths(args.paths.map((p) => resolve(cwd, p)), args.maxFileBytes);
    for (const p of expansion.problems) if (p.level === "error" && !p.message.includes("no such file")) error(p.path, p.message);
    for (const f of expansion.files) inputs.push([relative(cwd, f.path) || f.path, f.explicit, f.folder]);
  }

  /** Reads both sides of `path`; undefined when there is nothing to compare (said through `error` when it matters). */
  const readBoth = async (path: string, explicit: boolean, scanRoot: string | undefined, format?: string): Promise<BaseEntry | undefined> => {
    const abs = resolve(cwd, path);
    const label = `${ref}:${path}`;
    let oldBytes: Uint8Array | null;
    try {
      oldBytes = await base.read(path);
    } catch (err) {
      if (err instanceof GitError) {
        error(path, err.message);
        return undefined;
      }
      throw err;
    }
    const read = await readConfigFile(abs, args.maxFileBytes);
    let newText: string | null;
    if (read.ok) newText = read.text;
    else if (read.reason === "unreadable" && read.message === "no such file or directory" && oldBytes !== null) newText = null; // deleted
    else {
      if (explicit || read.reason === "unreadable") error(path, read.message);
      return undefined;
    }
    let oldText: string | null = null;
    if (oldBytes !== null) {
      const d = decodeConfig(oldBytes);
      if (d.ok) oldText = d.text;
      else if (newText === null) return undefined; // neither side is a text file
    }
    if (oldText === null && newText === null) {
      if (explicit) error(path, "no such file in the working tree nor at the base revision");
      return undefined;
    }
    // (`format`: a playbook that only runs roles, read as the format of its roles' tasks)
    const scoped: CheckOptions = { ...options, ...(scanRoot !== undefined ? { scanRoot } : {}), ...(format !== undefined ? { inputFormat: format } : {}) };
    // (includes resolved from where it is, named as it is: relative to `cwd`)
    const newSide = analyzeSide(path, newText, { ...scoped, origin: abs, includeIo: { ...diskIo, shown: (p) => relative(cwd, p) || p } });
    // Unchanged, and reading no other file (an include, the ipsets beside it) that may have changed:
    // its version at the revision reads the same. Most files of a pull request's repository are so.
    // (a text no reader claims is so whatever it may name; one that failed otherwise may fail for an included file's sake)
    const unchanged = oldText === newText && ("error" in newSide ? newSide.unrecognised : newSide.analyzed !== null && !newSide.analyzed.includes?.length);
    // named by its label, its includes resolved from where it is and read at the revision
    const oldSide = unchanged ? newSide : analyzeSide(label, oldText, { ...scoped, origin: abs, includeIo: tree });
    const unrecognised = "error" in newSide && newSide.unrecognised ? newText : "error" in oldSide && oldSide.unrecognised ? oldText : null;
    return { path, label, explicit, new: newSide, old: oldSide, ...(unrecognised !== null ? { unrecognisedText: unrecognised } : {}) };
  };

  const diffs: FileDiff[] = [];
  /** Compares an entry that is no fragment (see below), and lets its models go. */
  const compare = (e: BaseEntry): void => {
    if ("error" in e.new) {
      // A walked or tracked file that is no ruleset at all is not ours to compare.
      if (!e.explicit && !options.inputFormat && e.new.unrecognised) return;
      error(e.path, e.new.error);
      return;
    }
    if ("error" in e.old) {
      if (e.new.analyzed === null && !e.explicit && e.old.unrecognised) return;
      // The old version is unreadable as a ruleset: compare with a file that did not exist.
      noted(e.label, `${e.old.error}; compared as if the file did not exist`);
    }
    const oldA = "error" in e.old ? null : e.old.analyzed;
    if (e.old === e.new && e.new.analyzed) {
      // (what compareVersions finds of two equal versions: nothing opened or closed, the same findings)
      const format = e.new.analyzed.file.format;
      diffs.push({ old: e.label, new: e.path, format, oldFormat: format, opened: [], closed: [], newFindings: [], resolvedFindings: [] });
    } else diffs.push(compareVersions(oldA, e.new.analyzed, e.label, e.path));
    for (const side of [e.old, e.new]) if (!("error" in side) && side.analyzed) delete side.analyzed.ruleset;
  };

  // Files that stand alone are compared as they are read; a fragment waits until every file has
  // said what it includes (only then is it known whether one of them is its includer).
  const included: { path: string; includes: string[]; script: boolean }[] = [];
  const fragments: BaseEntry[] = [];
  const compared = new Set<string>();
  for (const [path, explicit, scanRoot] of inputs) {
    const e = await readBoth(path, explicit, scanRoot);
    if (!e) continue;
    compared.add(resolve(cwd, e.path));
    included.push({ path: e.path, includes: includedBy(e), script: [e.new, e.old].some((side) => !("error" in side) && side.analyzed !== null && SCRIPT_FORMATS.has(side.analyzed.file.format)) });
    if (partial(e.new) || partial(e.old) || [e.new, e.old].some((side) => !("error" in side) && side.analyzed !== null && isRoleTasks(e.path, side.analyzed))) fragments.push(e);
    else compare(e);
  }
  const includerOf = includersAmong(included, cwd);
  /** The compared files that are shell scripts: what one of them includes, it sources. */
  const scriptsAmong = new Set(included.filter((f) => f.script).map((f) => f.path));

  let search: IncluderSearch | undefined;
  /** Compares an includer found beside a fragment, once however many fragments it reads (`read`: its entry, when looking for it read both versions). */
  const compareIncluder = async (path: string, read?: BaseEntry, format?: string): Promise<void> => {
    // (a playbook read as a format its content does not name was not compared so as a file of the run)
    const key = format === undefined ? resolve(cwd, path) : `${resolve(cwd, path)}\u0000${format}`;
    if (compared.has(key)) return;
    compared.add(key);
    const added = read ?? (await readBoth(path, false, undefined, format));
    if (added) compare(added);
  };
  for (const e of fragments) {
    const abs = resolve(cwd, e.path);
    const includer = includerOf.get(e.path);
    const nft = (side: BaseEntry["old"]) => ("error" in side ? mayBeNftFragment(e.path, { fatal: side.error, file: side }, options.inputFormat) : side.analyzed?.file.format === "nft");
    if (includer !== undefined) {
      if (e.explicit) noted(e.path, `compared as part of ${includer}, which ${scriptsAmong.has(includer) ? "sources" : "includes"} it`);
      continue;
    }
    // a Capirca include or definitions file: compared through every policy beside it that reads it
    const policyFragment = [e.new, e.old].some((side) => !("error" in side) && side.analyzed !== null && isPolicyFragment(side.analyzed));
    if (e.explicit && policyFragment) {
      search ??= new IncluderSearch(args.maxFileBytes);
      const policies = (await search.findPolicies(abs, options)).map((f) => relative(cwd, resolve(cwd, f.path)) || f.path);
      if (policies.length > 0) {
        noted(e.path, `compared as part of ${policies.join(", ")}, found beside it, ${policies.length > 1 ? "policies that read it" : "a policy that reads it"}`);
        for (const path of policies) await compareIncluder(path);
        continue;
      }
    }
    // an Ansible variables file, playbook or included template no reader claims, or a role's task
    // file: compared through every playbook beside it that reads it and every template rendered
    // with it (a role's task file also in a walk: a playbook that only runs roles is no file of
    // the run, as no reader claims it)
    const ansibleInput = e.explicit && [e.new, e.old].some((side) => ("error" in side ? mayBeAnsibleInput(e.path, { fatal: side.error, file: side }, options.inputFormat) : side.analyzed !== null && mayBeAnsibleInput(e.path, side.analyzed, options.inputFormat)));
    const roleTasks = [e.new, e.old].some((side) => !("error" in side) && side.analyzed !== null && isRoleTasks(e.path, side.analyzed));
    if (ansibleInput || roleTasks) {
      search ??= new IncluderSearch(args.maxFileBytes);
      const named = (f: { path: string; result: { file: { format: string } } }) => ({ path: relative(cwd, resolve(cwd, f.path)) || f.path, format: f.result.file.format });
      const readers = ansibleInput ? await search.findAnsibleReaders(abs, options) : { playbooks: await search.findPlaybooks(abs, options), templates: [] };
      const playbooks = readers.playbooks.filter((f) => !isRoleTasks(f.path, f.result)).map(named);
      const templates = readers.templates.map(named);
      if (playbooks.length + templates.length > 0) {
        const whom = [...(playbooks.length > 0 ? [playbooks.length > 1 ? "playbooks that read it" : "a playbook that reads it"] : []), ...(templates.length > 0 ? [/\.j2$/.test(e.path) ? (templates.length > 1 ? "templates that include it" : "a template that includes it") : templates.length > 1 ? "templates rendered with it" : "a template rendered with it"] : [])].join(" and ");
        if (e.explicit) noted(e.path, `compared as part of ${[...playbooks, ...templates].map((p) => p.path).join(", ")}, found beside it, ${whom}`);
        for (const p of playbooks) await compareIncluder(p.path, undefined, p.format);
        // (a template's format is its content's: compared as the file it is)
        for (const t of templates) await compareIncluder(t.path);
        continue;
      }
    }
    // (or a file a shell script sources: a script, or settings alone, which are no ruleset)
    const sourced = (side: BaseEntry["old"]) => ("error" in side ? mayBeSourced({ fatal: side.error, file: side }, options.inputFormat, e.unrecognisedText) : side.analyzed !== null && mayBeSourced(side.analyzed, options.inputFormat));
    const bySourcing = !nft(e.new) && !nft(e.old) && (sourced(e.new) || sourced(e.old));
    if (e.explicit && (nft(e.new) || nft(e.old) || bySourcing)) {
      // named without its includer (the changed files of a pull request): look for it beside it
      search ??= new IncluderSearch(args.maxFileBytes);
      let found: string | undefined = (await search.find(abs, options, false, bySourcing))?.path;
      /** The includer's entry when looking for it read both its versions already. */
      let read: BaseEntry | undefined;
      if (found === undefined && !("error" in e.new) && e.new.analyzed === null) {
        // deleted: an includer whose version at the revision included it
        for await (const c of search.candidates(abs, bySourcing)) {
          const both = await readBoth(relative(cwd, c.path) || c.path, false, undefined);
          if (both && includedBy(both).includes(abs)) {
            [found, read] = [c.path, both];
            break;
          }
        }
      }
      if (found !== undefined) {
        const path = relative(cwd, found) || found;
        noted(e.path, `compared as part of ${path}, found beside it, which ${bySourcing ? "sources" : "includes"} it`);
        await compareIncluder(path, read);
        continue;
      }
    }
    compare(e);
  }
  return withoutRepeats(diffs);
}

/**
 * The diffs with an opening, closing or finding that an earlier diff reports already left out: a
 * fragment that stands alone and its includer show the same change, decided by the same rule.
 */
function withoutRepeats(diffs: FileDiff[]): FileDiff[] {
  const seen = new Set<string>();
  const once = <T>(items: T[], key: (t: T) => string): T[] =>
    items.filter((t) => {
      const k = key(t);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  const regionKey = (kind: string) => (r: DiffRegion) =>
    [kind, r.direction, r.family, r.protocol, JSON.stringify(r.ports), JSON.stringify(r.protocols), r.destinations.join(","), r.states.join(","), r.location ? `${r.location.file}:${r.location.line}` : "", r.certain].join("\u0000");
  return diffs.map((d) => ({
    ...d,
    opened: once(d.opened, regionKey("opened")),
    closed: once(d.closed, regionKey("closed")),
    newFindings: once(d.newFindings, (f) => `new\u0000${findingKey(f)}`),
    resolvedFindings: once(d.resolvedFindings, (f) => `resolved\u0000${findingKey(f)}`),
  }));
}

// ---------------------------------------------------------------------------------------------
// the command

export interface DiffRunOptions {
  /** Folder git and relative paths are resolved from (default: the process's). */
  cwd?: string;
}

export async function runDiff(argv: readonly string[], io: CliIo, runOptions: DiffRunOptions = {}): Promise<number> {
  const args = parseCommandArgs(argv, parseDiffArgs, diffUsage, io);
  if (typeof args === "number") return args;
  const cwd = runOptions.cwd ?? process.cwd();
  const options: CheckOptions = args.inputFormat ? { inputFormat: args.inputFormat } : {};
  let hadError = false;
  const error = (path: string, message: string): void => {
    hadError = true;
    io.stderr(`${sanitize(path)}: ${sanitize(message)}\n`);
  };
  const diffs: FileDiff[] = [];
  // Two versions of any formats are compared: every reader may be needed.
  await loadFormats();

  if (args.base === undefined) {
    const [oldPath, newPath] = args.paths as [string, string];
    const texts: (string | undefined)[] = [];
    for (const p of [oldPath, newPath]) {
      const read = await readConfigFile(p === STDIN_PATH ? p : resolve(cwd, p), args.maxFileBytes);
      if (!read.ok) error(p, read.message);
      texts.push(read.ok ? read.text : undefined);
    }
    if (texts[0] === undefined || texts[1] === undefined) return 2;
    const o = analyzeSide(oldPath, texts[0], options);
    if ("error" in o) error(oldPath, o.error);
    const n = analyzeSide(newPath, texts[1], options);
    if ("error" in n) error(newPath, n.error);
    if ("error" in o || "error" in n) return 2;
    diffs.push(compareVersions(o.analyzed, n.analyzed, oldPath, newPath));
  } else {
    let base: GitBase;
    try {
      base = await baseFor(args.base, cwd);
    } catch (err) {
      if (err instanceof GitError) {
        io.stderr(`${COMMAND}: ${sanitize(err.message)}\n`);
        return 2;
      }
      throw err;
    }
    const noted = (path: string, message: string): void => io.stderr(`${sanitize(path)}: ${sanitize(message)}\n`);
    try {
      diffs.push(...(await compareWithBase(base, args, options, cwd, error, noted)));
    } catch (err) {
      if (err instanceof GitError) {
        io.stderr(`${COMMAND}: ${sanitize(err.message)}\n`);
        return 2;
      }
      throw err;
    } finally {
      base.close();
    }
  }

  const opened = diffs.flatMap((d) => d.opened);
  const closed = diffs.flatMap((d) => d.closed);
  const newFindings = diffs.flatMap((d) => d.newFindings);
  const resolvedFindings = diffs.flatMap((d) => d.resolvedFindings);
  if (args.format === "json") {
    io.stdout(
      JSON.stringify(
        {
          version: 1,
          opened,
          closed,
          newFindings,
          resolvedFindings,
          files: diffs.map((d) => ({ old: d.old, new: d.new, format: d.format, oldFormat: d.oldFormat, opened: d.opened.length, closed: d.closed.length })),
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    io.stdout(renderDiffText(diffs));
  }
  if (hadError) return 2;
  if (opened.length > 0) return 1;
  if (args.failOn !== "none") {
    const bar = severityRank(args.failOn);
    if (newFindings.some((f) => severityRank(f.severity) >= bar)) return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// text


/** "TCP/25", "every UDP port", "ICMP", "GRE", "other protocols (0, 2-5, ...)". */
export function regionLabel(r: DiffRegion): string {
  const proto = r.protocol.toUpperCase();
  if (r.ports.length > 0) {
    if (r.ports.length === 1 && r.ports[0]![0] <= 1 && r.ports[0]![1] === 65535) return `every ${proto} port`;
    return `${proto}/${portsText(r.ports)}`;
  }
  if (r.protocol === "other") return `other protocols (${portsText(r.protocols)})`;
  return proto;
}

function sourceText(r: DiffRegion): string {
  if (r.direction === "outbound") return r.sourceCoverage >= 0.999 ? "from any source " : "";
  if (r.sourceCoverage >= 0.999) return "from any source ";
  if (r.sourceCoverage <= 0) return "";
  return `from ${Math.floor(r.sourceCoverage * 1000) / 10}% of public IPv${r.family} sources `;
}

/** For a region no stranger can start a connection into: what it is about instead. */
function scopeNote(r: DiffRegion): string {
  if (r.direction === "outbound" || r.sourceCoverage > 0) return "";
  if (!r.states.includes("new") && !r.states.includes("untracked")) return ` (${r.states.join("/").toUpperCase()} packets only)`;
  return " (not as a new connection from a public source on an external interface)";
}

function destText(r: DiffRegion): string {
  const d = r.destinations;
  if (d.length === 1 && d[0] === "any") return "to any destination";
  return `to ${d.map(sanitize).join(", ")}`;
}

function where(r: DiffRegion): string {
  if (!r.location) return r.rule ? ` (${sanitize(r.rule)})` : "";
  return ` (${sanitize(r.location.file)}:${r.location.line})`;
}

function witnessText(r: DiffRegion): string {
  const w = r.witness;
  const hp = (a: string, p?: number) => (p === undefined ? sanitize(a) : w.family === 6 ? `[${sanitize(a)}]:${p}` : `${sanitize(a)}:${p}`);
  let s = `${sanitize(w.proto)} ${hp(w.src, w.sport)} -> ${hp(w.dst, w.dport)}`;
  if (w.icmp_type !== undefined) s += ` type ${w.icmp_type} code ${w.icmp_code ?? 0}`;
  if (w.iif) s += ` iif ${sanitize(w.iif)}`;
  if (w.oif) s += ` oif ${sanitize(w.oif)}`;
  return s;
}

/**
 * One region as a sentence. `dualStack` (the change has regions of both families): the family is
 * named, so an inet rule's IPv4 and IPv6 regions do not read as the same line twice.
 */
export function regionSentence(r: DiffRegion, verb: "opens" | "closes", dualStack = false): string {
  const path = r.direction === "inbound" ? "" : ` on the ${r.direction} path`;
  const maybe = r.certain ? "" : " (depending on conditions fwlint does not model)";
  return `this change ${verb} ${dualStack ? `IPv${r.family} ` : ""}${regionLabel(r)} ${sourceText(r)}${destText(r)}${path}${scopeNote(r)}${where(r)}${maybe}, e.g. ${witnessText(r)}`;
}

function findingLine(f: Finding): string {
  return `[${f.severity}] ${sanitize(f.ruleId)} ${sanitize(f.location.file)}:${f.location.line}: ${sanitize(f.message)}`;
}

export function renderDiffText(diffs: readonly FileDiff[]): string {
  const lines: string[] = [];
  const opened = diffs.flatMap((d) => d.opened);
  const closed = diffs.flatMap((d) => d.closed);
  const added = diffs.flatMap((d) => d.newFindings);
  const resolved = diffs.flatMap((d) => d.resolvedFindings);
  const dualStack = new Set([...opened, ...closed].map((r) => r.family)).size > 1;
  for (const r of opened) lines.push(regionSentence(r, "opens", dualStack));
  for (const r of closed) lines.push(regionSentence(r, "closes", dualStack));
  for (const f of added) lines.push(`new finding: ${findingLine(f)}`);
  for (const f of resolved) lines.push(`resolved finding: ${findingLine(f)}`);
  if (opened.length + closed.length + added.length + resolved.length === 0) {
    lines.push(diffs.length === 0 ? "no firewall files to compare" : "no difference: the change accepts exactly the same traffic, and the findings are the same");
  } else {
    const n = (k: number, what: string) => `${k} ${what}${k === 1 ? "" : "s"}`;
    lines.push("", `${n(opened.length, "region")} opened, ${n(closed.length, "region")} closed, ${n(added.length, "new finding")}, ${n(resolved.length, "resolved finding")} in ${n(diffs.length, "file")}`);
  }
  return lines.join("\n") + "\n";
}

export { findingKey };
