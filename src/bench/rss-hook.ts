/**
 * Preloaded into the spawned CLI by the benchmark (`node --import .../rss-hook.js bin/fwlint.js`):
 * when the process exits, write its peak resident set (kB) and CPU time (ms, user + system, whole
 * process) as JSON to $FWLINT_BENCH_RSS_FILE. This gives the child's figures without /usr/bin/time;
 * it adds one tiny module load to the CLI's start-up.
 */
import { writeFileSync } from "node:fs";

const target = process.env.FWLINT_BENCH_RSS_FILE;
if (target) {
  process.on("exit", () => {
    const u = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ maxRssKB: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }));
  });
}
