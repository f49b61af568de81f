/**
 * The shared corpus: files indexed `iptables-script` are parsed (no crash; the share with error
 * diagnostics is reported), and no file of another format is taken for a script.
 * Without ../shared/corpus the suite is skipped with a visible message, unless
 * FWLINT_REQUIRE_SHARED=1, in which case it fails.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { detectIptablesScript, parseIptablesScript } from "../../../parsers/iptables-script/index.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const CORPUS = process.env.FWLINT_CORPUS_DIR ?? resolve(REPO, "..", "shared", "corpus");
const INDEX = join(CORPUS, "INDEX.tsv");
const present = existsSync(INDEX);
const required = process.env.FWLINT_REQUIRE_SHARED === "1";

interface Row {
  path: string;
  format: string;
  expect: string;
}

function rows(): Row[] {
  const [, ...lines] = readFileSync(INDEX, "utf8").split("\n");
  return lines
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [path = "", format = "", , expect = ""] = l.split("\t");
      return { path, format, expect };
    });
}

function read(r: Row): string | undefined {
  try {
    return readFileSync(join(CORPUS, r.path), "utf8");
  } catch {
    return undefined; // large files may be absent from a checkout
  }
}

if (!present) {
  if (required) {
    describe("iptables-script corpus", () => {
      it("needs ../shared/corpus (FWLINT_REQUIRE_SHARED=1)", () => {
        expect.fail(`shared corpus not found at ${CORPUS}`);
      });
    });
  } else {
    console.warn(`[iptables-script corpus] SKIPPED: ${CORPUS} not found (set FWLINT_REQUIRE_SHARED=1 to make this a failure)`);
  }
}

describe.skipIf(!present)("iptables-script corpus (../shared/corpus)", () => {
  const all = present ? rows() : [];

  it("files indexed iptables-script parse without crashing; error rate reported", () => {
    const scripts = all.filter((r) => r.format === "iptables-script");
    let withErrors = 0;
    let errors = 0;
    for (const r of scripts) {
      const text = read(r);
      if (text === undefined) continue;
      const rs = parseIptablesScript(text, r.path);
      expect(rs.diagnostics.some((d) => d.message.startsWith("internal error")), r.path).toBe(false);
      const n = rs.diagnostics.filter((d) => d.severity === "error").length;
      errors += n;
      if (n > 0) withErrors++;
    }
    console.log(
      scripts.length === 0
        ? "[iptables-script corpus] the index lists no iptables-script file: nothing to parse"
        : `[iptables-script corpus] ${scripts.length} files, ${withErrors} with error diagnostics (${((100 * withErrors) / scripts.length).toFixed(1)}%), ${errors} errors`,
    );
  });

  it("no file of another format is detected as a script", () => {
    const claimed: string[] = [];
    for (const r of all) {
      if (r.format === "iptables-script") continue;
      const text = read(r);
      if (text !== undefined && detectIptablesScript(text)) claimed.push(`${r.format} ${r.path}`);
    }
    expect(claimed).toEqual([]);
  });
});
