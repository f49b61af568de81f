/**
 * `line vty`: remote sessions to the router take only the protocols `transport input` names and
 * the sources the access-class permits; the stage only refuses, so the interface entry that
 * admitted a packet stays the one findings name.
 */
import { describe, expect, it } from "vitest";
import { ios, iosClean, trace } from "./helpers.js";

const WAN = "GigabitEthernet0/0";
const router = (vty: string[]) =>
  [
    "interface GigabitEthernet0/0",
    " ip address 203.0.113.2 255.255.255.248",
    " ipv6 address 2001:db8::2/64",
    "ip access-list standard ADMINS",
    " permit 198.51.100.0 0.0.0.15",
    "ipv6 access-list ADMINS6",
    " permit ipv6 2001:db8:a::/48 any",
    ...vty,
    "",
  ].join("\n");
const session = (rs: ReturnType<typeof ios>, src: string, dport: number) =>
  trace(rs, { kind: "inbound", src, dst: src.includes(":") ? "2001:db8::2" : "203.0.113.2", dport, iif: WAN });

describe("line vty on the inbound path", () => {
  it("the access-class admits its sources only, per family; other ports are not its business", () => {
    const rs = iosClean(router(["line vty 0 15", " access-class ADMINS in", " ipv6 access-class ADMINS6 in"]));
    expect(session(rs, "198.51.100.3", 22).verdict).toBe("accept");
    expect(session(rs, "192.0.2.9", 22).verdict).toBe("drop");
    expect(session(rs, "192.0.2.9", 23).verdict).toBe("drop");
    expect(session(rs, "192.0.2.9", 161).verdict).toBe("accept");
    expect(session(rs, "2001:db8:a::9", 22).verdict).toBe("accept");
    expect(session(rs, "2001:db8:b::9", 22).verdict).toBe("drop");
    // the admitting rule is still the interface's (no ACL there: IOS passes everything)
    expect(session(rs, "198.51.100.3", 22).by).toMatch(/^access-group in: interface GigabitEthernet0\/0/);
  });

  it("transport input refuses the protocols it does not name; without it both are taken", () => {
    expect(session(iosClean(router(["line vty 0 4", " transport input ssh"])), "192.0.2.9", 23).verdict).toBe("drop");
    expect(session(iosClean(router(["line vty 0 4", " transport input ssh"])), "192.0.2.9", 22).verdict).toBe("accept");
    expect(session(iosClean(router(["line vty 0 4", " transport input none"])), "192.0.2.9", 22).verdict).toBe("drop");
    expect(session(iosClean(router(["line vty 0 4", " transport input all"])), "192.0.2.9", 23).verdict).toBe("accept");
    expect(session(iosClean(router(["line vty 0 4", " exec-timeout 5 0"])), "192.0.2.9", 23).verdict).toBe("accept");
  });

  it("blocks that admit differently leave it open: another line may take the session", () => {
    const rs = iosClean(router(["line vty 0 4", " access-class ADMINS in", "line vty 5 15", " transport input ssh"]));
    expect(session(rs, "192.0.2.9", 22).verdict).toBe("accept|drop");
    expect(session(rs, "198.51.100.3", 22).verdict).toBe("accept");
  });

  it("an access-class naming no list lets every source in, with a warning at the name", () => {
    const rs = ios(router(["line vty 0 4", " access-class NOPE in"]));
    expect(rs.diagnostics.filter((d) => d.severity === "warning").map((d) => [d.line, d.column])).toEqual([[9, 15]]);
    expect(session(rs, "192.0.2.9", 22).verdict).toBe("accept");
  });
});
