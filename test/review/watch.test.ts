/**
 * Re-scan triggers: a change to a watched file calls back once (debounced), also when an editor
 * replaces the file by renaming a new one over it; other files in the folder do not. A glob
 * pattern (an nft include's nftables.d/*.nft) calls back for the files it matches, new ones too.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
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

  it("a glob pattern: a matching file that comes, changes or goes calls back; other names and hidden files do not", async () => {
    const dir = join(tmp, "nftables.d");
    mkdirSync(dir);
    writeFileSync(join(dir, "10-ssh.nft"), "tcp dport 22 accept\n");
    let calls = 0;
    const stop = watchFiles([], () => calls++, 100, [join(dir, "*.nft")]);
    try {
      await sleep(100);
      writeFileSync(join(dir, "notes.txt"), "x");
      writeFileSync(join(dir, ".20-mail.nft.swp"), "x");
      await sleep(400);
      expect(calls).toBe(0);
      writeFileSync(join(dir, "20-mail.nft"), "tcp dport 25 accept\n");
      await sleep(500);
      expect(calls).toBe(1);
      unlinkSync(join(dir, "10-ssh.nft"));
      await sleep(500);
      expect(calls).toBe(2);
    } finally {
      stop();
    }
  });
});
