import { it } from "vitest";
import { performance } from "node:perf_hooks";
import { generateAsaConfig } from "../../../src/bench/asa.js";
import { parseCiscoAsa } from "../../../parsers/cisco-asa/index.js";
it("prof3", () => {
  const cfg = generateAsaConfig({ aces: 20000, groups: 2000 }, 1);
  for (let k = 0; k < 3; k++) {
    const c = process.cpuUsage();
    const t = performance.now();
    const rs = parseCiscoAsa(cfg.text, "b.cfg");
    const d = process.cpuUsage(c);
    if (k === 0) for (const x of rs.diagnostics) console.log("DIAG", x.severity, x.line, x.message);
    console.log(`PARSE ${(performance.now() - t).toFixed(0)} ms wall, ${((d.user + d.system) / 1000).toFixed(0)} ms cpu, ${rs.ruleCount} aces, ${cfg.text.length} bytes, diags ${rs.diagnostics.length}`);
  }
}, 600000);
