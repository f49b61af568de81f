/**
 * The text tools scripts run on their lists (text-tools.ts, posix-regex.ts): each command of
 * text-tools-diff.ts run on seeded random text by fwlint and by the real GNU grep, sed,
 * coreutils and mawk must print the same bytes, or fwlint must refuse it (with why); then what
 * fwlint keeps of the lines it prints: their files and lines, several files, grep's status.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { type ToolText, runTextTool } from "../../../parsers/iptables-script/text-tools.js";
import { posixRegex } from "../../../parsers/iptables-script/posix-regex.js";
import { COMMANDS, randomText, rng } from "./text-tools-diff.js";

/** Text as a tool reads it: its lines at lines 1.. of `file`, open when it ends without a newline. */
function asText(text: string, file = "in"): ToolText {
  const parts = text === "" ? [] : text.split("\n");
  const open = text !== "" && !text.endsWith("\n");
  if (!open) parts.pop();
  const lines = parts.map((t, k) => ({ text: t, line: k + 1, column: 1, file }));
  return open ? { lines, open } : { lines };
}

/** What fwlint's tool prints (or why it refuses), given standard input and files. */
function run(argv: string[], stdin: string, files: Record<string, string> = {}): string | { why: string } {
  const r = runTextTool(argv, {
    stdin: () => asText(stdin),
    file: (p) => (files[p] === undefined ? { why: `${p}: no such file` } : asText(files[p]!, p)),
    at: { line: 1, column: 1 },
  });
  if (r === undefined) throw new Error(`${argv[0]} is no text tool`);
  return "why" in r ? r : r.lines.map((l) => l.text).join("\n") + (r.lines.length > 0 && !r.open ? "\n" : "");
}

const real = (tool: string) => (tool === "awk" ? "mawk" : tool);
const missing = [...new Set(COMMANDS.map((c) => real(c[0]!)))].filter((t) => spawnSync(t, ["--version"], { encoding: "utf8" }).error !== undefined && spawnSync(t, ["-W", "version"]).error !== undefined);

