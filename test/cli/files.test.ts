import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeConfig, expandPaths, parseByteSize, readConfigFile } from "../../src/cli/files.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-files-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, content: string | Uint8Array): string {
  const path = join(tmp, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  return path;
}

describe("decodeConfig", () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it("rejects empty, binary and non-UTF-8 content with one-line messages", () => {
    expect(decodeConfig(new Uint8Array())).toEqual({ ok: false, reason: "empty", message: "empty file" });
    expect(decodeConfig(Uint8Array.from([0x2a, 0x00, 0x41]))).toMatchObject({ ok: false, reason: "binary" });
    expect(decodeConfig(Uint8Array.from([0x2a, 0x66, 0x69, 0xe9, 0x0a]))).toMatchObject({ ok: false, reason: "encoding", message: "not valid UTF-8 text" });
    expect(decodeConfig(Uint8Array.from([0xff, 0xfe, 0x2a, 0x00]))).toMatchObject({ ok: false, reason: "encoding" });
    for (const r of [decodeConfig(Uint8Array.from([0])), decodeConfig(Uint8Array.from([0xc3]))]) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).not.toContain("\n");
    }
  });

  it("strips a BOM and turns CRLF into LF", () => {
    expect(decodeConfig(enc("\ufeff*filter\r\n:INPUT DROP [0:0]\r\nCOMMIT\r\n"))).toEqual({
      ok: true,
      text: "*filter\n:INPUT DROP [0:0]\nCOMMIT\n",
    });
    expect(decodeConfig(enc("\ufeff"))).toMatchObject({ ok: false, reason: "empty" });
  });

  it("accepts UTF-8 text", () => {
    expect(decodeConfig(enc("# héllo ✓\n"))).toEqual({ ok: true, text: "# héllo ✓\n" });
  });
});

describe("readConfigFile", () => {
  it("reads files and reports problems without throwing", async () => {
    expect(await readConfigFile(write("ok.rules", "*filter\nCOMMIT\n"))).toEqual({ ok: true, text: "*filter\nCOMMIT\n" });
    expect(await readConfigFile(write("empty.rules", ""))).toMatchObject({ ok: false, message: "empty file" });
    expect(await readConfigFile(join(tmp, "missing.rules"))).toEqual({ ok: false, reason: "unreadable", message: "no such file or directory" });
    expect(await readConfigFile(tmp)).toMatchObject({ ok: false, message: "is a directory" });
  });

  it("refuses files over the size limit", async () => {
    const path = write("big.rules", "x".repeat(2048));
    expect(await readConfigFile(path, 1024)).toMatchObject({ ok: false, reason: "too-large" });
  });
});

describe("expandPaths", () => {
  it("walks folders recursively in sorted order, skipping hidden folders and node_modules", async () => {
    const root = join(tmp, "walk");
    write("walk/b.rules", "x");
    write("walk/a.rules", "x");
    write("walk/sub/z.rules", "x");
    write("walk/sub/deeper/c.rules", "x");
    write("walk/A.rules", "x");
    write("walk/.hidden/secret.rules", "x");
    write("walk/.git/config", "x");
    write("walk/node_modules/pkg/x.rules", "x");
    write("walk/.dotfile.rules", "x");
    const { files, problems } = await expandPaths([root]);
    expect(problems).toEqual([]);
    expect(files.map((f) => f.path.slice(root.length + 1))).toEqual([
      ".dotfile.rules",
      "A.rules",
      "a.rules",
      "b.rules",
      "sub/deeper/c.rules",
      "sub/z.rules",
    ]);
    expect(files.every((f) => !f.explicit && f.folder === root)).toBe(true);
  });

  it("keeps named files as given and in argument order, each once", async () => {
    const a = write("order/a.rules", "x");
    const b = write("order/b.rules", "x");
    const { files } = await expandPaths([b, a, join(tmp, "order"), b]);
    expect(files).toEqual([
      { path: b, explicit: true },
      { path: a, explicit: true },
    ]);
  });

  it("lists a missing named file so that reading it reports the error", async () => {
    const missing = join(tmp, "nope.rules");
    const { files, problems } = await expandPaths([missing]);
    expect(files).toEqual([{ path: missing, explicit: true }]);
    expect(problems).toEqual([]);
  });

  it("survives symbolic link loops and warns about broken links", async () => {
    write("loop/x.rules", "x");
    symlinkSync(join(tmp, "loop"), join(tmp, "loop/again"));
    symlinkSync(join(tmp, "loop/x.rules"), join(tmp, "loop/y.rules"));
    symlinkSync(join(tmp, "loop/nowhere"), join(tmp, "loop/broken.rules"));
    const { files, problems } = await expandPaths([join(tmp, "loop")]);
    expect(files.map((f) => f.path)).toEqual([join(tmp, "loop/x.rules")]);
    expect(problems).toEqual([{ path: join(tmp, "loop/broken.rules"), message: "skipped: broken symbolic link", level: "warning" }]);
  });

  it("skips files over 10 MB in a walk with a warning", async () => {
    write("large/small.rules", "x");
    write("large/huge.rules", new Uint8Array(10 * 1024 * 1024 + 1));
    const { files, problems } = await expandPaths([join(tmp, "large")]);
    expect(files.map((f) => f.path)).toEqual([join(tmp, "large/small.rules")]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: join(tmp, "large/huge.rules"), level: "warning" });
    expect(problems[0]!.message).toMatch(/^skipped: file too large \(10\.0 MB; the limit is 10\.0 MB: raise it with --max-file-size\)$/);
  });

  it("reads --max-file-size values: bytes, or K, M, G (binary), KB and MiB alike", () => {
    expect(parseByteSize("200000")).toBe(200000);
    expect(parseByteSize("50M")).toBe(50 * 1024 * 1024);
    expect(parseByteSize("50 MiB")).toBe(50 * 1024 * 1024);
    expect(parseByteSize("1.5g")).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize("64KB")).toBe(64 * 1024);
    expect(parseByteSize("100b")).toBe(100);
    for (const bad of ["", "0", "0.1", "-1", "12X", "M", "1e6", "5 M B"]) expect(parseByteSize(bad), bad).toBeUndefined();
  });

  it("skips files over the limit it is given in a walk", async () => {
    write("limited/a.rules", "x".repeat(2000));
    write("limited/b.rules", "x".repeat(500));
    const { files, problems } = await expandPaths([join(tmp, "limited")], 1024);
    expect(files.map((f) => f.path)).toEqual([join(tmp, "limited/b.rules")]);
    expect(problems[0]!.message).toBe("skipped: file too large (2.0 KB; the limit is 1.0 KB: raise it with --max-file-size)");
  });

  it("reports the folders given and how many files each produced", async () => {
    mkdirSync(join(tmp, "emptydir"), { recursive: true });
    const { folders } = await expandPaths([join(tmp, "emptydir"), join(tmp, "order")]);
    expect(folders).toEqual([
      { path: join(tmp, "emptydir"), files: 0 },
      { path: join(tmp, "order"), files: 2 },
    ]);
  });
});
