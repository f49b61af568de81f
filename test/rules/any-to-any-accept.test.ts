import { describe, expect, it } from "vitest";
import { anyToAnyAccept } from "../../rules/checks/any-to-any-accept.js";
import { makeContext } from "../../rules/checks/context.js";
import { filter, lines, ref } from "./helpers.js";

const run = (body: string) => anyToAnyAccept(makeContext(filter(body)), {}, ref);

describe("any-to-any-accept", () => {
  it("reports -j ACCEPT, ! -i lo and --ctstate NEW accepts on inbound and forward", () => {
    expect(lines(run("-A INPUT -j ACCEPT\n"))).toEqual([5]);
    expect(lines(run("-A INPUT ! -i lo -j ACCEPT\n"))).toEqual([5]);
    expect(lines(run("-A FORWARD -m conntrack --ctstate NEW -j ACCEPT\n"))).toEqual([5]);
    expect(run("-A INPUT -j ACCEPT\n")[0]!.message).toMatch(/chain INPUT .* on the inbound path$/);
  });

  it("not for loopback, replies, one interface, OUTPUT, or a rule after a catch-all DROP", () => {
    expect(run("-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -i eth1 -j ACCEPT\n-A OUTPUT -j ACCEPT\n")).toEqual([]);
    expect(run("-A INPUT -j DROP\n-A INPUT -j ACCEPT\n")).toEqual([]);
  });

  it("follows jumps: a user chain entered for everything, not one entered only for TCP", () => {
    expect(lines(run(":ALL - [0:0]\n-A FORWARD -j ALL\n-A ALL -p udp -j DROP\n-A ALL -j ACCEPT\n"))).toEqual([8]);
    expect(run(":TCP - [0:0]\n-A INPUT -p tcp -j TCP\n-A TCP -j ACCEPT\n")).toEqual([]);
  });

  it("a jump to a chain that accepts all that enters it (log, then accept) is that accept: the jump is reported", () => {
    const helper = ":L_ACCEPT - [0:0]\n-A L_ACCEPT -j LOG --log-prefix ok\n-A L_ACCEPT -j ACCEPT\n";
    expect(lines(run(`${helper}-A INPUT -p tcp --dport 22 -j L_ACCEPT\n-A INPUT -j L_ACCEPT\n`))).toEqual([9]);
    const found = run(`${helper}-A INPUT -j L_ACCEPT\n`)[0]!;
    expect(found.message).toMatch(/chain INPUT .* on the inbound path$/);
    // after a catch-all jump to a dropping helper nothing is reached
    expect(run(`:L_DROP - [0:0]\n-A L_DROP -j DROP\n${helper}-A INPUT -j L_DROP\n-A INPUT -j L_ACCEPT\n`)).toEqual([]);
  });
});
