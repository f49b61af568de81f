import { describe, expect, it } from "vitest";
import { makeContext } from "../../rules/checks/context.js";
import { natPortForwardExposure } from "../../rules/checks/nat-port-forward-exposure.js";
import { parseNft } from "../../parsers/nftables/index.js";
import { balancedNat, filter, ref } from "./helpers.js";

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

  // Docker's and most hand-written port forwards DNAT only what is addressed to the host itself.
  it("a forward of packets addressed to this host exposes the service: strangers send them to its address", () => {
    const local = "-A PREROUTING -m addrtype --dst-type LOCAL -p tcp --dport 3389 -j DNAT --to-destination 10.0.0.9\n";
    const fs = natPortForwardExposure(makeContext(filter("-A FORWARD -d 10.0.0.9 -p tcp --dport 3389 -j ACCEPT\n", undefined, local)), { threshold: 0.5 }, ref);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.location.line).toBe(6);
    // which addresses are the host's the ruleset does not say, but it has one strangers reach
    expect(fs[0]!.message).toBe("DNAT rule forwards tcp/3389 from any source to RDP on internal host 10.0.0.9:3389 (forward path)");
    expect(fs[0]!.uncertain).toBeUndefined();
  });

  it("nftables: fib daddr type local ... dnat, and not once the forward chain stops it", () => {
    const rs = (forward: string) =>
      parseNft(
        `table ip nat {\n chain pre {\n  type nat hook prerouting priority dstnat;\n  fib daddr type local tcp dport 8443 dnat to 192.168.1.10:22\n }\n}\n` +
          `table ip filter {\n chain fw {\n  type filter hook forward priority 0; policy drop;\n  ${forward}\n }\n}\n`,
        "r.nft",
      );
    const fs = natPortForwardExposure(makeContext(rs("ct status dnat accept")), { threshold: 0.5 }, ref);
    expect(fs.map((f) => [f.location.line, f.message, f.uncertain])).toEqual([
      [4, "DNAT rule forwards tcp/8443 from any source to SSH on internal host 192.168.1.10:22 (forward path)", undefined],
    ]);
    expect(natPortForwardExposure(makeContext(rs("ip saddr 192.0.2.0/24 ct status dnat accept")), { threshold: 0.5 }, ref)).toEqual([]);
  });

  it("a forward certain on one interface is reported once, without the uncertain copy from the others", () => {
    const plain = "-A PREROUTING -p tcp --dport 2222 -j DNAT --to-destination 10.0.0.5:22\n";
    const forward = "-A FORWARD -i eth0 -d 10.0.0.5 -p tcp --dport 22 -j ACCEPT\n-A FORWARD -d 10.0.0.5 -p tcp --dport 22 -m mark --mark 0x1 -j ACCEPT\n";
    const fs = natPortForwardExposure(makeContext(filter(forward, undefined, plain)), { threshold: 0.5 }, ref);
    expect(fs.map((f) => [f.message, f.uncertain])).toEqual([["DNAT rule forwards tcp/2222 from any source to SSH on internal host 10.0.0.5:22 (forward path)", undefined]]);
  });

  // kube-proxy's load balancing: a service's packets go to one endpoint or another at random
  // (-m statistic, not modelled). Each endpoint gets connections from anyone, for certain: one
  // finding for the service, at the first endpoint's DNAT, the others related.
  const balanced = (n: number) =>
    natPortForwardExposure(makeContext(filter("-A FORWARD -p tcp --dport 22 -j ACCEPT\n", undefined, balancedNat(n, 2222, 22))), { threshold: 0.5 }, ref);
  it("the endpoints of a load-balanced service: one finding, forwarded for certain, the others related", () => {
    const fs = balanced(2);
    expect(fs.map((f) => [f.location.line, f.message, f.uncertain, f.related])).toEqual([
      [
        12,
        "DNAT rules forward tcp/2222 from any source to SSH on 2 internal hosts, one per connection: 10.0.1.1:22, 10.0.1.2:22 (forward path)",
        undefined,
        [{ file: "t.rules", line: 13, column: 1, message: "also forwards to 10.0.1.2:22" }],
      ],
    ]);
    // traced through the branch of the endpoint it is located at
    expect(fs[0]!.trace!.filter((s) => s.action.startsWith("dnat")).map((s) => s.line)).toEqual([12]);
    expect(fs[0]!.exposure).toMatchObject({ service: "ssh", ports: [[22, 22]], sourceCoverage: 1 });
  });
  it("many endpoints: the first twelve named, the rest counted", () => {
    const fs = balanced(24);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toMatch(/^DNAT rules forward tcp\/2222 from any source to SSH on 24 internal hosts, one per connection: 10\.0\.1\.1:22, .*10\.0\.1\.12:22, and 12 more \(forward path\)$/);
    expect(fs[0]!.related).toHaveLength(23);
  });
  it("forwards of different services, or of the same service arriving differently, stay apart", () => {
    const two = "-A PREROUTING -p tcp --dport 2222 -j DNAT --to-destination 10.0.0.5:22\n-A PREROUTING -p tcp --dport 2223 -j DNAT --to-destination 10.0.0.6:22\n";
    const fs = natPortForwardExposure(makeContext(filter("-A FORWARD -p tcp --dport 22 -j ACCEPT\n", undefined, two)), { threshold: 0.5 }, ref);
    expect(fs.map((f) => f.location.line)).toEqual([6, 7]);
  });

  it("a forward of every port to one host is one finding per protocol, listing the services", () => {
    const all = "-A PREROUTING -d 203.0.113.5 -j DNAT --to-destination 10.0.0.7\n";
    const fs = natPortForwardExposure(makeContext(filter("-A FORWARD -d 10.0.0.7 -j ACCEPT\n", undefined, all)), { threshold: 0.5 }, ref);
    const protos = fs.map((f) => f.exposure?.protocol);
    expect(new Set(protos).size).toBe(protos.length); // one per protocol
    expect(protos).toEqual(expect.arrayContaining(["tcp", "udp"]));
    const tcp = fs.find((f) => f.exposure?.protocol === "tcp")!;
    expect(tcp.message).toMatch(/^DNAT rule forwards tcp\/0-65535 from any source to [0-9]+ TCP services on internal host 10\.0\.0\.7: .*SSH \(22\).* \(forward path\)$/);
    expect(tcp.exposure?.services).toContain("ssh");
    expect(tcp.location.line).toBe(6);
  });

  it("a REDIRECT is a service of this host, not of an internal one", () => {
    const redirect = "-A PREROUTING -p tcp --dport 2222 -j REDIRECT --to-ports 22\n";
    const fs = natPortForwardExposure(makeContext(filter("-A INPUT -p tcp --dport 22 -j ACCEPT\n", undefined, redirect)), { threshold: 0.5 }, ref);
    expect(fs.map((f) => f.message)).toEqual(["DNAT rule forwards tcp/2222 from any source to SSH on this host, port 22 (inbound path)"]);
  });
});
