import { it } from "vitest";
import { performance } from "node:perf_hooks";
import { generateAsaConfig } from "../../../src/bench/asa.js";
import { parseCiscoAsa } from "../../../parsers/cisco-asa/index.js";
import { evaluateRuleset } from "../../../src/analysis/evaluate.js";
it("prof2", () => {
  const n = Number(process.env.ASA_N ?? 3000);
  const cfg = generateAsaConfig({ aces: n, groups: Math.max(100, n / 10) }, 1);
  const rs = parseCiscoAsa(cfg.text, "b.cfg");
  const c = process.cpuUsage();
  const t = performance.now();
  evaluateRuleset(rs);
  const d = process.cpuUsage(c);
  console.log(`EVAL n=${n} ${(performance.now() - t).toFixed(0)} ms wall, ${((d.user + d.system) / 1000).toFixed(0)} ms cpu`);
}, 600000);
