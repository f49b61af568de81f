/**
 * fwlint against the kernel on random nftables rulesets (random-nft.ts): each is loaded in a
 * scratch namespace first (nft must accept it), then judged packet by packet through
 * ../shared/tools/kernel-oracle and by fwlint, on the input and forward hooks; where fwlint is
 * certain, both must agree, and fwlint's reading must hold no error. The fixtures and the corpus
 * (agreement.test.ts) are rulesets people wrote; these mix the constructs in ways no file there
 * does - several base chains of a hook at interleaved priorities across tables, gotos and verdict
 * maps into chains that return, negated sets, interface wildcards - where the semantics are easy
 * to get wrong.
 *
 * FWLINT_RANDOM_NFT=N judges N rulesets (default 60), FWLINT_RANDOM_NFT_SEED the first seed.
 * Skips (with a message) without root, nft or ../shared; FWLINT_REQUIRE_KERNEL=1 turns the skip
 * into a failure.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { parseNft, parseNftJson } from "../../parsers/nftables/index.js";
import type { Ruleset } from "../../src/model/types.js";
import { checkEnvironment, inScratchNamespace, kernelSuite, parseTarget, testFile, type FileResult, type Target } from "./harness.js";
import { randomNftRuleset } from "./random-nft.js";

const env = checkEnvironment();
const COUNT = Number(process.env.FWLINT_RANDOM_NFT ?? 60);
const FIRST = Number(process.env.FWLINT_RANDOM_NFT_SEED ?? 1);
/** Rulesets whose listings (`nft list ruleset`, `nft -j list ruleset`) are judged too: the first of those above. */
const LISTED = Math.min(COUNT, Number(process.env.FWLINT_RANDOM_NFT_LISTED ?? 25));

/** What a judged file shows that it must not: oracle failures, disagreements, tracer and evaluator at odds. */
function problems(seed: number, r: FileResult, label: string): string[] {
  const out: string[] = [];
  for (const h of r.hooks) {
    if (h.oracleFailure) out.push(`seed ${seed}${label} ${h.hook}: oracle failure ${h.oracleFailure}`);
    for (const d of h.disagreements) out.push(`seed ${seed}${label} ${h.hook}: kernel ${d.kernel}, fwlint ${d.fwlint}: ${JSON.stringify(d.packet)} via ${d.trace.join(" > ")}`);
    for (const m of h.engineMismatches.filter((x) => x.kind === "unsound")) out.push(`seed ${seed}${label} ${h.hook}: tracer and evaluator disagree on ${JSON.stringify(m.packet)}: ${m.trace} / ${m.evaluator}`);
  }
  return out;
}

kernelSuite("random nftables rulesets against the kernel", env.skip, env.required, () => {
  const dir = mkdtempSync(join(tmpdir(), "fwlint-random-nft-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`${COUNT} rulesets from seed ${FIRST}: nft loads each, fwlint reads it without error and agrees with the kernel where certain`, async () => {
    const refused: string[] = [];
    const unread: string[] = [];
    const disagree: string[] = [];
    let judged = 0;
    let accepted = 0;
    let unknown = 0;
    for (let seed = FIRST; seed < FIRST + COUNT; seed++) {
      const { text } = randomNftRuleset(seed);
      const file = join(dir, `seed-${seed}.nft`);
      writeFileSync(file, text);
      const loaded = await inScratchNamespace("random-nft", (run) => run(["nft", "-c", "-f", file]));
      if (loaded.status !== 0) {
        refused.push(`seed ${seed}: ${loaded.stderr.trim().split("\n")[0]}`);
        continue;
      }
      const target: Target = { name: `seed-${seed}.nft`, file, format: "nft", kind: "fixture" };
      const errors = parseTarget(target, text).diagnostics.filter((d) => d.severity === "error");
      if (errors.length > 0) unread.push(`seed ${seed}: ${errors[0]!.line}:${errors[0]!.column} ${errors[0]!.message}`);
      const r: FileResult = await testFile(target, { max: 200, seed });
      disagree.push(...problems(seed, r, ""));
      for (const h of r.hooks) {
        judged += h.packets;
        accepted += h.kernelAccepts;
        unknown += h.unknown;
      }
    }
    console.log(`[random nft] ${COUNT} rulesets: ${judged} packets judged (${accepted} accepted by the kernel), ${unknown} fwlint uncertain, ${disagree.length} disagreements`);
    expect(refused, "rulesets nft refuses (the generator writes only what it loads)").toEqual([]);
    expect(unread, "errors in fwlint's reading").toEqual([]);
    expect(disagree).toEqual([]);
    expect(judged).toBeGreaterThan(COUNT * 50);
    expect(accepted).toBeGreaterThan(COUNT * 5);
  }, 1_200_000);

  it(`the first ${LISTED}, as nft lists them in text and in JSON, read by fwlint: the kernel agrees with those readings too`, async () => {
    const unread: string[] = [];
    const disagree: string[] = [];
    let judged = 0;
    let listed = 0;
    for (let seed = FIRST; seed < FIRST + LISTED; seed++) {
      const { text } = randomNftRuleset(seed);
      // nft lists `ct state == a,b` (never true: a packet has one state) as `ct state a | b`, which
      // it reads back as "either": its listing of such a ruleset is another ruleset
      if (/ct state == \w+(,| \| )/.test(text)) continue;
      const file = join(dir, `listed-${seed}.nft`);
      writeFileSync(file, text);
      const listings = await inScratchNamespace("random-nft-list", (run) => {
        const loaded = run(["nft", "-f", file]);
        return loaded.status === 0 ? { text: run(["nft", "list", "ruleset"]).stdout, json: run(["nft", "-j", "list", "ruleset"]).stdout } : undefined;
      });
      if (!listings) continue; // (the test above names a ruleset nft refuses)
      listed++;
      const target: Target = { name: `listed-${seed}.nft`, file, format: "nft", kind: "fixture" };
      const readings: [string, Ruleset][] = [
        [" (nft list ruleset)", parseNft(listings.text, `listed-${seed}.nft`)],
        [" (nft -j list ruleset)", parseNftJson(listings.json, `listed-${seed}.json`)],
      ];
      for (const [label, ruleset] of readings) {
        const errors = ruleset.diagnostics.filter((d) => d.severity === "error");
        if (errors.length > 0) unread.push(`seed ${seed}${label}: ${errors[0]!.line}:${errors[0]!.column} ${errors[0]!.message}`);
        const r = await testFile(target, { max: 150, seed, ruleset });
        disagree.push(...problems(seed, r, label));
        for (const h of r.hooks) judged += h.packets;
      }
    }
    console.log(`[random nft listings] ${listed} rulesets, each as listed in text and in JSON: ${judged} packets judged, ${disagree.length} disagreements`);
    expect(unread, "errors in fwlint's reading of nft's listings").toEqual([]);
    expect(disagree).toEqual([]);
    expect(listed).toBeGreaterThan(LISTED / 2);
    expect(judged).toBeGreaterThan(listed * 2 * 40);
  }, 1_200_000);
});
