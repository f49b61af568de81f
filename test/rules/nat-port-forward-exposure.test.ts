import { describe, expect, it } from "vitest";
import { makeContext } from "../../rules/checks/context.js";
import { natPortForwardExposure } from "../../rules/checks/nat-port-forward-exposure.js";
import { filter, ref } from "./helpers.js";

const nat = "-A PREROUTING -i eth0 -p tcp --dport 2222 -j DNAT --to-destination 10.0.0.5:22\n";
const run = (body: string) => natPortForwardExposure(makeContext(filter(body, undefined, nat)), { threshold: 0.5 }, ref);

describe("nat-port-forward-exposure", () => {
  it("names the DNAT rule, the public port and the internal target, with a trace", () => {
    const fs = run("-A FORWARD -d 10.0.0.5 -p tcp --dport 22 -j ACCEPT\n");
    expect(fs).toHaveLength(1);
    expect(fs[0]!.location.line).toBe(6);
    expect(fs[0]!.message).toBe("DNAT rule forwards tcp/2222 from any source to SSH on internal host 10.0.0.5:22 (forward path)");
    expect(fs[0]!.witness).toMatchObject({ dport: 2222 });
    expect(fs[0]!.trace?.length).toBeGreaterThan(0);
  });

  it("not when FORWARD lets only one network through", () => {
    expect(run("-A FORWARD -s 192.0.2.0/24 -d 10.0.0.5 -p tcp --dport 22 -j ACCEPT\n")).toEqual([]);
  });
});
