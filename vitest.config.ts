import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The kernel-agreement test runs for most of the suite's time (about 500 s in CI, where it is
 * mandatory). It starts first, and a second worker runs everything else beside it: vitest's
 * default of one worker less than the CPUs is one worker on a 2-core machine, where the run was
 * that test's time plus all the others' (845 s); without a timing cache (a fresh clone) vitest
 * would also order files by size and start it late.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (f: TestSpecification) => f.moduleId.replaceAll("\\", "/").endsWith("test/kernel/agreement.test.ts");
    return [...sorted.filter(long), ...sorted.filter((f) => !long(f))];
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    setupFiles: ["test/setup-formats.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: LongestFirst },
  },
});
