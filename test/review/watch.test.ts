/**
 * Re-scan triggers: a change to a watched file calls back once (debounced), also when an editor
 * replaces the file by renaming a new one over it; other files in the folder do not.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { watchFiles } from "../../src/review/watch.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-review-watch-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("watchFiles", () => {
  it("one call per burst of changes, on write and on rename-over; not for other files", async () => {
    const file = join(tmp, "fw.rules");
    writeFileSync(file, "*filter\nCOMMIT\n");
    let calls = 0;
    const stop = watchFiles([file], () => calls++, 100);
    try {
      await sleep(100);
      writeFileSync(join(tmp, "other.txt"), "x");
      await sleep(400);
      expect(calls).toBe(0);
      for (let i = 0; i < 5; i++) writeFileSync(file, `*filter\n# edit ${i}\nCOMMIT\n`);
      await sleep(500);
      expect(calls).toBe(1);
      writeFileSync(join(tmp, ".fw.rules.swp"), "new content");
      renameSync(join(tmp, ".fw.rules.swp"), file);
      await sleep(500);
      expect(calls).toBe(2);
    } finally {
      stop();
    }
    writeFileSync(file, "after stop");
    await sleep(400);
    expect(calls).toBe(2);
  });
});
