/**
 * Capirca / Aerleon network policies -> Ruleset: a `.pol` policy or `.inc` include (policy.ts), a
 * YAML policy or include (yaml-policy.ts), or a naming definitions file (naming.ts: checked on its
 * own, it holds no filter). A policy's names resolve through the definitions folder aclgen would
 * use: the nearest `def/` beside the policy or a folder above it, inside the scanned tree (the
 * working folder when a file is checked alone); its includes through the base folder, the nearest
 * folder above the policy that holds the included file. mapper.ts builds the chains.
 */
import { dirname, extname, isAbsolute, join, relative, resolve } from "node:path";
import type { Diagnostic, Ruleset } from "../../src/model/types.js";
import { diskIo, projectRoot, type IncludeIo } from "../file-io.js";
import { internalErrorRuleset } from "../internal-error.js";
import { mapCapirca } from "./mapper.js";
import { emptyDefinitions, Naming, readDefinitionsFile, type Definitions } from "./naming.js";
import { parsePolicyText, type IncludeContext, type PolicyAst, type Pos } from "./policy.js";
import { parsePolicyYaml } from "./yaml-policy.js";
import { capircaKind } from "./detect.js";
import { nameTable } from "../../src/model/name-table.js";

export { detectCapirca } from "./detect.js";

export interface CapircaOptions {
  io?: IncludeIo;
  /** Files it reads (definitions, includes) stay inside this folder. */
  root?: string;
  /** Where the file is when `file` only labels it (a file at a git revision). */
  origin?: string;
  /** Today, for terms' expiration dates (default: now). */
  today?: Date;
}

const DEFINITION_ENDINGS: Readonly<Record<string, "networks" | "services" | "yaml">> = nameTable({ ".net": "networks", ".svc": "services", ".yaml": "yaml", ".yml": "yaml" });

/** The folders from `dir` up to `root` (inside it), nearest first. */
function foldersUp(dir: string, root: string): string[] {
  const out: string[] = [];
  for (let d = dir; d === root || d.startsWith(root + "/"); d = dirname(d)) {
    out.push(d);
    if (d === root) break;
  }
  return out;
}

/** A definitions folder's reading, by its files' names and texts: every policy of a tree reads the same def/. */
const folderReadings = new Map<string, { defs: Definitions; said: [Diagnostic["severity"], Pos, string][] }>();
/** Readings kept at most (the oldest let go first). */
const MAX_FOLDER_READINGS = 8;

/**
 * The definition files of `folder` (but `except`), read into one set of definitions (not to be
 * changed: it is shared by the policies that read the same files), with the names they are shown by.
 */
function readDefinitionsFolder(folder: string, io: IncludeIo, shown: (p: string) => string, say: (s: Diagnostic["severity"], pos: Pos, m: string) => void, except?: string): { defs: Definitions; files: string[] } {
  const files: { shown: string; text: string; kind: "networks" | "services" | "yaml" }[] = [];
  for (const n of io.listDir(folder) ?? []) {
    const kind = DEFINITION_ENDINGS[extname(n)];
    const path = join(folder, n);
    if (!kind || path === except) continue;
    const text = io.readFile(path);
    if (text !== undefined) files.push({ shown: shown(path), text, kind });
  }
  const key = files.map((f) => `${f.shown}\u0000${f.kind}\u0000${f.text}`).join("\u0000");
  let reading = folderReadings.get(key);
  if (!reading) {
    const said: [Diagnostic["severity"], Pos, string][] = [];
    const defs = emptyDefinitions();
    for (const f of files) readDefinitionsFile(defs, f.text, f.shown, f.kind, (severity, pos, message) => said.push([severity, pos, message]));
    reading = { defs, said };
    if (folderReadings.size >= MAX_FOLDER_READINGS) folderReadings.delete(folderReadings.keys().next().value!);
    folderReadings.set(key, reading);
  }
  for (const [severity, pos, message] of reading.said) say(severity, pos, message);
  return { defs: reading.defs, files: files.map((f) => f.shown) };
}

/** The definitions of the nearest def/ folder above `dir` holding definition files. */
function findDefinitions(dir: string, root: string, io: IncludeIo, say: (s: Diagnostic["severity"], pos: Pos, m: string) => void, shown: (p: string) => string): { defs: Definitions; files: string[] } | undefined {
  for (const folder of foldersUp(dir, root)) {
    const def = join(folder, "def");
    if (!io.listDir(def)?.some((n) => extname(n) in DEFINITION_ENDINGS)) continue;
    return readDefinitionsFolder(def, io, shown, say);
  }
  return undefined;
}

