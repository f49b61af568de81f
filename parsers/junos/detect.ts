/**
 * Recognising a JunOS configuration (set or curly form) from its content: a cheap scan kept apart
 * from the reader so that format detection does not load it.
 */

const SET_LINE =
  /^(?:set|deactivate) (?:security (?:policies|zones|address-book|nat|screen|ike|ipsec|flow)\b|firewall (?:family|filter|policer|interface-set)\b|interfaces \S+ unit \d|applications application(?:-set)? |policy-options )/m;
/** Set-form hierarchies JunOS has and the other set-command formats (VyOS, PAN-OS) do not spell this way. */
const SET_JUNOS_TOP = /^set (?:system host-name|groups \S+ |apply-groups |security |interfaces \S+ (?:unit|mtu|description|vlan-tagging|ether-options|gigether-options)|interfaces interface-range |routing-options |protocols (?:bgp|ospf|isis|lldp|mpls|rsvp|ldp) |chassis |snmp )/m;
const VYOS_SET = /^set (?:interfaces (?:ethernet|loopback|bonding|bridge|wireguard|dummy|tunnel|vti|pppoe|openvpn)\b|service |nat (?:source|destination) rule |firewall (?:name|ipv6-name|group|ipv4|ipv6|all-ping|global-options)\b)/m;
const RANCID_JUNIPER = /^[#!][ \t]*RANCID-CONTENT-TYPE:\s*juniper\b/m;
const TOP_BLOCK = /^(?:.*\*\/)?(?:(?:replace|inactive): )?(?:system|interfaces|security|firewall|policy-options|applications|groups|routing-options|protocols|snmp|chassis|routing-instances)\s*\{/m;
const LEAF_LINE = /^[ \t]*[^\s{}#/].*;\s*(?:##.*)?$/m;
const FORTI_BLOCK = /^[ \t]*config \S/m;

export type JunosForm = "set" | "curly";

/** Which form a text is in, or undefined when it is not a JunOS configuration. */
export function detectJunos(text: string): JunosForm | undefined {
  const head = text.length > 400_000 ? text.slice(0, 400_000) : text;
  if (FORTI_BLOCK.test(head)) return undefined;
  if (TOP_BLOCK.test(head) && LEAF_LINE.test(head)) return "curly";
  if (VYOS_SET.test(head)) return undefined;
  if (SET_LINE.test(head) || SET_JUNOS_TOP.test(head) || (RANCID_JUNIPER.test(head) && /^set /m.test(head))) return "set";
  return undefined;
}
