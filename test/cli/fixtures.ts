/** Hand-built findings and file reports shared by the CLI/reporter tests. */
import type { FileReport, Finding } from "../../src/model/finding.js";

export function smtpFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: "exposed-service",
    severity: "high",
    message: "SMTP (tcp/25) is reachable from any source on the inbound path",
    location: { file: "rules.v4", line: 9, column: 1 },
    sourceLine: "-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT",
    exposure: { family: 4, protocol: "tcp", ports: [[25, 25]], direction: "inbound", sourceCoverage: 1, service: "smtp" },
    witness: {
      family: 4,
      proto: "tcp",
      src: "198.51.100.7",
      dst: "10.0.0.5",
      sport: 40000,
      dport: 25,
      iif: "eth0",
      hook: "input",
      tcp_flags: "S",
    },
    trace: [{ table: "filter", chain: "INPUT", rule: "-p tcp --dport 25 -j ACCEPT", line: 9, file: "rules.v4", action: "accept" }],
    ...overrides,
  };
}

export function shadowFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    ruleId: "shadowed-rule",
    severity: "low",
    message: "this rule never matches: earlier rules take every packet it would",
    location: { file: "rules.v4", line: 12, column: 1 },
    sourceLine: "-A INPUT -p tcp --dport 22 -j DROP",
    related: [{ file: "rules.v4", line: 10, column: 1, message: "accepts every packet this rule matches" }],
    ...overrides,
  };
}

export function fileReport(overrides: Partial<FileReport> = {}): FileReport {
  return { path: "rules.v4", format: "iptables", rules: 12, diagnostics: [], ...overrides };
}
