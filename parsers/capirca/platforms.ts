/**
 * What a Capirca / Aerleon target (`target:: PLATFORM OPTIONS`) makes of a filter, as its
 * generator writes it (aerleon docs/reference/generators.md and aerleon/lib/*.py): the families it
 * renders (the header's inet / inet6 / mixed, else the platform's default), whether the device
 * keeps connection state, what a packet no term decides meets, and which way the filter is applied
 * where the header says it (speedway/iptables chain, GCE direction, juniperevo/msmpc ingress or
 * egress, SRX / PAN-OS zones).
 */
import type { Family } from "../../src/model/types.js";
import { namesInternetZone } from "../internet-zones.js";
import { nameTable } from "../../src/model/name-table.js";

export type Direction = "inbound" | "outbound";

export interface TargetReading {
  platform: string;
  /** The filter's name on the device (an ACL's, a chain's), or the zone pair's (`FROM-to-TO`). */
  name: string;
  /** How messages call it, when not by its name ("from-zone trust to-zone untrust"). */
  title?: string;
  families: Family[];
  stateful: boolean;
  /** What no term decides: the device's implicit rule, or the chain policy the header sets. */
  end: "drop" | "accept" | "unknown";
  /** Why `end`, for the chain's policy message. */
  endText: string;
  /** The way the header says it is applied; undefined where it does not. */
  direction?: Direction;
  /** Traffic the filter sees comes from the Internet (false: a zone pair between inside zones). */
  fromInternet: boolean;
  /**
   * A zone pair's policies (SRX, PAN-OS, FortiGate): the device holds one list per zone pair,
   * every header's terms for it in the policy's order.
   */
  zonePair?: true;
  /**
   * Its generator writes `option:: tcp-established` / `established` as a match on TCP replies (ACK
   * or RST); false where it writes the term without it (the ASA generator's access-list lines).
   */
  matchesEstablished: boolean;
  /**
   * PAN-OS: the header's family only decides which terms are written (paloaltofw.py: an inet
   * filter leaves out a term with icmpv6 or with no IPv4 source-destination pair); the rules it
   * writes name whole address groups and `any`, which match both families on the device.
   */
  writtenFamilies?: Family[];
  /**
   * GCE: the rules are not evaluated in order but by priority (a term's `priority::`, else the
   * API's default 1000), a deny before an allow at equal priority.
   */
  byPriority?: true;
  /** The platform is not one fwlint knows the defaults of. */
  unknownPlatform?: true;
}

interface PlatformDefaults {
  family: "inet" | "inet6" | "mixed";
  stateful: boolean;
}

/** Platforms aerleon generates for, with the family they render when the header names none. */
const PLATFORMS: Readonly<Record<string, PlatformDefaults>> = nameTable({
  juniper: { family: "inet", stateful: false },
  juniperevo: { family: "inet", stateful: false },
  msmpc: { family: "mixed", stateful: true },
  srxlo: { family: "inet", stateful: false },
  cisco: { family: "inet", stateful: false },
  ciscoasa: { family: "inet", stateful: true },
  cisconx: { family: "inet", stateful: false },
  ciscoxr: { family: "inet", stateful: false },
  arista: { family: "inet", stateful: false },
  arista_tp: { family: "mixed", stateful: false },
  brocade: { family: "inet", stateful: false },
  aruba: { family: "inet", stateful: false },
  speedway: { family: "inet", stateful: true },
  iptables: { family: "inet", stateful: true },
  ipset: { family: "inet", stateful: true },
  nftables: { family: "mixed", stateful: true },
  gce: { family: "inet", stateful: true },
  gce_vpc_tf: { family: "inet", stateful: true },
  srx: { family: "mixed", stateful: true },
  paloalto: { family: "inet", stateful: true },
  fortigate: { family: "mixed", stateful: true },
  k8s: { family: "mixed", stateful: true },
  openconfig: { family: "inet", stateful: false },
  sonic: { family: "inet", stateful: false },
  windows_advfirewall: { family: "mixed", stateful: true },
  packetfilter: { family: "inet", stateful: true },
  pcap: { family: "inet", stateful: false },
  demo: { family: "inet", stateful: false },
});

const FAMILY_WORDS: Readonly<Record<string, Family[]>> = nameTable({ inet: [4], inet4: [4], inet6: [6], mixed: [4, 6] });

