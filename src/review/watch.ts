/**
 * Re-scan triggers: watch the folders of the scanned files (editors often replace a file by
 * renaming a new one over it, which ends a watch on the file itself) and call back, debounced,
 * when one of those files changes - or, for glob patterns (an nft include's
 * `/etc/nftables.d/*.nft`), when a file matching the pattern's last component comes, changes or
 * goes in its folder.
 */
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { globMatches } from "../model/glob.js";

export function watchFiles(files: readonly string[], onChange: () => void, delayMs = 250, patterns: readonly string[] = []): () => void {
  /** Per folder, the names (or name patterns) in it that matter. */
  const byDir = new Map<string, { names: Set<string>; patterns: Set<string> }>();
  const at = (path: string) => {
    const abs = resolve(path);
    const dir = dirname(abs);
    let entry = byDir.get(dir);
    if (!entry) byDir.set(dir, (entry = { names: new Set(), patterns: new Set() }));
    return { entry, name: basename(abs) };
  };
  for (const f of files) {
    const { entry, name } = at(f);
    entry.names.add(name);
  }
  for (const p of patterns) {
    const { entry, name } = at(p);
    entry.patterns.add(name);
  }
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, delayMs);
  };
  const watchers: FSWatcher[] = [];
  for (const [dir, { names, patterns: dirPatterns }] of byDir) {
    const matters = (name: string) => names.has(name) || [...dirPatterns].some((p) => globMatches(p, name));
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || matters(name.toString())) fire();
      });
      w.on("error", () => undefined); // a folder that goes away just stops being watched
      watchers.push(w);
    } catch {
      // not watchable (missing, permissions, too many watches): the user can still press R to re-scan
    }
  }
  return () => {
    if (timer) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
