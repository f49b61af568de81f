/**
 * Detection is specific: IOS-only commands make a file IOS; ASA, JunOS, iptables and nftables
 * files are never claimed (checked on synthetic text and on every corpus file of those formats).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { detectCiscoIos } from "../../../parsers/cisco-ios/index.js";
import { detectFormat } from "../../../src/engine/formats.js";

describe("detectCiscoIos", () => {
  it("recognises IOS commands", () => {
    expect(detectCiscoIos("hostname r1\nip access-list extended OUTSIDE_IN\n permit tcp any any eq 22\n")).toBe(true);
    expect(detectCiscoIos("access-list 101 permit tcp any any eq 80\n")).toBe(true);
    expect(detectCiscoIos("interface GigabitEthernet0/0\n ip access-group 101 in\n")).toBe(true);
    expect(detectCiscoIos("ipv6 access-list V6\n permit ipv6 any any\n")).toBe(true);
    expect(detectCiscoIos("version 15.2\nhostname r1\n")).toBe(true);
    // a device config with no filtering yet: a hostname and IOS-style interfaces
    expect(detectCiscoIos("hostname r1\ninterface GigabitEthernet0/0\n description no ACL here\n")).toBe(true);
    expect(detectCiscoIos("hostname r1\npolicy-map type inspect OUT2IN\n class class-default\n  drop\n")).toBe(true);
    expect(detectCiscoIos("hostname r1\nip nat inside source static tcp 10.0.0.5 22 interface Dialer1 2222\n")).toBe(true);
    expect(detectCiscoIos("hostname r1\naccess-list acl extended permit ip 1.2.3.4 0.0.0.255 any\n")).toBe(true);
  });

  it("does not claim ASA, JunOS, iptables or nftables text", () => {
    expect(detectCiscoIos("ASA Version 9.8(2)\nhostname fw\ninterface GigabitEthernet0/0\n nameif outside\n security-level 0\naccess-list OUT extended permit tcp any any eq 25\n")).toBe(false);
    expect(detectCiscoIos("interface GigabitEthernet0/1\n nameif inside\n ip address 10.0.0.1 255.255.255.0\n")).toBe(false);
    expect(detectCiscoIos("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n")).toBe(false);
    expect(detectCiscoIos("table inet filter {\n chain input {\n  type filter hook input priority 0;\n }\n}\n")).toBe(false);
    expect(detectCiscoIos("set security zones security-zone trust interfaces ge-0/0/0.0\n")).toBe(false);
    expect(detectCiscoIos("firewall {\n family inet {\n }\n}\n")).toBe(false);
    expect(detectCiscoIos("interface GigabitEthernet0/0\n description a fragment without hostname\n")).toBe(false);
    expect(detectCiscoIos("ASA Version 9.8(2)\nhostname fw\npolicy-map type inspect dns preset_dns_map\n")).toBe(false);
    expect(detectCiscoIos("hostname fw\naccess-list OUT extended permit tcp 10.0.0.0 255.255.255.0 any eq 25\n")).toBe(false);
  });
});

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const CORPUS = process.env.FWLINT_CORPUS_DIR ?? resolve(REPO, "..", "shared", "corpus");
const present = existsSync(join(CORPUS, "INDEX.tsv"));
if (!present && process.env.FWLINT_REQUIRE_SHARED !== "1") console.warn(`[cisco-ios detect corpus] SKIPPED: ${CORPUS} not found (set FWLINT_REQUIRE_SHARED=1 to make this a failure)`);

describe("detection on the corpus", () => {
  it.skipIf(present || process.env.FWLINT_REQUIRE_SHARED !== "1")("needs ../shared/corpus (FWLINT_REQUIRE_SHARED=1)", () => expect.fail(`shared corpus not found at ${CORPUS}`));
  it.skipIf(!present)("no file of another format is taken for IOS; the share of IOS files recognised is printed", () => {
    const rows = readFileSync(join(CORPUS, "INDEX.tsv"), "utf8").split("\n").slice(1).map((l) => l.split("\t")).filter((r) => r[0]);
    const claimed: string[] = [];
    let ios = 0;
    let recognised = 0;
    for (const [path = "", format = ""] of rows) {
      let text: string;
      try {
        text = readFileSync(join(CORPUS, path), "utf8");
      } catch {
        continue;
      }
      if (format === "cisco-ios") {
        ios++;
        if (detectFormat(text) === "cisco-ios") recognised++;
      } else if (detectCiscoIos(text)) claimed.push(`${path} (${format})`);
    }
    console.log(`cisco-ios detection: ${recognised}/${ios} corpus IOS files recognised by content; ${claimed.length} files of other formats claimed`);
    expect(claimed).toEqual([]);
    expect(recognised).toBe(ios);
  });
});
