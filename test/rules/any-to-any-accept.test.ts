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
    expect(lines(run(":ALL - [0:0]\n-A FORWARD -j ALL\n-A ALL -j ACCEPT\n"))).toEqual([7]);
    expect(run(":TCP - [0:0]\n-A INPUT -p tcp -j TCP\n-A TCP -j ACCEPT\n")).toEqual([]);
  });
});
