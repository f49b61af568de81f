/**
 * User rule packs through the CLI: `check --rules FILE`, .fwlint.yaml `rulePacks:`, and the packs'
 * rules in `fwlint rules` and `fwlint explain`. In a temp dir made a repository root (.git).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { captureIo } from "./io.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-custom-"));
mkdirSync(join(tmp, ".git"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, content: string): string {
  const path = join(tmp, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}
async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}
const ruleset = (...lines: string[]) =>
  ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]", ...lines, "COMMIT", ""].join("\n");

const PACK = `rules:
  - id: db-from-office
    name: Database reachable from the office VPN range
    severity: critical
    check: reachability
    summary: PostgreSQL must not be reachable from the office VPN range.
    docs:
      what: Reports PostgreSQL reachable from 198.51.100.0/24 on the inbound path.
      why: Only the application servers should talk to the database.
      example: "-A INPUT -s 198.51.100.0/24 -p tcp --dport 5432 -j ACCEPT"
      fix: Drop the rule.
    params:
      message: Database reachable from the office VPN range
      to: { services: [postgresql] }
      from: { sources: [198.51.100.0/24] }
      directions: [inbound]
`;
const OPEN = ruleset("-A INPUT -s 198.51.100.0/24 -p tcp --dport 5432 -j ACCEPT");
const CLOSED = ruleset("-A INPUT -s 192.0.2.0/24 -p tcp --dport 5432 -j ACCEPT");
const ids = (out: string) => (JSON.parse(out) as { findings: { ruleId: string; severity: string }[] }).findings.map((f) => `${f.ruleId}:${f.severity}`);

describe("custom rule packs", () => {
  it("check --rules FILE runs the pack's rules after the built-ins", async () => {
    const pack = write("cli/pack.yaml", PACK);
    const open = write("cli/open.rules", OPEN);
    const closed = write("cli/closed.rules", CLOSED);
    const r = await run("check", "--format", "json", "--rules", pack, open);
    expect(r.code).toBe(1);
    expect(ids(r.out)).toEqual(["db-from-office:critical"]);
    const c = await run("check", "--format", "json", `--rules=${pack}`, closed);
    expect(c.code).toBe(0);
    expect(ids(c.out)).toEqual([]);
    // Without the pack, nothing: 198.51.100.0/24 is no "any".
    expect(ids((await run("check", "--format", "json", open)).out)).toEqual([]);
  });

  it(".fwlint.yaml rulePacks, relative to the configuration file", async () => {
    write("cfg/policy/db.yaml", PACK);
    write("cfg/.fwlint.yaml", "rulePacks: [policy/db.yaml]\n");
    const open = write("cfg/fw/open.rules", OPEN);
    const r = await run("check", "--format", "json", open);
    expect(r.code).toBe(1);
    expect(ids(r.out)).toEqual(["db-from-office:critical"]);
  });

  it("a bad pack is a positioned error (exit 2); so is a rule id the built-in pack has", async () => {
    const bad = write("bad/pack.yaml", PACK.replace("directions: [inbound]", "directions: [sideways]"));
    const open = write("bad/open.rules", OPEN);
    const r = await run("check", "--rules", bad, open);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}:16:20: rules[0].params.directions[0]: must be one of inbound, forward, outbound`);
    const dup = write("bad/dup.yaml", PACK.replace("id: db-from-office", "id: exposed-service"));
    const d = await run("check", "--rules", dup, open);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/dup\.yaml:2:5: rules\[0\]\.id: duplicate rule id "exposed-service"/);
  });

  it("fwlint rules and explain show the pack's rules", async () => {
    const pack = write("list/pack.yaml", PACK);
    const list = await run("rules", "--rules", pack);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^db-from-office\s+critical\s+PostgreSQL must not be reachable/m);
    expect(list.out).toMatch(/^exposed-service\s/m);
    const cfg = write("list/.fwlint.yaml", "rulePacks: [pack.yaml]\n");
    const explained = await run("explain", "--config", cfg, "db-from-office");
    expect(explained.code).toBe(0);
    expect(explained.out).toContain("Only the application servers should talk to the database.");
    expect((await run("explain", "db-from-office")).code).toBe(2);
  });
});
