/**
 * Which files `fwlint check PATH...` reads, and how their bytes become text.
 *
 * - A file named on the command line is always read; anything wrong with it is an error.
 * - A folder is walked recursively in a stable order (entries sorted by name, code-unit order), skipping
 *   `.git`, `node_modules` and every other hidden folder, following symbolic links but never the same
 *   folder twice (so link loops end). Files over the size limit ({@link MAX_FILE_BYTES} unless
 *   `--max-file-size` sets another) are skipped with a warning; a named one is an error.
 *   Files found by a walk that are empty, binary or not UTF-8 are skipped silently (the caller also skips
 *   walked files whose content is no format fwlint reads): a folder of configs may hold anything else.
 * - `-` is standard input (`iptables-save | fwlint check -`), read once, like a named file.
 * - Text: UTF-8 only (TextDecoder fatal), BOM stripped, CRLF normalised to LF.
 */
import { open, readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { nameTable } from "../model/name-table.js";

/** Default size limit of one input (a blocklist set of 500k addresses is about 8 MB). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** What a "too large" message adds: how to raise the limit. */
const RAISE_HINT = "raise it with --max-file-size";

const SIZE_UNITS: Readonly<Record<string, number>> = nameTable({ "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 });

/**
 * A size as `--max-file-size` takes it: bytes, or a number with K, M or G (binary multiples, as
 * the messages print sizes; KB, MiB ... read alike), e.g. `50M`, `1.5G`, `200000`; undefined when
 * it is not one, or not positive.
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmg])(?:i?b)?|(b))?\s*$/i.exec(text);
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * SIZE_UNITS[(m[2] ?? m[3] ?? "").toLowerCase()]!);
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** The path argument that stands for standard input. */
export const STDIN_PATH = "-";

/** Folder names a walk never enters (hidden folders are skipped as well). */
const SKIPPED_DIRS = new Set(["node_modules", ".git"]);

export interface InputFile {
  /** The path as shown to the user: as given, or joined onto the folder given. */
  path: string;
  /** Named on the command line (errors are reported) rather than found by a folder walk (skipped quietly). */
  explicit: boolean;
  /** For a walked file, the folder argument whose walk found it. */
  folder?: string;
}

export interface PathProblem {
  path: string;
  message: string;
  /** "error" makes `check` exit 2; "warning" is only shown. */
  level: "error" | "warning";
}

export interface Expansion {
  files: InputFile[];
  problems: PathProblem[];
  /** Folders given on the command line, with how many files their walk listed. */
  folders: { path: string; files: number }[];
}

/** A short, stack-free description of a file-system error. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "ENOTDIR":
      return "not a directory";
    case "ELOOP":
      return "too many levels of symbolic links";
    case "EMFILE":
    case "ENFILE":
      return "too many open files";
    case "EIO":
      return "input/output error";
    default: {
      const msg = err instanceof Error ? err.message : String(err);
      // Node's messages repeat the syscall and path ("ENOENT: no such file..., open 'x'"); keep the gist.
      return msg.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
    }
  }
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A size for messages: KB below a megabyte, GB from a gigabyte, MB between. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/**
 * Something a walk could not look at. A dangling symbolic link is only a warning (there is nothing to
 * read); anything else (permission denied, I/O error) is an error: the file may be a configuration.
 */
function walkProblem(path: string, err: unknown): PathProblem {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return { path, message: "skipped: broken symbolic link", level: "warning" };
  return { path, message: describeFsError(err), level: "error" };
}

/**
 * The files named by `args`, in argument order, folders expanded. A file reached twice (named twice,
 * or through a link) is listed once, at its first position.
 */
export async function expandPaths(args: readonly string[], limit = MAX_FILE_BYTES): Promise<Expansion> {
  const files: InputFile[] = [];
  const problems: PathProblem[] = [];
  const folders: { path: string; files: number }[] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();

  const addFile = async (path: string, explicit: boolean, folder?: string): Promise<void> => {
    let key = path;
    try {
      key = await realpath(path);
    } catch {
      // keep the given path as the key; reading it will report the problem
    }
    if (seenFiles.has(key)) return;
    seenFiles.add(key);
    files.push(folder === undefined ? { path, explicit } : { path, explicit, folder });
  };

  const walk = async (dir: string, root: string): Promise<void> => {
    let real: string;
    try {
      real = await realpath(dir);
    } catch (err) {
      problems.push(walkProblem(dir, err));
      return;
    }
    if (seenDirs.has(real)) return; // a link back to a folder already walked (a loop, or a second name)
    seenDirs.add(real);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      problems.push(walkProblem(dir, err));
      return;
    }
    entries.sort((a, b) => byName(a.name, b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let size: number | undefined;
      if (entry.isSymbolicLink() || isFile) {
        try {
          const st = await stat(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
          size = st.size;
        } catch (err) {
          problems.push(walkProblem(path, err));
          continue;
        }
      }
      if (isDir) {
        if (entry.name.startsWith(".") || SKIPPED_DIRS.has(entry.name)) continue;
        await walk(path, root);
      } else if (isFile) {
        if (size !== undefined && size > limit) {
          problems.push({
            path,
            message: `skipped: file too large (${formatSize(size)}; the limit is ${formatSize(limit)}: ${RAISE_HINT})`,
            level: "warning",
          });
          continue;
        }
        await addFile(path, false, root);
      }
      // sockets, FIFOs, devices inside a folder are not configuration files: skipped
    }
  };

  for (const arg of args) {
    if (arg === STDIN_PATH) {
      await addFile(arg, true); // never a folder, even if one is named "-"
      continue;
    }
    let isDir = false;
    try {
      isDir = (await stat(arg)).isDirectory();
    } catch {
      // not there or not readable: reading it reports the problem
    }
    if (isDir) {
      const before = files.length;
      await walk(arg, arg);
      folders.push({ path: arg, files: files.length - before });
    } else {
      await addFile(arg, true);
    }
  }
  return { files, problems, folders };
}

export type ReadOutcome =
  | { ok: true; text: string }
  | { ok: false; reason: "unreadable" | "too-large" | "empty" | "binary" | "encoding"; message: string };

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Bytes to analysable text: rejects empty, binary (NUL bytes) and non-UTF-8 content with a one-line
 * message; strips a UTF-8 BOM; turns CRLF into LF.
 */
export function decodeConfig(bytes: Uint8Array): ReadOutcome {
  if (bytes.length === 0) return { ok: false, reason: "empty", message: "empty file" };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      ok: false,
      reason: "encoding",
      message: "UTF-16 text; fwlint reads UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)",
    };
  }
  if (bytes.includes(0)) return { ok: false, reason: "binary", message: "binary file (contains NUL bytes)" };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: "encoding", message: "not valid UTF-8 text" };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return { ok: false, reason: "empty", message: "empty file" };
  return { ok: true, text: text.replace(/\r\n/g, "\n") };
}

/**
 * Collects at most `limit + 1` bytes of a stream, so a FIFO (`fwlint check <(iptables-save)`), a
 * device or a pipe works and an endless one stops.
 */
async function collectBounded(stream: AsyncIterable<Buffer>, limit: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    total += chunk.length;
    if (total > limit) break; // leaving the loop ends the stream
  }
  const bytes = Buffer.concat(chunks, total);
  return total > limit ? { bytes: bytes.subarray(0, limit), truncated: true } : { bytes, truncated: false };
}

