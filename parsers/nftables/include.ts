/**
 * Where an `include "path"` points: relative to the including file, glob patterns in the last
 * path components (`*`, `?`, `[...]`), confined to a root folder. Reading goes through injected
 * functions so tests need no disk and the CLI decides what may be read.
 */
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import { GLOB_CHARS as GLOB, globMatches } from "../../src/model/glob.js";
import type { IncludeIo } from "../file-io.js";

/**
 * `watch`, on an include read from the tree: the path or glob pattern (absolute) whose files it
 * reads - a file created, replaced or removed there changes what the include reads.
 */
export type IncludeResolution =
  /** `copy`: an absolute path read from the tree's copy of the machine's folders (treeCopy), `tree` taken for `/`. */
  | { kind: "files"; files: { path: string; text: string }[]; copy?: { tree: string }; watch: string }
  /** Nothing matched a glob pattern: not an error for nft. */
  | { kind: "none"; watch: string }
  | { kind: "error"; message: string; watch?: string }
  /** A glob outside the root: nft would read whatever matches on the machine; fwlint reads nothing. */
  | { kind: "outside-glob"; message: string };

/** True when `path` is `root` or inside it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(".." + sep) && rel !== ".." && !isAbsolute(rel));
}

/** Expands a (possibly glob) absolute path into the matching files, sorted as nft does. */
function expandGlob(path: string, io: IncludeIo): { path: string; text: string }[] {
  const parts = path.split(sep);
  let current: string[] = [parts[0] === "" ? sep : parts[0]!];
  for (let k = 1; k < parts.length; k++) {
    const part = parts[k]!;
    if (part === "") continue;
    const next: string[] = [];
    for (const base of current) {
      if (!GLOB.test(part)) {
        next.push(join(base, part));
        continue;
      }
      for (const name of io.listDir(base) ?? []) if (globMatches(part, name)) next.push(join(base, name));
    }
    current = next;
    if (current.length === 0) break;
  }
  const out: { path: string; text: string }[] = [];
  for (const p of current.sort()) {
    const text = io.readFile(p);
    if (text !== undefined) out.push({ path: p, text });
  }
  return out;
}

/**
 * Resolves `include "spec"` written in `fromFile`. Paths outside `root` are refused - but for an
 * absolute path into a folder the including file's own folder stands for (treeCopy); a missing
 * plain file is an error, a glob that matches nothing is not.
 */
export function resolveInclude(spec: string, fromFile: string, root: string, io: IncludeIo): IncludeResolution {
  const target = targetOf(spec, fromFile);
  if (!isInside(root, target)) {
    const copy = isAbsolute(spec) ? treeCopy(target, dirname(fromFile), root, io) : undefined;
    if (copy) return copy;
    if (GLOB.test(spec)) {
      return { kind: "outside-glob", message: `include "${spec}" points outside the scanned tree (${root}); the files it may match are not read` };
    }
    return { kind: "error", message: `include "${spec}" points outside the scanned tree (${root}); it is not read` };
  }
  if (GLOB.test(spec)) {
    const files = expandGlob(target, io).filter((f) => isInside(root, f.path));
    return files.length === 0 ? { kind: "none", watch: target } : { kind: "files", files, watch: target };
  }
  const text = io.readFile(target);
  if (text === undefined) return { kind: "error", message: `include "${spec}": file ${target} not found or not readable`, watch: target };
  return { kind: "files", files: [{ path: target, text }], watch: target };
}

/**
 * The folder `spec` names, written in `fromFile`, found as resolveInclude finds a file: inside
 * `root`, or (absolute) in the tree's copy of the machine's folders (`copy`: the folder taken for
 * the machine's root). Undefined when the tree holds no such folder.
 */
export function resolveFolder(spec: string, fromFile: string, root: string, io: IncludeIo): { path: string; copy?: string } | undefined {
  const target = targetOf(spec, fromFile);
  if (isInside(root, target)) return io.listDir(target) !== undefined ? { path: target } : undefined;
  if (!isAbsolute(spec)) return undefined;
  for (const { at, copy } of treeCopies(target, dirname(fromFile), root)) if (io.listDir(copy) !== undefined) return { path: copy, copy: at };
  return undefined;
}

/** The path `spec` names, written in `fromFile` (a relative one from that file's folder). */
function targetOf(spec: string, fromFile: string): string {
  return normalize(isAbsolute(spec) ? spec : resolve(dirname(fromFile), spec));
}

/**
 * Where the tree may hold its copy of the machine's absolute path `target`: under `fromDir` and
 * each folder above it (`at`, taken for the machine's root), nearest first, inside `root` only.
 */
function* treeCopies(target: string, fromDir: string, root: string): Generator<{ at: string; copy: string }> {
  for (let at = fromDir; ; at = dirname(at)) {
    const copy = join(at, target);
    if (isInside(root, copy)) yield { at, copy };
    if (dirname(at) === at) return;
  }
}

/**
 * An absolute include read from the scanned tree's copy of the machine's folders: a repository
 * that keeps `etc/nftables.conf` and `etc/nftables.d/` deploys them to /etc, so the file's
 * `include "/etc/nftables.d/*.nft"` names the tree's etc/nftables.d. The nearest folder at or
 * above the including file's own that holds the path (its folder, for a glob) is taken for the
 * machine's root - repo/ for repo/etc/nftables.d, also from repo/etc/sysconfig/nftables.conf -
 * where the path read stays inside `root`. Otherwise undefined (the include stays outside the tree).
 */
function treeCopy(target: string, fromDir: string, root: string, io: IncludeIo): IncludeResolution | undefined {
  const glob = GLOB.test(target);
  for (const { at, copy } of treeCopies(target, fromDir, root)) {
    if (glob && io.listDir(dirname(copy)) !== undefined) {
      const files = expandGlob(copy, io).filter((f) => isInside(root, f.path));
      return files.length > 0 ? { kind: "files", files, copy: { tree: at }, watch: copy } : { kind: "none", watch: copy };
    }
    const text = glob ? undefined : io.readFile(copy);
    if (text !== undefined) return { kind: "files", files: [{ path: copy, text }], copy: { tree: at }, watch: copy };
  }
  return undefined;
}
