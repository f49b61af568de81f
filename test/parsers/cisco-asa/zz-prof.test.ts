import { it } from "vitest";
import { performance } from "node:perf_hooks";
import { generateAsaConfig } from "../../../src/bench/asa.js";
import { parseCiscoAsa } from "../../../parsers/cisco-asa/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
import { loadBuiltinRules } from "../../../src/engine/rule-pack.js";
import { runChecks } from "../../../src/engine/check.js";
it("prof", () => {
  for (const n of (process.env.ASA_N ?? "1000,3000").split(",").map(Number)) {
    const cfg = generateAsaConfig({ aces: n, groups: Math.max(100, n / 10) }, 1);
    let t = performance.now();
    const rs = parseCiscoAsa(cfg.text, "b.cfg");
    const tp = performance.now() - t;
    t = performance.now();
    evaluateRuleset(rs);
    const te = performance.now() - t;
    const times: string[] = [];
    for (const rule of loadBuiltinRules().rules) {
      t = performance.now();
      runChecks(rs, {}, [rule]);
      const d = performance.now() - t;
      if (d > 50) times.push(`${rule.id}=${d.toFixed(0)}`);
    }
    for (const d of rs.diagnostics.filter((d) => d.severity !== "info").slice(0, 5)) console.log("DIAG", d.line, d.message, cfg.text.split("\n")[d.line - 1]);
    console.log(`n=${n} parse=${tp.toFixed(0)} eval=${te.toFixed(0)} errors=${rs.diagnostics.filter((d) => d.severity === "error").length} ${times.join(" ")}`);
  }
}, 600000);
