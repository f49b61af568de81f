/**
 * Content detection of nft text: rulesets, command files, and the wrappers distributions ship as
 * `nftables.conf` that only include the ruleset's files or define names for them.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../../src/engine/check.js";
import { detectFormat, loadFormats, parseAs } from "../../../src/engine/formats.js";
import { detectNft } from "../../../parsers/nftables/detect.js";

describe("detectNft", () => {
  it.each([
    ["a table", "table inet filter {\n  chain input { type filter hook input priority 0; }\n}\n"],
    ["a command file", "add table ip t\nadd chain ip t c\n"],
    ["an include-only wrapper", "#\n# read by the systemd service\n#\ninclude \"/etc/nftables/main.nft\"\n"],
    ["relative and glob includes", "include \"./rules/*.nft\";\ninclude \"common.nft\" # shared\n"],
    ["definitions and an include", "define wan = eth0\ndefine trusted = { 10.0.0.0/8 }\ninclude \"filter.nft\"\n"],
  ])("recognises %s", (_what, text) => {
    expect(detectNft(text)).toBe(true);
  });

  it.each([
    ["comments only", "# include \"/etc/nftables/main.nft\"\n# nothing else\n"],
    ["a Makefile include", "include common.mk\n"],
    ["a C-style define", "#define PORT 22\n"],
    ["an iptables-save dump", "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n"],
    ["a shell script", "#!/bin/sh\niptables -A INPUT -j DROP\n"],
    ["an assignment that is not nft's", "define = 3\n"],
  ])("leaves alone %s", (_what, text) => {
    expect(detectNft(text)).toBe(false);
  });

  it("a wrapper is read as nft: a missing included file is reported where it is named", async () => {
    await loadFormats(["nft"]);
    const text = "define ssh_port = 22\ninclude \"missing.nft\"\n";
    expect(detectFormat(text)).toBe("nft");
    const rs = parseAs("nft", text, "/nonexistent/nftables.conf");
    expect(rs.diagnostics).toEqual([expect.objectContaining({ severity: "error", line: 2, message: expect.stringContaining("missing.nft") })]);
  });

  it("fwlint check on a wrapper finds what the included files open, at their lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-wrapper-"));
    mkdirSync(join(dir, "rules"));
    const wrapper = "#\n# read by nftables.service\n#\ndefine wan = \"eth0\"\ninclude \"./rules/*.nft\"\n";
    writeFileSync(join(dir, "rules/main.nft"), "table inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    iifname $wan tcp dport 25 accept\n  }\n}\n");
    const r = await analyzeFile(join(dir, "nftables.conf"), wrapper, { scanRoot: dir });
    expect(r.fatal).toBeUndefined();
    expect(r.file.format).toBe("nft");
    const smtp = r.findings.filter((f) => f.ruleId === "exposed-service" && f.exposure?.service === "smtp");
    expect(smtp.map((f) => [f.location.file, f.location.line, f.exposure!.family])).toEqual([
      [join(dir, "rules/main.nft"), 4, 4],
      [join(dir, "rules/main.nft"), 4, 6],
    ]);
  });
});
