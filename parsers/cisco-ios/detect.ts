/**
 * Is this text a Cisco IOS / IOS-XE configuration (or an IOS-family ACL export)? Specific on
 * purpose: IOS-only commands must be present (`ip access-list`, `ipv6 access-list`, numbered
 * `access-list N permit|deny`, `ip access-group X in|out`, `ipv6 traffic-filter`, `version 12-17.x`,
 * IOS-XE zone-based firewall `zone security` / `zone-pair security` / `zone-member security`,
 * `policy-map type inspect NAME`, `ip nat inside|outside source`, or a hostname with IOS-style
 * interface blocks),
 * and files with an ASA marker (`ASA Version`, `nameif`, `security-level`), iptables-save or
 * nftables structure, or JunOS statements are never claimed.
 */

const IOS_MARKERS: readonly RegExp[] = [
  /^ip access-list (standard|extended) \S+/m,
  /^ip access-list [A-Za-z0-9_.-]+\s*$/m,
  /^ipv6 access-list \S+/m,
  /^access-list (1?[0-9]{1,2}|1[3-9][0-9]{2}|2[0-6][0-9]{2}) (permit|deny|remark|dynamic)\b/m,
  /^\s+ip access-group \S+ (in|out)\s*$/m,
  /^\s+ipv6 traffic-filter \S+ (in|out)\s*$/m,
  /^version 1[2-7]\.[0-9]+\s*$/m,
  /^(no )?access-list (1?[0-9]{1,2}|1[3-9][0-9]{2}|2[0-6][0-9]{2})\s*$/m,
  /^zone(-pair)? security \S+/m,
  /^\s+zone-member security \S+/m,
  /^object-group ip (port|address) \S+/m,
  // IOS-XE inspect policies (ASA writes a protocol word: `policy-map type inspect dns NAME`)
  /^policy-map type inspect \S+\s*$/m,
  /^ip nat (inside|outside) source /m,
  /^ip nat pool \S+/m,
  // an ASA-style named line with a wildcard mask (ASA masks never start with 0. except any)
  /^access-list \S+ extended (permit|deny) \S+ \S+ 0\.(?!0\.0\.0\b)[0-9]+\.[0-9]+\.[0-9]+/m,
];

/** A device config without filtering lines: a hostname and IOS-style interface blocks. */
const DEVICE_CONFIG: readonly RegExp[] = [/^hostname \S+/m, /^interface [A-Za-z][A-Za-z-]*[0-9]\S*\s*$/m];

const NOT_IOS: readonly RegExp[] = [
  /^(: )?(ASA|PIX|FWSM) Version /m,
  /^\s+nameif\s/m,
  /^\s+security-level\s+[0-9]/m,
  /^\*(filter|nat|mangle|raw|security)\s*$/m,
  /^-A\s/m,
  /^(iptables|ip6tables|nft)\s/m,
  /^\s*table\s+(ip|ip6|inet|arp|bridge|netdev)\s+\S+\s*\{/m,
  /^set (security|firewall|interfaces|system|policy-options|applications) /m,
  /^(security|firewall|interfaces|system|policy-options)\s*\{/m,
];

export function detectCiscoIos(text: string): boolean {
  const head = text.length > 2_000_000 ? text.slice(0, 2_000_000) : text;
  if (NOT_IOS.some((r) => r.test(head))) return false;
  return IOS_MARKERS.some((r) => r.test(head)) || DEVICE_CONFIG.every((r) => r.test(head));
}
