/**
 * BlobReader: one `git cat-file --batch` process reads a repository's blobs in turn - files large
 * enough to come in many pieces, reads made together, an object the repository does not have -, and
 * it can be closed and used again.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BlobReader } from "../../src/cli/git-blobs.js";

const repo = mkdtempSync(join(tmpdir(), "fwlint-git-blobs-"));
afterAll(() => rmSync(repo, { recursive: true, force: true }));
const git = (...args: string[]) => spawnSync("git", args, { cwd: repo, encoding: "utf8" });

const small = "*filter\n:INPUT DROP [0:0]\nCOMMIT\n";
const large = Buffer.alloc(3_000_000, "# a comment line that fills the file\n");
writeFileSync(join(repo, "small.rules"), small);
writeFileSync(join(repo, "large.rules"), large);
git("init", "-q");
const oid = (file: string) => git("hash-object", "-w", file).stdout.trim();

describe("BlobReader", () => {
  it("reads blobs of any size, several at once, and null for an object the repository lacks", async () => {
    const [a, b] = [oid("small.rules"), oid("large.rules")];
    const reader = new BlobReader(repo, (m) => new Error(m));
    try {
      const [x, y, z, missing] = await Promise.all([reader.read(a), reader.read(b), reader.read(a), reader.read("0".repeat(40))]);
      expect(x!.toString("utf8")).toBe(small);
      expect(y!.equals(large)).toBe(true);
      expect(z!.toString("utf8")).toBe(small);
      expect(missing).toBeNull();
      reader.close();
      // closed, it starts another process on the next read; closed while reads wait, it answers them
      const waiting = [reader.read(b), reader.read(a)];
      reader.close();
      const [again, other] = await Promise.all(waiting);
      expect(again!.equals(large)).toBe(true);
      expect(other!.toString("utf8")).toBe(small);
      expect((await reader.read(a))!.toString("utf8")).toBe(small);
    } finally {
      reader.close();
    }
  });

  it("refuses what is no object id, and reports a git that cannot run", async () => {
    const reader = new BlobReader(repo, (m) => new Error(m));
    await expect(reader.read("HEAD:small.rules")).rejects.toThrow("not a git object id: HEAD:small.rules");
    const nowhere = new BlobReader(join(repo, "no-such-folder"), (m) => new Error(m));
    await expect(nowhere.read("0".repeat(40))).rejects.toThrow(/cannot run git|git cat-file --batch ended/);
  });
});