export function parseCapirca(text: string, file: string, opts: CapircaOptions = {}): Ruleset {
  const diagnostics: Diagnostic[] = [];
  const say = (severity: Diagnostic["severity"], pos: Pos, message: string, extra?: Partial<Diagnostic>) => {
    diagnostics.push({ severity, message, file: pos.file, line: pos.line, column: pos.column, ...extra });
  };
  try {
    const io = opts.io ?? diskIo;
    const where = resolve(opts.origin ?? file);
    // the definitions folder is the working folder's (aclgen's ./def), often beside the policies
    // folder a scan starts in: the working folder bounds what is read when it holds the file, else
    // the git repository that holds it (a policy checked from elsewhere), else the given root
    const cwd = process.cwd();
    const root = projectRoot(where, io, opts.root);
    // a file read is named as the file's own path is: relative to the working folder, or absolute
    const shown = (path: string) => io.shown?.(path) ?? (isAbsolute(file) ? path : relative(cwd, path));
    const kind = capircaKind(text);

    if (kind === "definitions-text" || kind === "definitions-yaml") {
      const defs = emptyDefinitions();
      const ending = extname(file);
      readDefinitionsFile(defs, text, file, kind === "definitions-yaml" ? "yaml" : ending === ".svc" ? "services" : ending === ".net" ? "networks" : looksLikeServices(text) ? "services" : "networks", say);
      // every name a definition uses must be defined, in this file or its folder's others
      const folderDefs = readDefinitionsFolder(dirname(where), io, shown, () => {}, where).defs;
      const all: Definitions = { networks: new Map([...folderDefs.networks, ...defs.networks]), services: new Map([...folderDefs.services, ...defs.services]) };
      const naming = new Naming(all);
      // each failure told once, at the value that fails when it is in this file
      const told = new Set<string>();
      const tell = (r: { why: string; at?: Pos }, def: { pos: Pos }) => {
        const at = r.at && r.at.file === file ? r.at : def.pos;
        const k = `${at.line}:${at.column}`;
        if (told.has(k)) return;
        told.add(k);
        say("error", at, r.why);
      };
      for (const [name, def] of defs.networks) {
        const r = naming.network(name);
        if (!r.ok) tell(r, def);
      }
      for (const [name, def] of defs.services) {
        const r = naming.service(name);
        if (!r.ok) tell(r, def);
      }
      // (a fragment of the policies that use it: a run, a diff or a hook reads it as part of one - see src/cli/includer.ts)
      say("info", { file, line: 1, column: 1 }, `naming definitions (${defs.networks.size} networks, ${defs.services.size} services): policies use them; no filter is in this file`, { unresolved: true });
      return { format: "capirca", file, families: [4, 6], chains: new Map(), pipelines: [], diagnostics, ruleCount: 0 };
    }

    const bases = foldersUp(dirname(where), root);
    const inc: IncludeContext = { io, bases, shown };
    const ast: PolicyAst = kind === "policy-yaml" ? parsePolicyYaml(text, file, inc, say) : parsePolicyText(text, file, inc, say);
    const found = findDefinitions(dirname(where), root, io, say, shown);
    const lines = new Map<string, readonly string[]>([[file, text.split("\n")], ...ast.included]);
    const ruleset = mapCapirca(ast, file, say, { naming: found ? new Naming(found.defs) : undefined, today: opts.today ?? new Date(), lines });
    ruleset.diagnostics = diagnostics;
    // the files it read: its includes and the definitions its names come from (a change to either changes the policy)
    // (an include file alone has no filter: nothing of it reads the definitions)
    const filters = ast.filters.some((f) => f.header !== undefined);
    const read = [...ast.included.keys(), ...(filters ? (found?.files ?? []) : [])];
    if (read.length > 0) ruleset.includedFiles = read;
    if (ast.included.size > 0) ruleset.includedLines = ast.included;
    return ruleset;
  } catch (e) {
    return internalErrorRuleset("Capirca policy reader", { format: "capirca", file, families: [4, 6] }, diagnostics, e);
  }
}

function looksLikeServices(text: string): boolean {
  return /=\s*\d+(?:-\d+)?\/\w+/.test(text);
}