describe("text tools against GNU grep, sed, coreutils and mawk", () => {
  if (missing.length > 0) console.warn(`text tools: ${missing.join(", ")} not installed here; the commands that need them are not compared`);
  // (CI installs them: there a missing one is a failure, not a skip)
  if (missing.length > 0 && process.env.FWLINT_REQUIRE_KERNEL === "1") it("has the real tools", () => expect.fail(`FWLINT_REQUIRE_KERNEL=1 but ${missing.join(", ")} missing`));
  it("print what the real tools print, on 20 random texts for each command, or refuse with why", () => {
    let compared = 0;
    let refused = 0;
    const differ: string[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const next = rng(seed * 7919);
      for (const cmd of COMMANDS) {
        const text = randomText(next);
        if (missing.includes(real(cmd[0]!))) continue;
        const ours = run(cmd, text);
        if (typeof ours !== "string") {
          expect(ours.why).toMatch(/\S/);
          refused++;
          continue;
        }
        const theirs = spawnSync(real(cmd[0]!), cmd.slice(1), { input: text, encoding: "utf8", env: { LC_ALL: "C", PATH: process.env.PATH } });
        expect(theirs.status === 0 || theirs.status === 1, `${cmd.join(" ")}: ${theirs.stderr}`).toBe(true);
        compared++;
        if (ours !== theirs.stdout && differ.length < 5) differ.push(`${JSON.stringify(cmd)} on ${JSON.stringify(text)}: ${JSON.stringify(theirs.stdout)}, fwlint ${JSON.stringify(ours)}`);
      }
    }
    expect(differ).toEqual([]);
    // (each command is compared on most texts: only sort refuses orders the locale could change)
    if (missing.length === 0) expect(compared).toBeGreaterThan(COMMANDS.length * 20 * 0.9);
    expect(refused).toBeLessThan(COMMANDS.length * 20 * 0.1);
  });

  it("outputs written out, as the real tools print them", () => {
    const list = "# admins\n198.51.100.7  alice\n\n203.0.113.0/24 office # main\n";
    expect(run(["grep", "-v", "^#"], list)).toBe("198.51.100.7  alice\n\n203.0.113.0/24 office # main\n");
    expect(run(["grep", "-Ev", "^(#|$)"], list)).toBe("198.51.100.7  alice\n203.0.113.0/24 office # main\n");
    expect(run(["sed", "-e", "s/#.*//", "-e", "/^[[:space:]]*$/d"], list)).toBe("198.51.100.7  alice\n203.0.113.0/24 office \n");
    expect(run(["awk", "!/^#/ && NF {print $1}"], list)).toBe("198.51.100.7\n203.0.113.0/24\n");
    expect(run(["cut", "-d", " ", "-f1"], list)).toBe("#\n198.51.100.7\n\n203.0.113.0/24\n");
    expect(run(["tr", "\\n", ","], "22\n25\n")).toBe("22,25,");
    expect(run(["sort", "-nu"], "25\n22\n25\n110\n")).toBe("22\n25\n110\n");
    expect(run(["sed", "s/a*/x/g"], "baaac\n")).toBe("xbxcx\n");
  });

  it("refuse what they could get wrong: a longest match POSIX may take elsewhere, a locale's order, in-place edits, unknown options", () => {
    expect(run(["sed", "s/a\\|ab/X/"], "ab\n")).toEqual({ why: "sed's s with 'a\\|ab', where the longest match POSIX takes may differ" });
    expect(run(["sort"], "b-2\nb1\n")).toEqual({ why: "sort's order of these lines depends on the locale the script runs in" });
    expect(run(["sed", "-i", "s/a/b/", "f"], "")).toEqual({ why: "sed -i edits the file in place, which fwlint does not follow" });
    expect(run(["grep", "-P", "\\d"], "")).toEqual({ why: "grep's option -P is not followed" });
    expect(run(["awk", "{ x = $1; print x }"], "")).toMatchObject({ why: expect.stringMatching(/^awk's program/) });
    expect(run(["grep", "x", "nofile"], "")).toEqual({ why: "nofile: no such file" });
  });

  it("keep each line's file and line; read several files as the tools do", () => {
    const files = { "a.txt": "1\n2", "b.txt": "3\n" };
    const r = runTextTool(["grep", "-v", "^2$", "a.txt", "b.txt"], { stdin: () => ({ why: "none" }), file: (p) => asText(files[p as "a.txt"], p), at: { line: 9, column: 1 } });
    expect(r).toEqual({ lines: [{ text: "a.txt:1", line: 1, column: 1, file: "a.txt" }, { text: "b.txt:3", line: 1, column: 1, file: "b.txt" }] });
    // cat runs a file's last line without its newline into the next file's first
    expect(run(["cat", "a.txt", "b.txt"], "", files)).toBe("1\n23\n");
    expect(run(["grep", "-h", "[0-9]", "a.txt", "b.txt"], "", files)).toBe("1\n2\n3\n");
    // grep's status: a line selected or not
    const status = (argv: string[]) => runTextTool(argv, { stdin: () => asText("smtp\nimap\n"), file: () => ({ why: "none" }), at: { line: 1, column: 1 } });
    expect(status(["grep", "-q", "^smtp"])).toEqual({ lines: [] });
    expect(status(["grep", "-qx", "pop3"])).toEqual({ lines: [], failed: true });
  });
});

describe("POSIX expressions as JavaScript ones", () => {
  it("translate what is written differently, and say where the longest match may differ", () => {
    expect(posixRegex("^*a\\{2,\\}[]\\.]$", false, "grep")).toEqual({ source: "^\\*a{2,}[\\]\\\\.]$", ambiguous: false, groups: 0, degree: 1, anchored: true });
    expect(posixRegex("a|b+", false, "sed")).toEqual({ source: "a\\|b\\+", ambiguous: false, groups: 0, degree: 0, anchored: false });
    expect(posixRegex("(a|b)+", true, "sed")).toMatchObject({ source: "(a|b)+", ambiguous: true, groups: 1 });
    expect(posixRegex("[[:space:]]*#", true, "awk")).toMatchObject({ source: "[ \\t\\n\\r\\f\\v]*#", ambiguous: false, groups: 0 });
    expect(posixRegex("[[=a=]]", false, "grep")).toEqual({ why: "'[=a=]' (collating elements and equivalence classes are not followed)" });
    expect(posixRegex("\\w", true, "awk")).toEqual({ why: "'\\w' (awk reads it its own way)" });
  });

  it("say how the work of backtracking grows, so that a tool refuses what could hang it", () => {
    expect(posixRegex("^[[:space:]]*#", false, "grep")).toMatchObject({ degree: 1, anchored: true });
    expect(posixRegex("[0-9]+ +[a-z]*", true, "grep")).toMatchObject({ degree: 3, anchored: false });
    expect(posixRegex("([0-9]+\\.){3}", true, "grep")).toMatchObject({ degree: 3 });
    expect(posixRegex("(a+)+b", true, "grep")).toMatchObject({ degree: Infinity });
    const long = "a".repeat(40);
    expect(run(["grep", "-E", "(a+)+b"], `${long}\n`)).toEqual({ why: "grep's expression '(a+)+b' could take fwlint too long on this text (JavaScript's matcher backtracks where GNU's does not)" });
    expect(run(["grep", "-E", "(a+)+b"], "aab\n")).toBe("aab\n");
    expect(run(["sed", "s/a*a*a*a*b/x/"], `${"a".repeat(2000)}\n`)).toMatchObject({ why: expect.stringContaining("could take fwlint too long") });
  });
});
