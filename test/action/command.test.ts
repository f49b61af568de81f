import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { actionCommand, actionTargets, isRulesetName, type ActionInputs } from "../../src/action/command.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const DEFAULTS: ActionInputs = { paths: ".", failOn: "high", sarifFile: "fwlint.sarif", changedOnly: "true" };

describe("actionCommand", () => {
  it("checks the whole of paths outside a pull request (no changed files known)", () => {
    expect(actionCommand(DEFAULTS, "sarif")).toEqual(["fwlint", "check", "--format", "sarif", "--fail-on", "none", "--", "."]);
    expect(actionCommand(DEFAULTS, "check")).toEqual(["fwlint", "check", "--fail-on", "high", "--", "."]);
  });

  it("passes fail-on to the check step only; the SARIF step never fails on findings", () => {
    const inputs = { ...DEFAULTS, failOn: "medium" };
    expect(actionCommand(inputs, "check")).toEqual(["fwlint", "check", "--fail-on", "medium", "--", "."]);
    expect(actionCommand(inputs, "sarif")).toContain("none");
    expect(actionCommand({ ...DEFAULTS, failOn: "none" }, "check")).toEqual(["fwlint", "check", "--fail-on", "none", "--", "."]);
    expect(actionCommand({ ...DEFAULTS, failOn: " " }, "check")).toEqual(["fwlint", "check", "--fail-on", "high", "--", "."]);
  });

  it("splits paths on whitespace and newlines, and keeps odd names as single arguments", () => {
    const inputs = { ...DEFAULTS, paths: "etc/iptables\n  deploy/firewall.sh  -weird.rules\n" };
    expect(actionCommand(inputs, "check")).toEqual(["fwlint", "check", "--fail-on", "high", "--", "etc/iptables", "deploy/firewall.sh", "-weird.rules"]);
    expect(actionTargets({ ...DEFAULTS, paths: "  " })).toEqual(["."]);
  });

  it("with changed-only, names the changed rulesets inside paths, sorted and deduplicated", () => {
    const changedFiles = ["README.md", "etc/iptables/rules.v4", "src/app.ts", "deploy/firewall.sh", "etc/iptables/rules.v4", "other/x.rules"];
    const inputs = { ...DEFAULTS, paths: "etc deploy/", changedFiles };
    expect(actionCommand(inputs, "check")).toEqual(["fwlint", "check", "--fail-on", "high", "--", "deploy/firewall.sh", "etc/iptables/rules.v4"]);
    expect(actionCommand(inputs, "sarif")).toEqual([
      "fwlint", "check", "--format", "sarif", "--fail-on", "none", "--", "deploy/firewall.sh", "etc/iptables/rules.v4",
    ]);
    expect(actionTargets({ ...DEFAULTS, paths: "./etc", changedFiles })).toEqual(["etc/iptables/rules.v4"]);
    expect(actionTargets({ ...DEFAULTS, changedFiles })).toEqual(["deploy/firewall.sh", "etc/iptables/rules.v4", "other/x.rules"]);
  });

  it("has nothing to run when no ruleset changed", () => {
    const inputs = { ...DEFAULTS, changedFiles: ["README.md", "src/app.ts"] };
    expect(actionCommand(inputs, "check")).toEqual([]);
    expect(actionCommand(inputs, "sarif")).toEqual([]);
    expect(actionCommand({ ...DEFAULTS, changedFiles: [] }, "check")).toEqual([]);
  });

  it("ignores the changed files when changed-only is false", () => {
    const inputs = { ...DEFAULTS, changedOnly: "false", changedFiles: ["etc/rules.v4"] };
    expect(actionCommand(inputs, "check")).toEqual(["fwlint", "check", "--fail-on", "high", "--", "."]);
    expect(actionTargets({ ...DEFAULTS, changedOnly: " TRUE ", changedFiles: ["etc/rules.v4"] })).toEqual(["etc/rules.v4"]);
  });
});

describe("isRulesetName", () => {
  const yes = [
    "rules.v4",
    "etc/iptables/rules.v6",
    "a/open.rules",
    "x.ipt",
    "iptables",
    "ip6tables-save",
    "iptables.sh",
    "deploy/firewall-up.sh",
    // nftables: a pull request that changes only these was "no firewall configuration changed"
    "etc/nftables.conf",
    "nftables",
    "etc/nftables.d/20-mail.nft",
    "router.nft",
    // the sets an iptables ruleset reads: checked with that ruleset
    "etc/iptables/ipsets",
    "etc/sysconfig/ipset",
    "etc/ipset.conf",
  ];
  const no = ["README.md", "iptables.md", "nftables.md", "etc/udev/rules.d/99-net.rules", "rules.v44", "myiptables", "mynftables", "x.nft.txt", "firewall.py", "src/app.ts", "docs/iptables.png", "myipsets", "ipset.md"];

  it("matches the names of iptables and nftables rulesets and scripts only", () => {
    for (const n of yes) expect(isRulesetName(n), n).toBe(true);
    for (const n of no) expect(isRulesetName(n), n).toBe(false);
  });

  it("agrees with the pre-commit hook's files/exclude patterns", () => {
    const hooks = parse(readFileSync(join(ROOT, ".pre-commit-hooks.yaml"), "utf8")) as { id: string; files: string; exclude: string }[];
    const hook = hooks.find((h) => h.id === "fwlint");
    expect(hook).toBeDefined();
    // Python verbose regexes: drop the (?x) flag, comments and whitespace (the patterns use no literal spaces).
    const js = (re: string): RegExp => new RegExp(re.replace(/^\(\?x\)/, "").replace(/#.*$/gm, "").replace(/\s+/g, ""));
    const files = js(hook!.files);
    const exclude = js(hook!.exclude);
    for (const n of [...yes, ...no]) expect(files.test(n) && !exclude.test(n), n).toBe(isRulesetName(n));
  });
});
