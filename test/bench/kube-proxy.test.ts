/**
 * The kube-proxy benchmark generator: deterministic, sized as asked, valid for iptables (chain names
 * within 28 characters) and, where we can run it, accepted by the real `iptables-restore --test`.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { describe, expect, it } from "vitest";
import { countRules, generateKubeProxy, servicesForRules, typicalHostRuleset } from "../../src/bench/kube-proxy.js";

function findExecutable(name: string): string | undefined {
  for (const d of [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin"]) {
    if (!d) continue;
    try {
      accessSync(`${d}/${name}`, constants.X_OK);
      return `${d}/${name}`;
    } catch {
      // next
    }
  }
  return undefined;
}

const iptablesRestore = findExecutable("iptables-restore");
const ip = findExecutable("ip");
const isRoot = process.getuid?.() === 0;
const kernelSkip = !isRoot
  ? "not running as root"
  : !iptablesRestore
    ? "iptables-restore not found"
    : !ip
      ? "ip (iproute2) not found"
      : undefined;
if (kernelSkip) {
  console.warn(`[test/bench] SKIPPING iptables-restore --test check of the generated file: ${kernelSkip}`);
}

/** Runs `iptables-restore --test` on `text` in a network namespace made for it. */
function restoreTest(text: string): { status: number | null; stderr: string } {
  const ns = `fwlint-gen-test-${process.pid}`;
  const add = spawnSync(ip!, ["netns", "add", ns], { encoding: "utf8" });
  if (add.status !== 0) throw new Error(`ip netns add: ${add.stderr}`);
  try {
    const r = spawnSync(ip!, ["netns", "exec", ns, iptablesRestore!, "--test"], { input: text, encoding: "utf8", timeout: 60_000 });
    return { status: r.status, stderr: r.stderr };
  } finally {
    spawnSync(ip!, ["netns", "del", ns]);
  }
}

describe("generateKubeProxy", () => {
  it("is deterministic for a seed and varies with it", () => {
    const a = generateKubeProxy(150, 42);
    expect(generateKubeProxy(150, 42)).toBe(a);
    expect(generateKubeProxy(150, 43)).not.toBe(a);
    expect(generateKubeProxy(150)).toBe(generateKubeProxy(150, 1));
  });

  it.each([1000, 10000])("lands near %i rules", (target) => {
    const services = servicesForRules(target);
    const rules = countRules(generateKubeProxy(services));
    expect(Math.abs(rules - target)).toBeLessThanOrEqual(target * 0.02);
    // About 7 rules per service port.
    expect(rules / services).toBeGreaterThan(5);
    expect(rules / services).toBeLessThan(9);
  });

  it("has the kube-proxy layout and iptables-valid chain names", () => {
    const text = generateKubeProxy(200, 3);
    for (const table of ["*filter", "*nat"]) expect(text).toContain(`\n${table}\n`);
    expect(text).toMatch(/^-A PREROUTING .*-j KUBE-SERVICES$/m);
    expect(text).toMatch(/^-A KUBE-SERVICES -d 10\.96\.\d+\.\d+\/32 -p tcp -m comment --comment "[^"]+ cluster IP" -m tcp --dport \d+ -j KUBE-SVC-[A-Z2-7]{16}$/m);
    expect(text).toMatch(/^-A KUBE-SVC-[A-Z2-7]{16} .*-m statistic --mode random --probability 0\.33333333349 -j KUBE-SEP-[A-Z2-7]{16}$/m);
    expect(text).toMatch(/^-A KUBE-SEP-[A-Z2-7]{16} -s 10\.244\.\d+\.\d+\/32 .*-j KUBE-MARK-MASQ$/m);
    expect(text).toMatch(/^-A KUBE-SEP-[A-Z2-7]{16} -p tcp .*-m tcp -j DNAT --to-destination 10\.244\.\d+\.\d+:\d+$/m);
    expect(text).toContain("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000");
    expect(text).toMatch(/^-A KUBE-POSTROUTING .*-j MASQUERADE/m);
    expect(text).toMatch(/^-A KUBE-SERVICES .*-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS$/m);
    expect(text).toContain("-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP");
    expect(text).toMatch(/^-A KUBE-SERVICES .*has no endpoints.*-j REJECT/m);
    expect(text).toMatch(/^-A KUBE-NODEPORTS -p tcp .*--dport 3\d{4} -j KUBE-EXT-[A-Z2-7]{16}$/m);
    // The well-known hash kube-proxy gives default/kubernetes:https.
    expect(text).toContain("-j KUBE-SVC-NPX46M4PTMTKRN6Y");
    // Every chain jumped to is declared in its table, and every name fits iptables' 28 characters.
    for (const block of text.split("COMMIT")) {
      const declared = new Set([...block.matchAll(/^:(\S+)/gm)].map((m) => m[1]!));
      for (const name of declared) expect(name.length).toBeLessThanOrEqual(28);
      for (const m of block.matchAll(/ -j (KUBE-\S+)/g)) expect(declared.has(m[1]!), m[1]).toBe(true);
    }
  });

  it("typical host ruleset has 20 rules", () => {
    expect(countRules(typicalHostRuleset())).toBe(20);
  });

  it.skipIf(kernelSkip !== undefined)("is accepted by iptables-restore --test (1k rules)", () => {
    const r = restoreTest(generateKubeProxy(servicesForRules(1000)));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it.skipIf(kernelSkip !== undefined)("the typical host ruleset is accepted by iptables-restore --test", () => {
    const r = restoreTest(typicalHostRuleset());
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
