/**
 * The files of a repository at a git revision, as an nft reader reads its includes: `fwlint diff
 * --base REF` compares an nftables.conf with its version at REF, and that version includes the
 * fragments as they were at REF (nftables.d/*.nft), not as they are in the working tree - else a
 * change made only in a fragment would read the same on both sides. The tree is listed once
 * (`git ls-tree`); a file is read when an include names it (`git cat-file`, run synchronously: the
 * reader is). Paths outside the repository are read from the disk, the same on both sides.
 */
import { execFileSync } from "node:child_process";
import { realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";
import { diskIo, type IncludeIo } from "../../parsers/file-io.js";

/** Largest file read from the revision (as --max-file-size bounds files read from the disk). */
export interface TreeOptions {
  maxFileBytes: number;
  /** How a file at the revision is named: `REF:path` (path relative to the working folder). */
  label: (path: string) => string;
}

/**
 * The blobs (files and symbolic links; submodules are not read) of `git ls-tree -r -z --full-name`
 * output, by path from the top ('/' separated), with their object ids.
 */
export function treeBlobs(listing: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of listing.split("\0")) {
    // "<mode> <type> <object>\t<path>"
    const tab = entry.indexOf("\t");
    if (tab < 0) continue;
    const [, type, oid] = entry.slice(0, tab).split(" ");
    if (type === "blob" && oid !== undefined) out.set(entry.slice(tab + 1), oid);
  }
  return out;
}

/**
 * The revision's files under `top` (the work tree's top folder, a real path): `blobs` as
 * treeBlobs lists them.
 */
export function gitTreeIo(ref: string, top: string, blobs: ReadonlyMap<string, string>, options: TreeOptions): IncludeIo {
  /** Folder (relative to top, '' for top, '/' separated) -> its entries' names. */
  const folders = new Map<string, Set<string>>([["", new Set()]]);
  for (const path of blobs.keys()) {
    let child = path;
    for (;;) {
      const slash = child.lastIndexOf("/");
      const folder = slash < 0 ? "" : child.slice(0, slash);
      let names = folders.get(folder);
      const known = names !== undefined;
      if (!names) folders.set(folder, (names = new Set()));
      names.add(child.slice(slash + 1));
      if (known || folder === "") break;
      child = folder;
    }
  }
  const texts = new Map<string, string | undefined>();
  const realFolders = new Map<string, string>();

  /** The real path of `path`'s folder, with `path`'s own name: the repository's top is a real path. */
  const real = (path: string): string => {
    const folder = dirname(path);
    let r = realFolders.get(folder);
    if (r === undefined) {
      try {
        r = realpathSync(folder);
      } catch {
        // a folder the working tree no longer has: its parent's real path, and its name
        r = folder === dirname(folder) ? folder : real(folder);
      }
      realFolders.set(folder, r);
    }
    return join(r, basename(path));
  };
  /** `path` relative to the top, '/' separated; undefined when outside the repository. */
  const inRepo = (path: string): string | undefined => {
    for (const p of [path, real(path)]) {
      const rel = relative(top, p);
      if (rel === "") return "";
      if (!rel.startsWith(".." + sep) && rel !== ".." && !isAbsolute(rel)) return rel.split(sep).join("/");
    }
    return undefined;
  };

  return {
    readFile(path) {
      const rel = inRepo(path);
      if (rel === undefined) return diskIo.readFile(path);
      if (!blobs.has(rel)) return undefined;
      if (!texts.has(rel)) {
        let text: string | undefined;
        try {
          const bytes = execFileSync("git", ["cat-file", "blob", `${ref}:${rel}`], { cwd: top, maxBuffer: options.maxFileBytes + 1, stdio: ["ignore", "pipe", "ignore"], windowsHide: true });
          text = bytes.length > options.maxFileBytes ? undefined : bytes.toString("utf8");
        } catch {
          text = undefined;
        }
        texts.set(rel, text);
      }
      return texts.get(rel);
    },
    listDir(path) {
      const rel = inRepo(path);
      if (rel === undefined) return diskIo.listDir(path);
      const names = folders.get(rel);
      return names === undefined ? undefined : [...names].sort();
    },
    shown: (path) => options.label(path),
  };
}
