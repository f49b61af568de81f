/**
 * How ASA's CLI reads a keyword: in any case, and abbreviated to any prefix that no other keyword
 * accepted at that position shares (`ext` for `extended`, `perm` for `permit`, `access-l` for
 * `access-list`). Names (access lists, objects, groups, nameifs) are never read this way: they are
 * case-sensitive on the device and written in full.
 *
 * Abbreviations are resolved only where fwlint knows every keyword the position accepts, so a
 * prefix it takes as unique is unique on the device too: the commands below, the access-list
 * type and action, the access-group direction, the object and object-group modes. Elsewhere
 * (interface mode, address and port slots) keywords are matched in full, in any case.
 */
import type { Word } from "./lines.js";

/**
 * The keyword among `choices` (lower-case) that the word spells in full or abbreviates without
 * ambiguity; undefined when it is none of them or abbreviates several.
 */
export function keyword<K extends string>(w: Word | undefined, choices: readonly K[]): K | undefined {
  if (!w) return undefined;
  // plain loops: read for most words of the file, where a callback and an array per call show
  const key = w.key;
  for (const c of choices) if (c === key) return c;
  let found: K | undefined;
  for (const c of choices) {
    if (!c.startsWith(key)) continue;
    if (found !== undefined) return undefined;
    found = c;
  }
  return found;
}

/** Top-level commands fwlint reads. */
export const READ_COMMANDS = [
  "access-group", "access-list", "asa", "clear", "crypto", "http", "icmp", "interface", "ipv6", "name", "names", "nat",
  "object", "object-group", "pix", "route", "router", "same-security-traffic", "ssh", "static", "telnet",
] as const;

/** Top-level commands that never affect filtering: skipped without a diagnostic. */
export const IRRELEVANT_COMMANDS: ReadonlySet<string> = new Set([
  "aaa", "aaa-server", "admin-context", "allocate-interface", "arp", "asdm", "auth-prompt", "banner", "bgp", "boot",
  "call-home", "class-map", "clock", "command-alias", "config-url", "console", "context", "cryptochecksum", "cryptochecksum:",
  "description", "dhcpd", "dhcprelay", "dns", "dns-guard", "dns-server", "domain-name", "dynamic-access-policy-record",
  "eigrp", "enable", "end", "exit", "failover", "filter", "firewall", "fixup", "flow-export", "ftp", "global",
  "group-policy", "hostname", "http-proxy", "igmp", "ip", "ipsec", "isakmp", "jumbo-frame", "key", "ldap",
  "license", "logging", "mac-address", "management-access", "mode", "monitor-interface", "mroute", "mtu",
  "multicast-routing", "nat-control", "no", "ntp", "object-group-search", "object-group-user", "ospf", "pager", "passwd",
  "password", "pim", "policy-map", "prefix-list", "priority-queue", "profile", "prompt", "quit", "rip",
  "route-map", "scansafe", "service", "service-module", "service-policy", "sla", "smtp-server", "snmp-map",
  "snmp-server", "ssl", "sysopt", "terminal", "tftp-server", "threat-detection", "time-range", "timeout", "tls-proxy",
  "track", "tunnel", "tunnel-group", "url-server", "user-group", "user-identity", "username", "virtual", "vpdn", "vpn",
  "vpn-addr-assign", "wccp", "webvpn", "xlate", "zone",
]);

/**
 * Every top-level command fwlint knows of, the set a command word's abbreviation must be unique
 * in. ASA has more commands than these, so a prefix unique here may still be ambiguous on the
 * device; such a line would have been refused there, and reading it as the command meant costs
 * nothing.
 */
const KNOWN_COMMANDS: readonly string[] = [...READ_COMMANDS, ...IRRELEVANT_COMMANDS];

type ReadCommand = (typeof READ_COMMANDS)[number];

/** The top-level command a line starts with: a command fwlint reads, spelled or abbreviated. */
export function readCommand(w: Word): ReadCommand | undefined {
  const k = keyword(w, KNOWN_COMMANDS);
  return (READ_COMMANDS as readonly (string | undefined)[]).includes(k) ? (k as ReadCommand) : undefined;
}

/** What may follow `access-list NAME` (`line N` first, or the old PIX form straight to the action). */
export const ACL_TYPES = ["deny", "ethertype", "extended", "line", "permit", "remark", "rename", "standard", "webtype"] as const;

export const ACTIONS = ["deny", "permit"] as const;

/** Commands of `object network` and `object service` mode. */
export const OBJECT_COMMANDS = ["description", "fqdn", "host", "nat", "range", "service", "subnet"] as const;

/** Commands of the object-group modes (each mode takes some of them: the union is the safe set). */
export const GROUP_COMMANDS = ["description", "group-object", "icmp-object", "network-object", "port-object", "protocol-object", "service-object"] as const;
