/**
 * How a reader reads the other files a ruleset names (an nft `include`, the ipset save file beside
 * an iptables ruleset): through injected functions, so tests need no disk, the CLI decides what may
 * be read, and diff reads them as they were at a git revision.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

export interface IncludeIo {
  /** The file's text, or undefined when it cannot be read. */
  readFile: (path: string) => string | undefined;
  /** Entry names of a folder, or undefined when it is not one. */
  listDir: (path: string) => string[] | undefined;
  /**
   * How an included file is named in diagnostics and locations, when not by its path (relative to
   * the working folder, or absolute): files read at a git revision are named `REF:path`.
   */
  shown?: (path: string) => string;
}

export const diskIo: IncludeIo = {
  readFile(path) {
    try {
      if (!statSync(path).isFile()) return undefined;
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
  listDir(path) {
    try {
      return readdirSync(path).sort();
    } catch {
      return undefined;
    }
  },
};

/**
 * The reading functions a caller gave, the disk's for the rest: without a folder lister of its own,
 * a caller that reads files its own way (a git revision) lists no folder.
 */
/**
 * `io` with what it reads kept: one reading of a script may ask for a file many times (a file
 * test, the glob that names it, the `.` that sources it; nft scripts are run again until no new
 * command fails), and each read of the same path gives what the first gave.
 */
export function memoIo(io: IncludeIo): IncludeIo {
  const files = new Map<string, string | undefined>();
  const dirs = new Map<string, string[] | undefined>();
  return {
    readFile: (path) => (files.has(path) ? files.get(path) : files.set(path, io.readFile(path)).get(path)),
    listDir: (path) => (dirs.has(path) ? dirs.get(path) : dirs.set(path, io.listDir(path)).get(path)),
    ...(io.shown ? { shown: io.shown } : {}),
  };
}

export function ioWith(given: Partial<IncludeIo>): IncludeIo {
  return {
    readFile: given.readFile ?? diskIo.readFile,
    listDir: given.listDir ?? (given.readFile ? () => undefined : diskIo.listDir),
    ...(given.shown ? { shown: given.shown } : {}),
  };
}

/** The nearest folder at or above `dir` that holds a `.git` (a repository's top), if any. */
export function repositoryOf(dir: string, io: IncludeIo): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (io.listDir(d)?.includes(".git")) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * How far up from the file at `where` a reader looks for the project files it reads beside the
 * file's own folder (Capirca's def/, an Ansible role's defaults and the playbook's group_vars):
 * the working folder when it holds the file, else the git repository that holds it (a file
 * checked from elsewhere), else `root` (the scan's folder), else the file's own folder.
 */
export function projectRoot(where: string, io: IncludeIo, root?: string): string {
  const cwd = process.cwd();
  return where.startsWith(cwd + "/") ? cwd : (repositoryOf(dirname(where), io) ?? resolve(root ?? dirname(where)));
}
