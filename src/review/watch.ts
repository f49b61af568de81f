/**
 * Re-scan triggers: watch the folders of the scanned files (editors often replace a file by
 * renaming a new one over it, which ends a watch on the file itself) and call back, debounced,
 * when one of those files changes.
 */
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";

export function watchFiles(files: readonly string[], onChange: () => void, delayMs = 250): () => void {
  const byDir = new Map<string, Set<string>>();
  for (const f of files) {
    const abs = resolve(f);
    const dir = dirname(abs);
    if (!byDir.has(dir)) byDir.set(dir, new Set());
    byDir.get(dir)!.add(basename(abs));
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
  for (const [dir, names] of byDir) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) fire();
      });
      w.on("error", () => undefined); // a folder that goes away just stops being watched
      watchers.push(w);
    } catch {
      // not watchable (permissions, too many watches): the user can still press R to re-scan
    }
  }
  return () => {
    if (timer) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
