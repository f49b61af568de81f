/**
 * A long chain against the kernel: 800 nft rules in one chain (the bench's nft-chain shape, made
 * small), whose source DROPs make cutting each batch of rules out of the undecided packets dear, so
 * that the evaluator keeps what later batches take pending (Flow.pending). No corpus file is long
 * enough to get there, so this file is made here. Probe packets go through
 * ../shared/tools/kernel-oracle and through fwlint - with pending takes from the second batch on,
 * and with the default trigger - which must agree with the kernel wherever fwlint is certain; and
 * the evaluation with pending takes must accept exactly the packets the one without does.
 *
 * The kernel part skips (with a message) as the kernel agreement suite does; FWLINT_REQUIRE_KERNEL=1
 * / FWLINT_REQUIRE_SHARED=1 turn the skip into a failure. The comparison of the two evaluations
 * runs everywhere.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureEvaluator, evaluateRuleset, type PipelineResult } from "../../src/analysis/evaluate.js";
import { generateNftRuleset } from "../../src/bench/nft.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { checkEnvironment, expectHookAgrees, testFile, type FileResult, type Target } from "./harness.js";

/** The ruleset: what each batch of its one chain takes grows dear to cut by the 9th batch. */
const LONG_CHAIN = () => generateNftRuleset({ rules: 800, elements: 60, oneChain: true }, 3).text;

describe("a long chain evaluated with pending takes", () => {
  it("accepts the same packets, certainly and possibly, with pending takes as without", () => {
    // (the kernel's probes below meet few of the packets an earlier batch took - a source one DROP
    // names, sent to a host and port a later ACCEPT names -: the sets are compared whole)
    const text = LONG_CHAIN();
    const run = (lazyWork: number): PipelineResult[] => {
      configureEvaluator({ lazyWork });
      return evaluateRuleset(parseNft(text, "long-chain.nft")).results;
    };
    const eager = run(Infinity);
    for (const lazy of [run(-1), run(32_000)]) {
      lazy.forEach((r, i) => {
        expect(r.certainlyAccepted.equals(eager[i]!.certainlyAccepted)).toBe(true);
        expect(r.possiblyAccepted.equals(eager[i]!.possiblyAccepted)).toBe(true);
      });
    }
    configureEvaluator({ lazyWork: 32_000 });
  });
});

const env = checkEnvironment();

if (env.skip) {
  if (env.required) {
    describe("a long chain against the kernel", () => {
      it("has the environment it requires", () => {
        throw new Error(`long-chain kernel test cannot run: ${env.skip} (required by FWLINT_REQUIRE_KERNEL / FWLINT_REQUIRE_SHARED)`);
      });
    });
  } else {
    console.warn(`[long chain vs kernel] SKIPPED: ${env.skip}`);
    describe.skip(`a long chain against the kernel (skipped: ${env.skip})`, () => {
      it("needs root, iptables/nft and ../shared/tools/kernel-oracle", () => {});
    });
  }
} else {
  describe("a long chain against the kernel", () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-long-chain-"));
    const file = join(dir, "long-chain.nft");
    const target: Target = { name: "generated/long-chain.nft", file, format: "nft", kind: "fixture" };
    const results = new Map<string, FileResult>();

    beforeAll(async () => {
      writeFileSync(file, LONG_CHAIN());
      for (const [mode, lazyWork] of [
        ["pending from the second batch", -1],
        ["pending where cutting is dear", 32_000],
      ] as const) {
        configureEvaluator({ lazyWork });
        results.set(mode, await testFile(target));
      }
    }, 600_000);

    afterAll(() => {
      configureEvaluator({ lazyWork: 32_000 });
      rmSync(dir, { recursive: true, force: true });
    });

    for (const mode of ["pending from the second batch", "pending where cutting is dear"]) {
      it(`agrees with the kernel wherever fwlint is certain (${mode})`, () => {
        const r = results.get(mode)!;
        expect(r.parseErrors).toEqual([]);
        const forward = r.hooks.find((h) => h.hook === "forward")!;
        // the chain is on the forward path: packets were judged there, most of them for certain
        expect(forward.agree).toBeGreaterThan(100);
        for (const h of r.hooks) {
          expectHookAgrees(h);
        }
      });
    }

    it("gives the same verdicts either way", () => {
      const [a, b] = [...results.values()];
      expect(a!.hooks.map((h) => [h.hook, h.packets, h.agree, h.unknown])).toEqual(b!.hooks.map((h) => [h.hook, h.packets, h.agree, h.unknown]));
    });

  });
}