export function readTarget(platform: string, options: readonly string[]): TargetReading {
  const known = PLATFORMS[platform];
  const defaults = known ?? { family: "inet", stateful: false };
  const familyWord = options.find((o) => o in FAMILY_WORDS);
  const families = FAMILY_WORDS[familyWord ?? defaults.family]!;
  const reading: TargetReading = {
    platform,
    name: options.find((o) => !(o in FAMILY_WORDS)) ?? "",
    families,
    stateful: defaults.stateful,
    end: "drop",
    endText: `${platform} ends a filter with an implicit deny`,
    fromInternet: true,
    matchesEstablished: platform !== "ciscoasa",
    ...(known ? {} : { unknownPlatform: true as const }),
  };
  switch (platform) {
    case "speedway":
    case "iptables":
    case "ipset": {
      // [INPUT|OUTPUT|FORWARD|custom] {ACCEPT|DROP} {nostate} {inet|inet6}
      const chain = options[0] ?? "INPUT";
      reading.name = chain;
      if (options.includes("nostate")) reading.stateful = false;
      reading.direction = chain === "OUTPUT" ? "outbound" : chain === "INPUT" || chain === "FORWARD" ? "inbound" : undefined;
      const given = options.find((o) => o === "ACCEPT" || o === "DROP");
      if (given) {
        reading.end = given === "ACCEPT" ? "accept" : "drop";
        reading.endText = `the header sets the ${chain} chain's policy ${given}`;
      } else if (chain === "FORWARD" && platform === "iptables") {
        reading.endText = `the ${platform} generator sets the FORWARD chain's policy DROP`;
      } else if (["INPUT", "OUTPUT", "FORWARD"].includes(chain)) {
        reading.end = "accept";
        reading.endText = `the header sets no policy for the ${chain} chain: it keeps the kernel's, ACCEPT unless set elsewhere`;
      } else {
        reading.end = "unknown";
        reading.endText = `chain ${chain} returns to the chain that jumps to it, which the policy does not hold`;
      }
      break;
    }
    case "gce":
    case "gce_vpc_tf": {
      const egress = options.includes("EGRESS");
      reading.byPriority = true;
      reading.direction = egress ? "outbound" : "inbound";
      reading.name = options.find((o) => !(o in FAMILY_WORDS) && o !== "INGRESS" && o !== "EGRESS") ?? "";
      if (egress) {
        reading.title = `${reading.name} EGRESS`;
        reading.end = "accept";
        reading.endText = "GCE's implied egress rule allows what no rule decides";
      } else reading.endText = "GCE's implied ingress rule denies what no rule decides";
      break;
    }
    case "juniperevo":
    case "msmpc":
      if (options.includes("ingress")) reading.direction = "inbound";
      if (options.includes("egress")) reading.direction = "outbound";
      reading.name = options.find((o) => !(o in FAMILY_WORDS) && o !== "ingress" && o !== "egress" && o !== "noverbose" && o !== "loopback") ?? "";
      break;
    case "srx":
    case "paloalto":
    case "fortigate": {
      // from-zone X to-zone Y
      const from = options[options.indexOf("from-zone") + 1];
      const to = options[options.indexOf("to-zone") + 1];
      if (options.includes("from-zone") && from !== undefined && to !== undefined) {
        reading.name = `${from}-to-${to}`;
        reading.title = `from-zone ${from} to-zone ${to}`;
        reading.zonePair = true;
        const outside = (z: string) => namesInternetZone(z) || z === "all" || z === "any";
        if (outside(from)) reading.direction = "inbound";
        else if (outside(to)) reading.direction = "outbound";
        else {
          reading.direction = "inbound";
          reading.fromInternet = false;
        }
      }
      reading.endText = `${platform} denies what no policy allows`;
      break;
    }
    case "windows_advfirewall":
      if (options.includes("out")) reading.direction = "outbound";
      if (options.includes("in")) reading.direction = "inbound";
      break;
    default:
      break;
  }
  if (options.includes("inet6") && platform === "cisco") reading.families = [6];
  if (platform === "paloalto") {
    reading.writtenFamilies = reading.families;
    reading.families = [4, 6];
  }
  return reading;
}
