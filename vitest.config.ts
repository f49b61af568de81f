import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The kernel-agreement test runs for most of the suite's time (about 500 s in CI, where it is
 * mandatory); without a timing cache (a fresh clone) vitest orders files by size and starts it
 * late, so the whole run was its time plus most of the rest. Started first, the other worker runs
 * everything else beside it.
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
    sequence: { sequencer: LongestFirst },
  },
});
