/**
 * The fixtures of the anomaly and item-6 rules declare their findings in `# fwlint-expect:` lines.
 * test/engine/fixtures.test.ts runs them through the CLI path (with suppressions, config);
 * here they run through the checks directly, every built-in rule called generically.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectations, matches, parseFile, runRules } from "./harness.js";

const root = join(import.meta.dirname, "..", "..", "fixtures");
const FIXTURES = [
  "iptables/anomalies.rules",
  "iptables/any-to-any.rules",
  "iptables/broad-source.rules",
  "iptables/icmp-limited.rules",
  "iptables/icmp-open.rules",
  "iptables/nat-port-forward.rules",
  "iptables/smtp-egress-closed.rules",
  "iptables/smtp-egress.rules",
  "iptables-script/ipv6-parity.sh",
];

describe("rule fixtures produce the findings they declare (checks called directly)", () => {
  for (const name of FIXTURES) {
    it(name, () => {
      const path = join(root, name);
      const rs = parseFile(path, name);
      expect(rs.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const findings = runRules(rs);
      const summary = findings.map((f) => `${f.location.line} ${f.ruleId} ${f.exposure?.service ?? ""} ${f.message}`).join("\n");
      const exps = expectations(readFileSync(path, "utf8"));
      expect(exps.length).toBeGreaterThan(0);
      for (const e of exps) {
        const hit = findings.filter((f) => matches(f, e));
        if (e.negate) expect(hit, `${e.text}\nfindings:\n${summary}`).toEqual([]);
        else expect(hit.length, `${e.text}\nfindings:\n${summary}`).toBeGreaterThan(0);
      }
    });
  }
});
