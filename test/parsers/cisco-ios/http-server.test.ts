/**
 * The router's web UI (`ip http server`, `ip http secure-server`): a device service on its ports,
 * and `ip http access-class` a stage of the inbound path that admits its clients per family.
 */
import { describe, expect, it } from "vitest";
import { ios, iosClean, trace } from "./helpers.js";

const WAN = "GigabitEthernet0/0";
const router = (http: string[]) =>
  [
    "interface GigabitEthernet0/0",
    " ip address 203.0.113.2 255.255.255.248",
    " ipv6 address 2001:db8::2/64",
    "access-list 99 permit 198.51.100.0 0.0.0.15",
    "ipv6 access-list ADMINS6",
    " permit ipv6 2001:db8:a::/48 any",
    ...http,
    "",
  ].join("\n");
const client = (rs: ReturnType<typeof ios>, src: string, dport: number) =>
  trace(rs, { kind: "inbound", src, dst: src.includes(":") ? "2001:db8::2" : "203.0.113.2", dport, iif: WAN });

describe("ip http server", () => {
  it("is a device service on the ports of the servers that are on", () => {
    expect(iosClean(router(["ip http server", "ip http secure-server"])).deviceServices).toMatchObject([{ id: "ios-http-server", protocol: 6, ports: [[80, 80], [443, 443]] }]);
    expect(iosClean(router(["ip http secure-server", "ip http secure-port 8443"])).deviceServices).toMatchObject([{ ports: [[8443, 8443]] }]);
    expect(iosClean(router(["ip http server", "ip http port 8080", "no ip http secure-server"])).deviceServices).toMatchObject([{ ports: [[8080, 8080]] }]);
    // turned off again, or never on
    expect(iosClean(router(["ip http server", "no ip http server"])).deviceServices).toBeUndefined();
    expect(iosClean(router(["ip http authentication local"])).deviceServices).toBeUndefined();
  });

  it("the access-class admits the web UI's clients only, per family; other ports are not its business", () => {
    const rs = iosClean(router(["ip http server", "ip http secure-server", "ip http access-class 99", "ip http access-class ipv6 ADMINS6"]));
    expect(client(rs, "198.51.100.3", 443).verdict).toBe("accept");
    expect(client(rs, "192.0.2.9", 443).verdict).toBe("drop");
    expect(client(rs, "192.0.2.9", 80).verdict).toBe("drop");
    expect(client(rs, "192.0.2.9", 22).verdict).toBe("accept");
    expect(client(rs, "2001:db8:a::9", 443).verdict).toBe("accept");
    expect(client(rs, "2001:db8:b::9", 443).verdict).toBe("drop");
    // the admitting rule is still the interface's
    expect(client(rs, "198.51.100.3", 443).by).toMatch(/^access-group in: interface GigabitEthernet0\/0/);
  });

  it("an IPv4 access-class leaves IPv6 clients in; `ipv4 NAME` is IPv4's", () => {
    const rs = iosClean(router(["ip http secure-server", "ip access-list standard WEB", " permit 198.51.100.0 0.0.0.15", "ip http access-class ipv4 WEB"]));
    expect(client(rs, "192.0.2.9", 443).verdict).toBe("drop");
    expect(client(rs, "2001:db8:b::9", 443).verdict).toBe("accept");
  });

  it("an access-class that is not defined admits everyone, with a warning", () => {
    const rs = ios(router(["ip http secure-server", "ip http access-class 42"]));
    expect(client(rs, "192.0.2.9", 443).verdict).toBe("accept");
    expect(rs.diagnostics.find((d) => d.severity === "warning")?.message).toMatch(/ip http access-class 42 is not defined/);
  });
});
