/**
 * Micro-benchmark of the packet-set algebra on the shape that made issue 4 slow: a flow that
 * carries the complement of a large source blocklist, then many rules that each test one small
 * source network. Measures the set operations alone (no parser, no checks):
 *
 *   node dist/src/bench/sets.js [--blocked 140000] [--rules 20000] [--seed 1]
 *
 * Each rule splits the flow (intersect / minus with a /24), the matched part is united back
 * (as the evaluator's flow merging does), and every 1000 rules the exposure-style queries run
 * (public sources minus the flow, maxSourceCount). Prints the time per kind of operation.
 */
import { performance } from "node:perf_hooks";
import { prng } from "../analysis/probes.js";
import { Dim } from "../space/dims.js";
import { PacketSet } from "../space/packet-set.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const blockedCount = arg("blocked", 140000);
const rules = arg("rules", 20000);
const rand = prng(arg("seed", 1));

const v4 = (lo: number, hi: number = lo): [bigint, bigint] => [BigInt(lo), BigInt(hi)];
const base = 11 << 24;
const span = (99 - 11) << 24;

const times = { build: 0, split: 0, merge: 0, queries: 0 };
function timed<T>(k: keyof typeof times, f: () => T): T {
  const t = performance.now();
  const r = f();
  times[k] += performance.now() - t;
  return r;
}

const tcp = { [Dim.Family]: [v4(4)], [Dim.Proto]: [v4(6)] };
const flow0 = timed("build", () => {
  const blocked: [bigint, bigint][] = [];
  let at = 0;
  for (let i = 0; i < blockedCount; i++) {
    at += 1 + Math.floor(rand() * 4096);
    const a = base + (at % span);
    blocked.push(i % 10 === 0 ? v4(a & ~255, (a & ~255) + 255) : v4(a));
  }
  return PacketSet.box(tcp).minus(PacketSet.box({ ...tcp, [Dim.Src]: blocked }));
});
const publicSrc = PacketSet.box({ ...tcp, [Dim.Src]: [v4(base, base + span - 1)] });

let flow = flow0;
let accepted = PacketSet.empty();
for (let r = 0; r < rules; r++) {
  const net = (base + Math.floor(rand() * span)) & ~255;
  const port = 1 + Math.floor(rand() * 1024);
  const match = PacketSet.box({ ...tcp, [Dim.Dport]: [v4(port)], [Dim.Src]: [v4(net, net + 255)] });
  const hit = timed("split", () => flow.intersect(match));
  flow = timed("split", () => flow.minus(match));
  accepted = timed("merge", () => accepted.union(hit));
  if (r % 2 === 0) flow = timed("merge", () => flow.union(hit)); // half the rules fall through (e.g. a log rule)
  if (r % 1000 === 999) {
    timed("queries", () => {
      const refused = publicSrc.minus(flow);
      return refused.maxSourceCount() + flow.intersect(publicSrc).maxSourceCount();
    });
  }
}

const total = Object.values(times).reduce((a, b) => a + b, 0);
console.log(`blocklist ${blockedCount.toLocaleString("en-US")} entries, ${rules.toLocaleString("en-US")} rules`);
for (const [k, v] of Object.entries(times)) console.log(`${k.padEnd(8)} ${v.toFixed(0).padStart(7)} ms`);
console.log(`${"total".padEnd(8)} ${total.toFixed(0).padStart(7)} ms, rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
