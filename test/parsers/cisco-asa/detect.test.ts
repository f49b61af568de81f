/** ASA detection claims ASA configs and nothing else that also has interfaces and access lists. */
import { describe, expect, it } from "vitest";
import { detectCiscoAsa } from "../../../parsers/cisco-asa/index.js";
import { detectFormat } from "../../../src/engine/formats.js";

const ios = `hostname r1
interface GigabitEthernet0/0
 ip address 192.0.2.1 255.255.255.0
 ip access-group EDGE in
ip access-list extended EDGE
 10 permit tcp any host 192.0.2.10 eq 25
access-list 101 permit tcp any any eq 22
access-list 101 remark numbered
`;

describe("detectCiscoAsa", () => {
  it("claims running-configs, show access-list output and generated ACL files", () => {
    expect(detectCiscoAsa("ASA Version 9.8(2)\nhostname fw\n")).toBe(true);
    expect(detectCiscoAsa("interface Gi0/0\n nameif outside\n")).toBe(true);
    expect(detectCiscoAsa("access-list OUT extended permit tcp any any eq 25\n")).toBe(true);
    expect(detectCiscoAsa("access-list OUT line 1 extended permit tcp any any eq 25 (hitcnt=0) 0x1\n")).toBe(true);
    expect(detectCiscoAsa("access-group OUT in interface outside\n")).toBe(true);
    expect(detectCiscoAsa("clear configure access-list x\naccess-list x remark generated\n")).toBe(true);
    expect(detectFormat("ASA Version 9.8(2)\n")).toBe("cisco-asa");
  });
  it("does not claim IOS, JunOS or netfilter files", () => {
    expect(detectCiscoAsa(ios)).toBe(false);
    expect(detectCiscoAsa("hostname r\naccess-list acl extended permit ip 1.2.3.4 0.0.0.255 4.3.2.1 0.0.255.255\n")).toBe(false);
    expect(detectCiscoAsa("set security policies from-zone untrust to-zone trust policy p match source-address any\n")).toBe(false);
    expect(detectCiscoAsa("interfaces {\n    ge-0/0/0 {\n        unit 0 { family inet { filter { input f; } } }\n    }\n}\n")).toBe(false);
    expect(detectCiscoAsa("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n")).toBe(false);
    expect(detectCiscoAsa("table inet f {\n chain input { type filter hook input priority 0; policy drop; }\n}\n")).toBe(false);
    expect(detectCiscoAsa("#!/bin/sh\niptables -A INPUT -j ACCEPT\n# access-list OUT extended permit ip any any\n")).toBe(false);
  });
});
