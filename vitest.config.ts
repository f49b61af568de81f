import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * The kernel agreement suite is the longest file by far (about 500 s where the kernel oracle runs;
 * every other file takes seconds). Started first, it runs beside the rest instead of after them:
 * the default order puts unknown files largest first, and it is a small file.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (f: TestSpecification) => /[\\/]test[\\/]kernel[\\/]agreement\.test\.ts$/.test(f.moduleId);
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
