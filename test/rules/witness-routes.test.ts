/**
 * Example packets through a device whose routes its file shows (ASA, IOS, JunOS fixtures): a
 * finding's forward witness leaves through the interface the routes send its destination out of,
 * and does not go back out of the interface it came in on - the packet `fwlint trace` then repeats
 * is one the device could see.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeText } from "../../src/engine/check.js";
import { parseIP } from "../../src/model/address.js";
import { egressOf } from "../../src/model/routing.js";

const root = join(import.meta.dirname, "..", "..");
const vendorFixtures = ["cisco-asa", "cisco-ios", "junos"].flatMap((dir) => readdirSync(join(root, "fixtures", dir)).map((f) => join("fixtures", dir, f)));

describe("forward witnesses follow the device's routes", () => {
  it("leave through the routed interface of their destination, not back out of the arriving one", () => {
    let checked = 0;
    for (const path of vendorFixtures) {
      const res = analyzeText(path, readFileSync(join(root, path), "utf8"));
      const routed = res.ruleset?.routed;
      if (!routed) continue;
      for (const f of res.findings) {
        const w = f.witness;
        // (a packet a NAT rule rewrites is shown as sent, to the address it leaves without)
        if (!w?.oif || w.hook !== "forward" || f.trace?.some((s) => /^(dnat|redirect)/.test(s.action))) continue;
        const family = w.family ?? (w.dst.includes(":") ? 6 : 4);
        const dst = parseIP(w.dst, family);
        const routedOut = dst === null ? undefined : egressOf(routed, family, dst);
        if (routedOut === undefined) continue;
        checked++;
        expect(`${path}: ${f.ruleId} -> ${w.dst} oif ${w.oif}`).toBe(`${path}: ${f.ruleId} -> ${w.dst} oif ${routedOut}`);
        expect(w.iif, `${path}: ${f.ruleId}`).not.toBe(w.oif);
      }
    }
    expect(checked).toBeGreaterThan(15);
  });
});
