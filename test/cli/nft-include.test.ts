/**
 * nftables `include` through the CLI: an included file is read relative to the including one and
 * only inside the scanned tree - the folder named on the command line, or the file's own folder
 * when a file is named - and findings point into the included file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { captureIo } from "./io.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-nft-include-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const etc = join(tmp, "etc");
mkdirSync(join(etc, "nftables"), { recursive: true });
mkdirSync(join(etc, "common"), { recursive: true });
writeFileSync(
  join(etc, "nftables", "main.nft"),
  `#!/usr/sbin/nft -f
flush ruleset
include "../common/services.nft"
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		jump services
	}
}
`,
);
writeFileSync(
  join(etc, "common", "services.nft"),
  `table inet filter {
	chain services {
		tcp dport 25 accept
	}
}
`,
);

async function check(...args: string[]) {
  const io = captureIo();
  const status = await main(["check", "--format", "json", ...args], io);
  return { status, io, report: io.out ? (JSON.parse(io.out) as { files: { path: string; diagnostics: { severity: string; message: string; file: string; line: number }[] }[]; findings: { ruleId: string; location: { file: string; line: number } }[] }) : undefined };
}

describe("nft include through the CLI", () => {
  it("reads an include elsewhere in the named folder, and the finding points into the included file", async () => {
    const { status, report } = await check(etc);
    expect(status).toBe(1);
    const smtp = report!.findings.find((f) => f.ruleId === "exposed-service" && f.location.file.endsWith(join("common", "services.nft")));
    expect(smtp, JSON.stringify(report!.findings.map((f) => [f.ruleId, f.location]))).toBeDefined();
    expect(smtp!.location.line).toBe(3);
    const main = report!.files.find((f) => f.path.endsWith("main.nft"))!;
    expect(main.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("refuses an include that leaves the folder of a file named on its own", async () => {
    const { report } = await check(join(etc, "nftables", "main.nft"));
    const errors = report!.files[0]!.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => `${d.line}: ${d.message}`)).toEqual([
      expect.stringMatching(/^3: include "\.\.\/common\/services\.nft" points outside the scanned tree/),
      "8: jump to chain 'services', which is not declared in table inet filter",
    ]);
    expect(report!.findings.filter((f) => f.ruleId === "exposed-service")).toEqual([]);
  });
});
