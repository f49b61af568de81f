import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BaselineFilter, loadBaseline, normaliseLine, renderBaseline } from "../../src/engine/baseline.js";
import type { Finding } from "../../src/model/finding.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-baseline-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function finding(file: string, line: number, sourceLine: string, port = 25, family: 4 | 6 = 4): Finding {
  return {
    ruleId: "exposed-service",
    severity: "high",
    message: `port ${port}`,
    location: { file, line, column: 1 },
    sourceLine,
    exposure: { family, protocol: "tcp", ports: [[port, port]], direction: "inbound", sourceCoverage: 1, service: port === 25 ? "smtp" : "ssh" },
  };
}

describe("baseline", () => {
  it("normalises whitespace", () => {
    expect(normaliseLine("  -A INPUT\t -p tcp  ")).toBe("-A INPUT -p tcp");
  });

  it("hides baselined findings after lines move, and shows new ones", () => {
    const file = join(tmp, ".fwlint-baseline.json");
    const rules = join(tmp, "fw", "r.rules");
    writeFileSync(file, renderBaseline(file, [finding(rules, 6, "-A INPUT -p tcp --dport 25 -j ACCEPT")]));
    const b = loadBaseline(file);
    expect(b.findings).toEqual([
      expect.objectContaining({ ruleId: "exposed-service", file: "fw/r.rules", source: "-A INPUT -p tcp --dport 25 -j ACCEPT", exposure: { service: "smtp", protocol: "tcp", ports: [[25, 25]], direction: "inbound", family: 4 } }),
    ]);
    const filter = new BaselineFilter(file, b);
    const kept = filter.filter([finding(rules, 9, "-A INPUT  -p tcp --dport 25 -j ACCEPT"), finding(rules, 10, "-A INPUT -p tcp --dport 22 -j ACCEPT", 22)]);
    expect(kept.map((f) => f.location.line)).toEqual([10]);
    expect(filter.hidden).toBe(1);
    // Each entry hides one finding: a second identical one is new.
    expect(filter.filter([finding(rules, 12, "-A INPUT -p tcp --dport 25 -j ACCEPT")])).toHaveLength(1);
  });

  // One inet rule has an IPv4 and an IPv6 finding on the same line: the baseline of the IPv4 one
  // must not hide the IPv6 one when it appears (an earlier IPv6 drop removed).
  it("an entry hides only its own family's finding; an entry without a family (older files) either", () => {
    const file = join(tmp, "dual.json");
    const rules = join(tmp, "fw", "r.nft");
    const line = "tcp dport 25 accept";
    writeFileSync(file, renderBaseline(file, [finding(rules, 5, line, 25, 4)]));
    const kept = new BaselineFilter(file, loadBaseline(file)).filter([finding(rules, 5, line, 25, 6), finding(rules, 5, line, 25, 4)]);
    expect(kept.map((f) => f.exposure!.family)).toEqual([6]);
    const older = loadBaseline(file);
    delete older.findings[0]!.exposure!.family;
    expect(new BaselineFilter(file, older).filter([finding(rules, 5, line, 25, 6)])).toEqual([]);
  });

  // Cloud network ACLs number their entries alike (rule 100 in every ACL): the same source line
  // opens SSH on two ACLs. The baseline of one must not hide the other's.
  it("an entry hides only its own host interface's finding; an entry without one (older files) either", () => {
    const file = join(tmp, "hosts.json");
    const acls = join(tmp, "fw", "nacl.json");
    const line = '"RuleNumber": 100,';
    const on = (target: string): Finding => {
      const f = finding(acls, 12, line, 22);
      return { ...f, exposure: { ...f.exposure!, target } };
    };
    writeFileSync(file, renderBaseline(file, [on("acl-bastion")]));
    expect(loadBaseline(file).findings[0]!.exposure).toMatchObject({ target: "acl-bastion" });
    const kept = new BaselineFilter(file, loadBaseline(file)).filter([on("acl-private-db"), on("acl-bastion")]);
    expect(kept.map((f) => f.exposure!.target)).toEqual(["acl-private-db"]);
    const older = loadBaseline(file);
    delete older.findings[0]!.exposure!.target;
    expect(new BaselineFilter(file, older).filter([on("acl-private-db")])).toEqual([]);
  });

  it("rejects a file that is not a baseline", () => {
    const file = join(tmp, "bad.json");
    writeFileSync(file, '{"findings": 3}');
    expect(() => loadBaseline(file)).toThrow(/bad\.json: not an fwlint baseline/);
  });
});

describe("baseline written before included files' source lines were read", () => {
  it("an entry without a source line still hides the finding, once", () => {
    const file = join(tmp, "old-include.json");
    const fragment = join(tmp, "nftables.d", "20-mail.nft");
    const then = finding(fragment, 1, "");
    delete (then as { sourceLine?: string }).sourceLine;
    writeFileSync(file, renderBaseline(file, [then]));
    const filter = new BaselineFilter(file, loadBaseline(file));
    const now = finding(fragment, 1, "tcp dport 25 accept");
    expect(filter.filter([now, { ...now }])).toHaveLength(1);
    expect(filter.hidden).toBe(1);
  });
});
