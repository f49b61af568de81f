/**
 * Intent (.fwlint.yaml `intent:`) and Internet-facing interfaces (`internet:`), end to end through
 * analyzeText on a real iptables ruleset: what the intent covers is not reported, what exceeds it is.
 */
import { describe, expect, it } from "vitest";
import { acceptedUnions, evaluateRuleset } from "../../src/analysis/evaluate.js";
import { packetToPoint } from "../../src/analysis/packet.js";
import { analyzeText, type CheckOptions } from "../../src/engine/check.js";
import type { IntentEntry } from "../../src/engine/config.js";
import { intentSet, interfaceSet, restrictResults } from "../../src/engine/intent.js";
import { DIM_COUNT, Dim } from "../../src/space/dims.js";

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
      const p = new Array<bigint>(DIM_COUNT).fill(0n);
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

describe("restricted results", () => {
  const syn = (dst: string, dport: number, iif: string) => packetToPoint({ family: 4, proto: "tcp", src: "198.51.100.7", dst, dport, iif, hook: "input", tcp_flags: "S" });
  /** The inbound result as the exposure checks see it: eth0 is the Internet, SMTP to the MX is meant. */
  function inbound() {
    const rs = analyzeText("r.rules", RULES, {}).ruleset!;
    const intent: IntentEntry[] = [{ protocols: [6], ports: [[25, 25]], to: [{ family: 4, lo: MX, hi: MX }], reason: "MX", source: at }];
    const results = evaluateRuleset(rs).results.filter((r) => r.pipeline.kind === "inbound");
    return restrictResults(results, intentSet(intent), interfaceSet([{ name: "eth0", prefix: false }]))[0]!;
  }

  it("every view a check reads leaves out what arrived on other interfaces", () => {
    const res = inbound();
    const ssh = syn("10.0.0.5", 22, "eth1"); // accepted, but on eth1 only
    expect(res.certainlyAccepted.has(ssh)).toBe(false);
    expect(res.possiblyAccepted.has(ssh)).toBe(false);
    expect(res.accepted.some((a) => a.original.has(ssh) || a.delivered.has(ssh))).toBe(false);
    expect(res.certainlyAccepted.has(syn("10.0.0.5", 25, "eth0"))).toBe(true);
  });

  it("every view leaves out what the intent allows", () => {
    const res = inbound();
    const mail = syn("10.0.0.25", 25, "eth0");
    expect(res.certainlyAccepted.has(mail)).toBe(false);
    expect(res.possiblyAccepted.has(mail)).toBe(false);
    expect(res.accepted.some((a) => a.original.has(mail) || a.delivered.has(mail))).toBe(false);
  });

  it("the unions are the unions of the restricted regions", () => {
    const res = inbound();
    const u = acceptedUnions(res.accepted, "original");
    expect(res.certainlyAccepted.equals(u.certain)).toBe(true);
    expect(res.possiblyAccepted.equals(u.possible)).toBe(true);
  });

  it("with DNAT too: the packets as they arrived, on the Internet-facing interface only", () => {
    const nat = ["*nat", ":PREROUTING ACCEPT [0:0]", "-A PREROUTING -i eth0 -p tcp --dport 2222 -j DNAT --to-destination 10.0.0.5:22", "COMMIT", "*filter", ":FORWARD DROP [0:0]", "-A FORWARD -d 10.0.0.5/32 -p tcp --dport 22 -j ACCEPT", "-A FORWARD -i eth1 -j ACCEPT", "COMMIT", ""].join("\n");
    const rs = analyzeText("nat.rules", nat, {}).ruleset!;
    const forward = evaluateRuleset(rs).results.filter((r) => r.pipeline.kind === "forward");
    const [res] = restrictResults(forward, undefined, interfaceSet([{ name: "eth0", prefix: false }]));
    const at = (dst: string, dport: number, iif: string) => packetToPoint({ family: 4, proto: "tcp", src: "198.51.100.7", dst, dport, iif, oif: "eth1", hook: "forward", tcp_flags: "S" });
    expect(res!.accepted.some((a) => a.natRules.length > 0)).toBe(true);
    expect(res!.certainlyAccepted.has(at("203.0.113.1", 2222, "eth0"))).toBe(true);
    expect(res!.certainlyAccepted.has(at("203.0.113.9", 80, "eth1"))).toBe(false);
    expect(res!.possiblyAccepted.has(at("203.0.113.9", 80, "eth1"))).toBe(false);
    expect(res!.certainlyAccepted.equals(acceptedUnions(res!.accepted, "original").certain)).toBe(true);
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