async function readBounded(path: string, limit: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const handle = await open(path, "r");
  try {
    return await collectBounded(handle.createReadStream({ autoClose: false, highWaterMark: 1024 * 1024 }), limit);
  } finally {
    await handle.close();
  }
}

/** Reads and decodes one file (`-`: standard input); never throws. */
export async function readConfigFile(path: string, limit = MAX_FILE_BYTES): Promise<ReadOutcome> {
  const stdin = path === STDIN_PATH;
  try {
    if (!stdin) {
      const st = await stat(path);
      if (st.isDirectory()) return { ok: false, reason: "unreadable", message: "is a directory" };
      if (st.isFile() && st.size > limit) {
        return {
          ok: false,
          reason: "too-large",
          message: `file too large (${formatSize(st.size)}; the limit is ${formatSize(limit)}: ${RAISE_HINT})`,
        };
      }
    }
    const { bytes, truncated } = stdin ? await collectBounded(process.stdin, limit) : await readBounded(path, limit);
    if (truncated) return { ok: false, reason: "too-large", message: `${stdin ? "standard input" : "file"} too large (over ${formatSize(limit)}: ${RAISE_HINT})` };
    return decodeConfig(bytes);
  } catch (err) {
    return { ok: false, reason: "unreadable", message: describeFsError(err) };
  }
}
