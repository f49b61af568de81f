/**
 * `fwlint check` with a configuration, suppressions and a baseline; `fwlint baseline` and `fwlint
 * schema`. In-process with the real engine (no stand-in), on small iptables files in a temp dir that
 * is made a repository root (a .git folder) so no configuration above it is picked up.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { captureIo } from "./io.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-policy-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, content: string): string {
  const path = join(tmp, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

const rules = (...lines: string[]) =>
  ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]", "-A INPUT -i lo -j ACCEPT", ...lines, "COMMIT", ""].join("\n");
const SMTP = "-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT";
const SSH = "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT";

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}
const services = (out: string): string[] =>
  (JSON.parse(out) as { findings: { ruleId: string; exposure?: { service?: string } }[] }).findings
    .flatMap((f) => (f.ruleId === "exposed-service" ? [f.exposure?.service ?? ""] : []))
    .sort();

describe("configuration", () => {
  it("reports a bad configuration with file, line, column and field (exit 2)", async () => {
    const dir = join(tmp, "bad");
    mkdirSync(join(dir, ".git"), { recursive: true });
    write("bad/.fwlint.yaml", "failOn: sometimes\nintent:\n  - protocol: tcp\n    ports: '25'\n");
    const r = write("bad/r.rules", rules(SMTP));
    const res = await run("check", r);
    expect(res.code).toBe(2);
    expect(res.err).toContain(`${join(dir, ".fwlint.yaml")}:1:9: failOn: must be one of critical, high, medium, low, info, none`);
    expect(res.err).toContain(`${join(dir, ".fwlint.yaml")}:3:5: intent[0].reason: required field is missing`);
    const explicit = await run("check", "--config", join(dir, ".fwlint.yaml"), r);
    expect(explicit.code).toBe(2);
    expect((await run("check", "--config", join(dir, "missing.yaml"), r)).err).toMatch(/missing\.yaml:1:1: cannot read file/);
  });

  it("is found from the scanned file upwards and applies intent, rules and failOn", async () => {
    const dir = join(tmp, "repo");
    mkdirSync(join(dir, ".git"), { recursive: true });
    const r = write("repo/fw/edge/r.rules", rules(SMTP, SSH));
    expect(services((await run("check", "--format", "json", r)).out)).toEqual(["smtp", "ssh"]);
    write("repo/.fwlint.yaml", "failOn: critical\nintent:\n  - service: smtp\n    reason: our MX receives mail\n");
    const res = await run("check", "--format", "json", r);
    expect(services(res.out)).toEqual(["ssh"]);
    expect(res.code).toBe(0); // ssh is high, below the configured failOn
    expect((await run("check", "--fail-on", "high", "--format", "json", r)).code).toBe(1);
    // A nearer configuration wins.
    write("repo/fw/.fwlint.yaml", "rules:\n  exposed-service: false\n");
    expect(services((await run("check", "--format", "json", join(dir, "fw"))).out)).toEqual([]);
  });

  it("limits the Internet to the configured interfaces per file", async () => {
    const dir = join(tmp, "ifaces");
    mkdirSync(join(dir, ".git"), { recursive: true });
    write("ifaces/.fwlint.yaml", 'internet:\n  - files: "edge*.rules"\n    interfaces: [ppp+]\n');
    const body = rules("-A INPUT -i eth1 -p tcp -m tcp --dport 22 -j ACCEPT", "-A INPUT -i ppp0 -p tcp -m tcp --dport 25 -j ACCEPT");
    expect(services((await run("check", "--format", "json", write("ifaces/edge1.rules", body))).out)).toEqual(["smtp"]);
    expect(services((await run("check", "--format", "json", write("ifaces/core.rules", body))).out)).toEqual(["smtp", "ssh"]);
  });

  it("prints the configuration schema", async () => {
    const res = await run("schema");
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out)).toMatchObject({ title: "fwlint configuration (.fwlint.yaml)" });
  });
});

describe("suppressions", () => {
  const dir = join(tmp, "supp");
  mkdirSync(join(dir, ".git"), { recursive: true });

  it("leave out a finding with a reason, and keep it marked with --show-suppressed", async () => {
    const r = write("supp/a.rules", rules("# fwlint-disable-next-line exposed-service -- our MX", SMTP));
    const res = await run("check", "--format", "json", r);
    expect(res.code).toBe(0);
    expect(services(res.out)).toEqual([]);
    const shown = await run("check", "--format", "json", "--show-suppressed", r);
    expect(shown.code).toBe(0); // suppressed findings do not fail the run
    const found = (JSON.parse(shown.out) as { findings: { ruleId: string; suppressed?: boolean }[] }).findings;
    expect(found.filter((f) => f.ruleId === "exposed-service").map((f) => f.suppressed)).toEqual([true]);
  });

  it("warn without a reason, and when expired, and do not apply", async () => {
    for (const comment of ["# fwlint-disable-next-line exposed-service", "# fwlint-disable-next-line exposed-service -- temporary until 2020-01-31"]) {
      const r = write("supp/b.rules", rules(comment, SMTP));
      const res = await run("check", "--format", "json", r);
      expect(res.code).toBe(1);
      expect(services(res.out)).toEqual(["smtp"]);
      const diags = (JSON.parse(res.out) as { files: { diagnostics: { severity: string; message: string; line: number }[] }[] }).files[0]!.diagnostics;
      expect(diags).toEqual([expect.objectContaining({ severity: "warning", line: 6, message: expect.stringMatching(/has no reason|expired on 2020-01-31/) })]);
      const text = await run("check", r);
      expect(text.out).toMatch(/has no reason|expired on 2020-01-31/);
    }
  });
});

describe("baseline", () => {
  it("hides recorded findings after lines move and shows new ones", async () => {
    const dir = join(tmp, "base");
    mkdirSync(join(dir, ".git"), { recursive: true });
    const r = write("base/r.rules", rules(SMTP));
    const out = join(dir, ".fwlint-baseline.json");
    const rec = await run("baseline", "--output", out, r);
    expect(rec.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    const recorded = JSON.parse(readFileSync(out, "utf8")) as { version: number; findings: { ruleId: string; file: string }[] };
    expect(recorded.version).toBe(1);
    expect(recorded.findings).toContainEqual(expect.objectContaining({ ruleId: "exposed-service", file: "r.rules" }));

    // Rules moved down by two lines, and SSH opened.
    write("base/r.rules", rules("-A INPUT -p icmp -j ACCEPT", "-A INPUT -p udp --dport 53 -j DROP", SMTP, SSH));
    const res = await run("check", "--format", "json", "--baseline", out, r);
    expect(services(res.out)).toEqual(["ssh"]);
    expect(res.err).toMatch(/note: \d+ findings? hidden by the baseline /);
    expect(res.code).toBe(1);

    const clean = await run("check", "--format", "json", "--baseline", out, write("base/r.rules", rules("# moved", SMTP)));
    expect(clean.code).toBe(0);
    expect(services(clean.out)).toEqual([]);
  });

  it("rejects an unreadable baseline (exit 2)", async () => {
    const r = write("base/x.rules", rules(SMTP));
    const res = await run("check", "--baseline", join(tmp, "nope.json"), r);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/nope\.json: cannot read the baseline/);
  });
});
