/**
 * Intent (.fwlint.yaml `intent:`) and Internet-facing interfaces (`internet:`), end to end through
 * analyzeText on a real iptables ruleset: what the intent covers is not reported, what exceeds it is.
 */
import { describe, expect, it } from "vitest";
import { analyzeText, type CheckOptions } from "../../src/engine/check.js";
import type { IntentEntry } from "../../src/engine/config.js";
import { intentSet } from "../../src/engine/intent.js";
import { Dim } from "../../src/space/dims.js";

const RULES = [
  "*filter",
  ":INPUT DROP [0:0]",
  ":FORWARD DROP [0:0]",
  ":OUTPUT ACCEPT [0:0]",
  "-A INPUT -i lo -j ACCEPT",
  "-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT",
  "-A INPUT -i eth1 -p tcp -m tcp --dport 22 -j ACCEPT",
  "COMMIT",
  "",
].join("\n");

const at = { file: ".fwlint.yaml", line: 1, column: 1 };
const MX = 0x0a000019n; // 10.0.0.25

function exposures(options: CheckOptions): { service?: string; dst?: string; line: number }[] {
  return analyzeText("r.rules", RULES, options)
    .findings.filter((f) => f.ruleId === "exposed-service")
    .map((f) => ({ service: f.exposure!.service, dst: f.witness?.dst, line: f.location.line }));
}

describe("intent", () => {
  it("reports SMTP and SSH without intent", () => {
    expect(exposures({}).map((e) => e.service).sort()).toEqual(["smtp", "ssh"]);
  });

  it("leaves out an exposure entirely inside the intent", () => {
    const intent: IntentEntry[] = [{ protocols: [6], ports: [[25, 25]], reason: "MX", source: at }];
    expect(exposures({ intent }).map((e) => e.service)).toEqual(["ssh"]);
  });

  it("reports what exceeds the intent: SMTP open to every host, not only the MX", () => {
    const intent: IntentEntry[] = [{ protocols: [6], ports: [[25, 25]], to: [{ family: 4, lo: MX, hi: MX }], reason: "MX", source: at }];
    const smtp = exposures({ intent }).find((e) => e.service === "smtp");
    expect(smtp).toBeDefined();
    expect(smtp!.line).toBe(6);
    expect(smtp!.dst).not.toBe("10.0.0.25");
  });

  it("an intent limited to some sources does not cover any source", () => {
    const intent: IntentEntry[] = [{ protocols: [6], ports: [[25, 25]], from: [{ family: 4, lo: 0xc6336400n, hi: 0xc63364ffn }], reason: "partner", source: at }];
    expect(exposures({ intent }).map((e) => e.service).sort()).toEqual(["smtp", "ssh"]);
  });

  it("builds the allowed packet set per family", () => {
    const set = intentSet([{ protocols: [6], ports: [[25, 25]], to: [{ family: 4, lo: MX, hi: MX }], reason: "MX", source: at }]);
    const point = (family: bigint, dst: bigint, dport: bigint) => {
      const p = new Array<bigint>(12).fill(0n);
      p[Dim.Family] = family;
      p[Dim.Proto] = 6n;
      p[Dim.Dport] = dport;
      p[Dim.Dst] = dst;
      return p;
    };
    expect(set.has(point(4n, MX, 25n))).toBe(true);
    expect(set.has(point(4n, MX + 1n, 25n))).toBe(false);
    expect(set.has(point(4n, MX, 26n))).toBe(false);
    expect(set.has(point(6n, MX, 25n))).toBe(false);
  });
});

describe("Internet-facing interfaces", () => {
  it("counts only the configured interfaces as the Internet", () => {
    expect(exposures({ internetInterfaces: [{ name: "eth0", prefix: false }] }).map((e) => e.service)).toEqual(["smtp"]);
    expect(exposures({ internetInterfaces: [{ name: "eth", prefix: true }] }).map((e) => e.service).sort()).toEqual(["smtp", "ssh"]);
  });
});

describe("other settings", () => {
  it("switches rules off and overrides severities", () => {
    expect(exposures({ rules: { "exposed-service": false } })).toEqual([]);
    const found = analyzeText("r.rules", RULES, { severity: { "exposed-service": "low" } }).findings.filter((f) => f.ruleId === "exposed-service");
    expect(found.map((f) => f.severity)).toEqual(["low", "low"]);
  });

  it("adds services to the catalog", () => {
    const rules = RULES.replace("--dport 25", "--dport 8123");
    const service = { id: "my-app", name: "My app", protocols: [6], protocolNames: ["tcp" as const], ports: [[8123, 8123]] as [number, number][], severity: "critical" as const, source: at };
    const found = analyzeText("r.rules", rules, { services: [service] }).findings.filter((f) => f.exposure?.service === "my-app");
    expect(found).toHaveLength(1);
    expect(found[0]!.severity).toBe("critical");
  });
});
