/**
 * `fwlint check` in-process, with a stand-in engine so that exit codes, file handling and output
 * routing are tested independently of what the real analysis finds (the end-to-end tests in
 * cli-e2e.test.ts run the built CLI on real rulesets).
 *
 * Stand-in format "fake": a file whose first line is `#fake`; each later line `FIND <severity>` is a
 * finding on that line, `DIAG <message>` a warning diagnostic, `FATAL <message>` makes the file fatal.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { FileReport, Finding, Severity } from "../../src/model/finding.js";
import { main } from "../../src/cli/main.js";
import { captureIo } from "./io.js";

vi.mock("../../src/engine/check.js", () => {
  const mod = {
  FWLINT_VERSION: "9.9.9",
  knownFormats: () => ["fake", "other"],
  analyzeText(path: string, text: string, options: { inputFormat?: string; threshold?: number } = {}) {
    const lines = text.split("\n");
    if (options.inputFormat === undefined && lines[0] !== "#fake") {
      return {
        file: { path, format: "unknown", rules: 0, diagnostics: [] },
        findings: [],
        fatal: "not a firewall configuration fwlint reads (expected fake, other)",
      };
    }
    const format = options.inputFormat ?? "fake";
    const findings: Finding[] = [];
    const file: FileReport = { path, format, rules: lines.length, diagnostics: [] };
    for (const [i, line] of lines.entries()) {
      const [word, ...rest] = line.split(" ");
      if (word === "FATAL") return { file, findings: [], fatal: rest.join(" ") };
      if (word === "DIAG") file.diagnostics.push({ severity: "warning", message: rest.join(" "), file: path, line: i + 1, column: 1 });
      if (word === "FIND") {
        findings.push({
          ruleId: "exposed-service",
          severity: rest[0] as Severity,
          message: `finding at line ${i + 1}${options.threshold !== undefined ? ` threshold ${options.threshold}` : ""}`,
          location: { file: path, line: i + 1, column: 1 },
        });
      }
    }
    return { file, findings };
  },
  };
  return { ...mod, analyzeFile: async (path: string, text: string, options?: { inputFormat?: string; threshold?: number }) => mod.analyzeText(path, text, options) };
});

const tmp = mkdtempSync(join(tmpdir(), "fwlint-check-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, content: string | Uint8Array): string {
  const path = join(tmp, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  return path;
}

async function run(argv: string[], opts: { tty?: boolean; env?: Record<string, string> } = {}) {
  const io = captureIo(opts);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

const clean = write("clean.rules", "#fake\nnothing\n");
const high = write("high.rules", "#fake\nFIND high\nFIND low\n");
const medium = write("medium.rules", "#fake\nFIND medium\n");

describe("fwlint check exit codes", () => {
  it("0 without findings, 1 with a finding at or above --fail-on (default high)", async () => {
    expect((await run(["check", clean])).code).toBe(0);
    expect((await run(["check", high])).code).toBe(1);
    expect((await run(["check", medium])).code).toBe(0);
    expect((await run(["check", "--fail-on", "medium", medium])).code).toBe(1);
    expect((await run(["check", "--fail-on=critical", high])).code).toBe(0);
    expect((await run(["check", "--fail-on", "info", high])).code).toBe(1);
    expect((await run(["check", "--fail-on", "none", high])).code).toBe(0);
  });

  it("2 on usage errors, with one line on stderr and nothing on stdout", async () => {
    for (const argv of [
      ["check"],
      ["check", "--format", "xml", clean],
      ["check", "--fail-on", "severe", clean],
      ["check", "--input-format", "pf", clean],
      ["check", "--threshold", "1.5", clean],
      ["check", "--threshold", "abc", clean],
      ["check", "--threshold", "-0.1", clean],
      ["check", "--bogus", clean],
      ["check", "--format"],
    ]) {
      const { code, out, err } = await run(argv);
      expect(code, argv.join(" ")).toBe(2);
      expect(out).toBe("");
      expect(err.trimEnd().split("\n"), argv.join(" ")).toHaveLength(1);
      expect(err).toMatch(/^fwlint check: /);
    }
  });

  it("2 for an unreadable, empty, binary, non-UTF-8 or unparseable named file, still reporting the rest", async () => {
    const cases: [string, string][] = [
      [join(tmp, "missing.rules"), "no such file or directory"],
      [write("empty.rules", ""), "empty file"],
      [write("binary.rules", Uint8Array.from([0x23, 0x00, 0x01])), "binary file (contains NUL bytes)"],
      [write("latin1.rules", Uint8Array.from([0x23, 0x66, 0x61, 0x6b, 0x65, 0x0a, 0xe9, 0x0a])), "not valid UTF-8 text"],
      [write("notfw.txt", "hello\n"), "not a firewall configuration fwlint reads (expected fake, other)"],
      [write("fatal.rules", "#fake\nFATAL broken beyond repair\n"), "broken beyond repair"],
    ];
    for (const [path, message] of cases) {
      const { code, out, err } = await run(["check", path, high]);
      expect(code, path).toBe(2);
      expect(err).toBe(`${path}: ${message}\n`);
      expect(out).toContain(`${high}:2:1 high exposed-service`);
      expect(out).toMatch(/in 2 files; 1 file with errors\n$/);
    }
  });

  it("passes --threshold and --input-format to the engine", async () => {
    const plain = write("plain.rules", "FIND high\n");
    const { code, out } = await run(["check", "--input-format", "other", "--threshold", "0.25", plain]);
    expect(code).toBe(1);
    expect(out).toContain("finding at line 1 threshold 0.25");
  });
});

describe("fwlint check folders", () => {
  it("walks in sorted order and skips silently what is not a firewall configuration", async () => {
    write("tree/b.rules", "#fake\nFIND high\n");
    write("tree/a.rules", "#fake\nFIND low\n");
    write("tree/sub/c.rules", "#fake\nFIND critical\n");
    write("tree/README.md", "# docs\n");
    write("tree/empty", "");
    write("tree/image.png", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00]));
    write("tree/.hidden/d.rules", "#fake\nFIND critical\n");
    const { code, out, err } = await run(["check", join(tmp, "tree")]);
    expect(err).toBe("");
    expect(code).toBe(1);
    const headers = out.split("\n").filter((l) => / exposed-service /.test(l));
    expect(headers.map((h) => h.slice(tmp.length + 1).split(" ")[0])).toEqual([
      "tree/a.rules:2:1",
      "tree/b.rules:2:1",
      "tree/sub/c.rules:2:1",
    ]);
    expect(out).toMatch(/3 findings \(1 critical, 1 high, 1 low\) in 3 files\n$/);
  });

  it("reports a fatal parse error found by a walk", async () => {
    write("tree2/ok.rules", "#fake\n");
    write("tree2/bad.rules", "#fake\nFATAL unterminated table\n");
    const { code, err } = await run(["check", join(tmp, "tree2")]);
    expect(code).toBe(2);
    expect(err).toBe(`${join(tmp, "tree2/bad.rules")}: unterminated table\n`);
  });

  it("is an error when a folder holds no firewall configuration", async () => {
    write("docs/README.md", "# nothing here\n");
    const { code, err } = await run(["check", join(tmp, "docs")]);
    expect(code).toBe(2);
    expect(err).toBe(`${join(tmp, "docs")}: no firewall configuration found in this folder\n`);
  });
});

describe("fwlint check output", () => {
  it("handles CRLF and a BOM", async () => {
    const path = write("crlf.rules", "\ufeff#fake\r\nFIND high\r\n");
    const { code, out } = await run(["check", path]);
    expect(code).toBe(1);
    expect(out).toContain(`${path}:2:1 high exposed-service finding at line 2\n  2 | FIND high\n    | ^\n`);
    expect(out).not.toContain("\r");
  });

  it("fills in source lines and prints diagnostics", async () => {
    const path = write("diag.rules", "#fake\nDIAG odd \x1b[31mthing\n");
    const { code, out } = await run(["check", path]);
    expect(code).toBe(0);
    expect(out).toContain(`${path}:2:1: warning: odd \\x1b[31mthing\n`);
  });

  it("writes the contract's JSON on stdout, errors only on stderr", async () => {
    const empty = write("empty2.rules", "");
    const { code, out, err } = await run(["check", "--format", "json", high, empty]);
    expect(code).toBe(2);
    expect(err).toBe(`${empty}: empty file\n`);
    const report = JSON.parse(out);
    expect(report.version).toBe(1);
    expect(report.tool).toEqual({ name: "fwlint", version: "9.9.9" });
    expect(report.files).toEqual([
      { path: high, format: "fake", rules: 4, diagnostics: [] },
      { path: empty, format: "unknown", rules: 0, diagnostics: [{ severity: "error", message: "empty file", line: 1, column: 1 }] },
    ]);
    expect(report.findings.map((f: Finding) => f.severity)).toEqual(["high", "low"]);
    expect(report.findings[0]).toEqual({
      ruleId: "exposed-service",
      severity: "high",
      message: "finding at line 2",
      location: { file: high, line: 2, column: 1 },
    });
  });

  it("colours only on a TTY without NO_COLOR or --no-color", async () => {
    expect((await run(["check", high], { tty: false })).out).not.toContain("\x1b");
    expect((await run(["check", high], { tty: true })).out).toContain("\x1b[");
    expect((await run(["check", high], { tty: true, env: { NO_COLOR: "1" } })).out).not.toContain("\x1b");
    expect((await run(["check", high], { tty: true, env: { NO_COLOR: "" } })).out).toContain("\x1b[");
    expect((await run(["check", "--no-color", high], { tty: true })).out).not.toContain("\x1b");
  });

  it("prints check help", async () => {
    for (const argv of [["check", "--help"], ["check", "-h"], ["help", "check"]]) {
      const { code, out } = await run(argv);
      expect(code).toBe(0);
      expect(out).toContain("Usage: fwlint check [options] PATH...");
      expect(out).toContain("(fake, other)");
    }
  });
});
