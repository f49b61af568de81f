/**
 * The built CLI end to end: `npm run build`, then `node bin/fwlint.js ...` as a user would run it.
 * Rulesets are small files written into a temp dir here (plus the lead's open-relay fixture).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCliOnce } from "../build-cli.js";
import { modulesLoaded } from "../module-loads.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "bin", "fwlint.js");
const tmp = mkdtempSync(join(tmpdir(), "fwlint-e2e-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => buildCliOnce(), 130_000);

function fwlint(args: string[], env: Record<string, string> = {}, input = "") {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: tmp,
    input,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "", FORCE_COLOR: "", ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function write(rel: string, content: string | Uint8Array): string {
  const path = join(tmp, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return rel;
}

const SMTP_OPEN = [
  "*filter",
  ":INPUT DROP [0:0]",
  ":FORWARD DROP [0:0]",
  ":OUTPUT ACCEPT [0:0]",
  "-A INPUT -i lo -j ACCEPT",
  "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
  "-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT",
  "COMMIT",
  "",
].join("\n");

const CLOSED = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]",
  "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "COMMIT", ""].join("\n");

/** No stack trace: no "    at fn (file:line:col)" frames. */
const STACK = /^\s+at .*[:(]/m;

describe("fwlint (built)", () => {
  it("--version and --help", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(fwlint(["--version"])).toEqual({ code: 0, out: `fwlint ${pkg.version}\n`, err: "" });
    const help = fwlint(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("check PATH...");
  });

  it("reports an exposed SMTP port in text and exits 1", () => {
    const file = write("smtp.rules", SMTP_OPEN);
    const { code, out, err } = fwlint(["check", file]);
    expect(err).toBe("");
    expect(code).toBe(1);
    expect(out).toMatch(/^smtp\.rules:7:1 high exposed-service .*25/m);
    expect(out).toContain("  7 | -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT\n    | ^\n");
    expect(out).toMatch(/^ {2}e\.g\. tcp \S+:\d+ -> \S+:25/m);
    expect(out).toMatch(/^ {2}decided by:\n {4}filter INPUT smtp\.rules:7 /m);
    expect(out).not.toContain("\x1b");
  });

  it("reads a ruleset from standard input as '-' (iptables-save | fwlint check -, trace -, diff FILE -)", () => {
    const text = fwlint(["check", "-"], {}, SMTP_OPEN);
    expect(text.err).toBe("");
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^-:7:1 high exposed-service .*25/m);
    expect(text.out).toContain("  7 | -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT\n");
    // named twice, read once; alongside a file
    const json = fwlint(["check", "--format", "json", "-", write("closed.rules", CLOSED), "-"], {}, SMTP_OPEN);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out);
    expect(report.files.map((f: { path: string; format: string }) => [f.path, f.format])).toEqual([["-", "iptables"], ["closed.rules", "iptables"]]);
    expect(report.findings.find((f: { ruleId: string }) => f.ruleId === "exposed-service").location).toEqual({ file: "-", line: 7, column: 1 });
    expect(fwlint(["check", "-"], {}, CLOSED).code).toBe(0);
    expect(fwlint(["check", "-"], {}, "")).toEqual({ code: 2, out: "no findings in 1 file; 1 file with errors\n", err: "-: empty file\n" });
    // the live firewall against the committed file
    const drift = fwlint(["diff", write("closed.rules", CLOSED), "-"], {}, SMTP_OPEN);
    expect(drift.err).toBe("");
    expect(drift.code).toBe(1);
    expect(drift.out).toMatch(/^this change opens TCP\/25 from any source .*\(-:7\)/m);
    expect(fwlint(["diff", "-", "-"], {}, SMTP_OPEN)).toMatchObject({ code: 2, err: expect.stringMatching(/^fwlint diff: OLD and NEW cannot both be standard input/) });
    const traced = fwlint(["trace", "-", "--src", "198.51.100.7", "--dst", "10.0.0.5", "--proto", "tcp", "--dport", "25"], {}, SMTP_OPEN);
    expect(traced).toEqual({ code: 0, out: expect.stringMatching(/^tcp 198\.51\.100\.7 -> 10\.0\.0\.5:25 \[input\]: ACCEPT\n.*filter INPUT -:7 accept/s), err: "" });
  });

  it("exits 0 on a closed ruleset and with --fail-on none", () => {
    expect(fwlint(["check", write("closed.rules", CLOSED)]).code).toBe(0);
    expect(fwlint(["check", "--fail-on", "none", write("smtp.rules", SMTP_OPEN)]).code).toBe(0);
  });

  it("writes the contract's JSON report", () => {
    const file = write("smtp.rules", SMTP_OPEN);
    const { code, out } = fwlint(["check", "--format", "json", file]);
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ version: 1, tool: { name: "fwlint" } });
    expect(report.files).toEqual([{ path: "smtp.rules", format: "iptables", rules: 3, diagnostics: [] }]);
    const smtp = report.findings.find((f: { ruleId: string; location: { line: number } }) => f.ruleId === "exposed-service" && f.location.line === 7);
    expect(smtp).toBeDefined();
    expect(smtp.severity).toBe("high");
    expect(smtp.location).toEqual({ file: "smtp.rules", line: 7, column: 1 });
    expect(smtp.exposure).toMatchObject({ family: 4, protocol: "tcp", ports: [[25, 25]], direction: "inbound" });
    expect(smtp.witness).toMatchObject({ family: 4, proto: "tcp", dport: 25, hook: "input" });
    expect(smtp.trace.length).toBeGreaterThan(0);
    for (const step of smtp.trace) expect(step).toEqual(expect.objectContaining({ chain: expect.any(String), rule: expect.any(String), line: expect.any(Number) }));
  });

  it("reads the open-relay fixture", () => {
    const fixture = join(root, "fixtures", "iptables", "open-relay.rules");
    const { code, out } = fwlint(["check", "--format", "json", fixture]);
    expect(code).toBe(1);
    const lines = JSON.parse(out).findings.filter((f: { ruleId: string }) => f.ruleId === "exposed-service").map((f: { location: { line: number } }) => f.location.line);
    expect(lines).toContain(16);
  });

  it("gives the same findings for CRLF line endings and a BOM", () => {
    const lf = fwlint(["check", "--format", "json", write("lf.rules", SMTP_OPEN)]);
    const crlf = fwlint(["check", "--format", "json", write("crlf.rules", "\ufeff" + SMTP_OPEN.replace(/\n/g, "\r\n"))]);
    const strip = (out: string) => JSON.parse(out).findings.map((f: { location: object; trace?: { file: string }[] }) => ({ ...f, location: { ...f.location, file: "" }, trace: f.trace?.map((s) => ({ ...s, file: "" })) }));
    expect(crlf.code).toBe(lf.code);
    expect(strip(crlf.out)).toEqual(strip(lf.out));
    expect(fwlint(["check", "crlf.rules"]).out).not.toContain("\r");
  });

  it("exits 2 with one line and no stack trace for bad files and bad usage", () => {
    write("empty.rules", "");
    write("notes.txt", "just some notes\n");
    write("nftables.conf", "# include \"/etc/nftables/main.nft\"\n\n  ! nothing else\r\n");
    write("binary.rules", Uint8Array.from([0x2a, 0x66, 0x00, 0x01]));
    // truncated: detected as nft JSON, but nothing in it can be read
    write("truncated.json", '{"nftables": [\n  {"add": {"table": {"family": "inet", "name": "fw"}}},\n  {"add": {"chain": {"family": "inet", "tab');
    for (const [args, expected] of [
      [["check", "empty.rules"], "empty.rules: empty file\n"],
      [["check", "binary.rules"], "binary.rules: binary file (contains NUL bytes)\n"],
      [["check", "missing.rules"], "missing.rules: no such file or directory\n"],
      [["check", "notes.txt"], /^notes\.txt: not a firewall configuration fwlint reads \(expected iptables/],
      [["check", "nftables.conf"], "nftables.conf: holds no rules: only comments and blank lines\n"],
      [["check", "truncated.json"], "truncated.json: could not be parsed as nft-json: no chain or rule could be read (see the errors)\n"],
      [["check", "--nope", "smtp.rules"], /^fwlint check: unknown option '--nope'/],
      [["frob"], /^fwlint: unknown command 'frob'/],
    ] as const) {
      const { code, err } = fwlint([...args]);
      expect(code, args.join(" ")).toBe(2);
      if (typeof expected === "string") expect(err).toBe(expected);
      else expect(err).toMatch(expected);
      expect(err.trimEnd().split("\n")).toHaveLength(1);
      expect(err).not.toMatch(STACK);
    }
  });

  it("--skip-unknown skips named files that are not rulesets, and still fails on those it cannot parse", () => {
    write("smtp.rules", SMTP_OPEN);
    write("notes.txt", "just some notes\n");
    write("settings.json", '{"compilerOptions": {"strict": true}}\n');
    write("blank.rules", "");
    write("binary.rules", Uint8Array.from([0x2a, 0x66, 0x00, 0x01]));
    write("nftables.conf", "# include \"/etc/nftables/main.nft\"\n");
    const all = fwlint(["check", "--skip-unknown", "--format", "json", "notes.txt", "settings.json", "blank.rules", "binary.rules", "nftables.conf", "smtp.rules"]);
    expect(all.code, all.err).toBe(1);
    expect(all.err).toBe("");
    const report = JSON.parse(all.out) as { files: { path: string }[]; findings: { ruleId: string; location: { file: string } }[] };
    expect(report.files.map((f) => f.path)).toEqual(["smtp.rules"]);
    expect(report.findings.some((f) => f.ruleId === "exposed-service" && f.location.file === "smtp.rules")).toBe(true);
    // nothing left to check is no error: a hook given only other files passes
    expect(fwlint(["check", "--skip-unknown", "notes.txt", "settings.json"]).code).toBe(0);
    // a file fwlint recognises but cannot read, and a missing one, are still errors
    write("truncated.json", '{"nftables": [\n  {"add": {"table": {"family": "inet", "name": "fw"}}},\n  {"add": {"chain": {"family": "inet", "tab');
    const bad = fwlint(["check", "--skip-unknown", "notes.txt", "truncated.json", "missing.rules"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("truncated.json: could not be parsed as nft-json");
    expect(bad.err).toContain("missing.rules: no such file or directory");
    expect(bad.err).not.toContain("notes.txt");
    // standard input is what the user meant to check: never skipped
    const stdin = fwlint(["check", "--skip-unknown", "-"], {}, "just some notes\n");
    expect(stdin.code).toBe(2);
    expect(stdin.err).toMatch(/^-: not a firewall configuration fwlint reads/);
    // a file too large to read is skipped as in folders, and said so
    write("huge.json", "a".repeat(10 * 1024 * 1024 + 10));
    const huge = fwlint(["check", "--skip-unknown", "huge.json", "smtp.rules"]);
    expect(huge.code).toBe(1);
    expect(huge.err).toMatch(/^huge\.json: skipped: file too large/);
  });

  it("--max-file-size sets the largest file read, for every command that reads rulesets", () => {
    // a ruleset of ~1.4 KB: past a 1K limit, within 2K
    const padded = SMTP_OPEN.replace("COMMIT", `${"# padding\n".repeat(120)}COMMIT`);
    const file = write("limit/smtp.rules", padded);
    const over = fwlint(["check", "--max-file-size", "1K", file]);
    expect(over.code).toBe(2);
    expect(over.err).toMatch(/^limit\/smtp\.rules: file too large \(1\.\d KB; the limit is 1\.0 KB: raise it with --max-file-size\)$/m);
    expect(fwlint(["check", "--max-file-size", "2K", file]).code).toBe(1);
    // found by a walk: skipped with the same words
    const walked = fwlint(["check", "--max-file-size", "1024", "limit"]);
    expect(walked.err).toMatch(/limit\/smtp\.rules: skipped: file too large \(1\.\d KB; the limit is 1\.0 KB/);
    expect(fwlint(["check", "--max-file-size=1.5k", "limit"]).code).toBe(1);
    // the other commands read with the same limit
    const closed = write("limit/closed.rules", CLOSED);
    expect(fwlint(["diff", "--max-file-size", "1K", closed, file]).err).toMatch(/smtp\.rules: file too large/);
    expect(fwlint(["diff", "--max-file-size", "2K", closed, file]).code).toBe(1);
    const trace = ["--src", "203.0.113.7", "--dst", "10.0.0.5", "--proto", "tcp", "--dport", "25"];
    expect(fwlint(["trace", file, "--max-file-size", "1K", ...trace]).err).toMatch(/file too large/);
    expect(fwlint(["trace", file, "--max-file-size", "2K", ...trace]).out).toMatch(/accept/i);
    expect(fwlint(["baseline", "--max-file-size", "1K", "-o", "limit-baseline.json", file]).err).toMatch(/file too large/);
    // a size that is not one is a usage error
    for (const bad of ["0", "12X", "-5", "K"]) {
      const r = fwlint(["check", "--max-file-size", bad, file]);
      expect(r.code, bad).toBe(2);
      expect(r.err).toContain("--max-file-size must be a size such as 50M");
    }
  });

  it("survives garbage that looks like a ruleset without a stack trace", () => {
    const file = write("garbage.rules", "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 99999 -j ACCEPT\n-A NOPE -x -y -z\n\x1b[2J\nCOMMIT\n");
    const { code, out, err } = fwlint(["check", file]);
    expect([0, 1, 2]).toContain(code);
    expect(err).not.toMatch(STACK);
    expect(out + err).not.toContain("\x1b");
  });

  it("walks a folder, skipping files that are not rulesets", () => {
    write("etc/iptables/rules.v4", SMTP_OPEN);
    write("etc/iptables/rules.v6.bak", CLOSED);
    write("etc/iptables/README", "notes\n");
    write("etc/.git/config", "[core]\n");
    const { code, out, err } = fwlint(["check", "etc"]);
    expect(err).toBe("");
    expect(code).toBe(1);
    expect(out).toContain("etc/iptables/rules.v4:7:1 high exposed-service");
    expect(out.trimEnd().split("\n").at(-1)).toMatch(/ in 2 files$/);
  });

  it("keeps main's static imports light (engine and reporters load on demand)", () => {
    // The bundled entry may import node built-ins and small shared chunks; the engine, the parsers
    // and chevrotain must only be reached through import() when a command runs.
    const mainFile = join(root, "dist", "src", "cli", "main.js");
    const src = readFileSync(mainFile, "utf8");
    const imports = [...src.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!);
    for (const m of imports) {
      if (m.startsWith("node:")) continue;
      const chunk = readFileSync(join(dirname(mainFile), m), "utf8");
      expect(chunk.length, m).toBeLessThan(8_000);
      expect(chunk).not.toMatch(/chevrotain|performSelfAnalysis/);
    }
    expect(src).toMatch(/import\(/);
  });

  it("loads only the reader of the file's format (no iptables grammar for an ASA or nftables file)", () => {
    const chunks = join(root, "dist", "chunks");
    const chunkHolding = (text: string) => readdirSync(chunks).filter((f) => readFileSync(join(chunks, f), "utf8").includes(text));
    // the chunks that build a chevrotain parser, and the one holding the iptables grammar
    const grammars = chunkHolding("performSelfAnalysis");
    const iptables = chunkHolding("IptablesLineParser");
    expect(iptables).toHaveLength(1);
    const loaded = (fixture: string) => {
      const r = modulesLoaded(tmp, [bin, "check", join(root, "fixtures", fixture)]);
      expect(r.status, r.stderr).toBe(1); // each has a finding
      return r.urls.filter((u) => u.includes("/dist/chunks/")).map((u) => u.slice(u.lastIndexOf("/") + 1));
    };
    const asa = loaded("cisco-asa/edge.asa");
    expect(asa.some((f) => f.startsWith("cisco-asa-"))).toBe(true);
    expect(asa.filter((f) => grammars.includes(f))).toEqual([]); // the ASA reader is hand-written
    expect(loaded("nftables/defines.nft").filter((f) => iptables.includes(f))).toEqual([]);
    const ipt = loaded("iptables/open-relay.rules");
    expect(ipt.filter((f) => iptables.includes(f))).toEqual(iptables);
    // the XML parser comes with the PAN-OS reader only
    expect(ipt.filter((f) => f.startsWith("vendor-xml-") || f.startsWith("panos-"))).toEqual([]);
    const pan = loaded("panos/edge.xml");
    expect(pan.some((f) => f.startsWith("vendor-xml-")) && pan.some((f) => f.startsWith("panos-"))).toBe(true);
  });

  it("reads .fwlint.yaml with the bundled yaml and ajv, and loads neither without one", () => {
    write("cfg/.git/HEAD", "ref: refs/heads/main\n");
    write("cfg/rules.v4", SMTP_OPEN);
    write("cfg/.fwlint.yaml", "threshold: 7\n");
    const bad = fwlint(["check", "cfg/rules.v4"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("cfg/.fwlint.yaml:1:12: threshold: must be <= 1");
    expect(bad.err).not.toMatch(STACK);
    write("cfg/.fwlint.yaml", "intent:\n  - {service: smtp, reason: our MX}\n");
    const ok = fwlint(["check", "--format", "json", "cfg/rules.v4"]);
    expect(ok.err).toBe("");
    expect((JSON.parse(ok.out) as { findings: { ruleId: string }[] }).findings.filter((f) => f.ruleId === "exposed-service")).toEqual([]);
    // Without a configuration file, check does not load yaml and ajv.
    write("nocfg/.git/HEAD", "ref: refs/heads/main\n");
    const rules = join(tmp, write("nocfg/rules.v4", SMTP_OPEN));
    const probe = [
      `import { createRequire } from "node:module";`,
      `const { main } = await import(${JSON.stringify(pathToFileURL(join(root, "dist", "src", "cli", "main.js")).href)});`,
      `const io = { stdout() {}, stderr() {}, stdoutIsTTY: false, env: {} };`,
      `await main(["check", ${JSON.stringify(rules)}], io);`,
      `const loaded = Object.keys(createRequire(import.meta.url).cache);`,
      `process.stdout.write(String(loaded.some((k) => k.includes("yaml-ajv"))));`,
    ].join("\n");
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { cwd: tmp, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("false");
  });
});
