/**
 * Is this text a Cisco ASA (or PIX) configuration? Decided by lines IOS, JunOS and netfilter
 * files do not have:
 *   - the version banner, `nameif`/`security-level` under an interface, `access-group X in|out
 *     interface Y` or `access-group X global` (IOS binds with `ip access-group` under the
 *     interface), `clear configure access-list` (ASA's CLI only);
 *   - or `access-list NAME extended|remark ...` with a non-numeric NAME (IOS writes `ip
 *     access-list extended NAME`, and its `access-list` lines are numbered), in a file with no
 *     IOS marker (`ip access-list`, `ip access-group`, `ipv6 traffic-filter`) and no IOS
 *     wildcard mask in its entries (ASA masks are netmasks: 255.255.255.0, not 0.0.0.255).
 * Keywords in any case, as both CLIs read them; `extended` also as its common abbreviations.
 */
const ASA_ONLY = [
  /^(ASA|PIX) Version [0-9]/im,
  /^[ \t]+(nameif|security-level)[ \t]+\S/im,
  /^access-group[ \t]+\S+[ \t]+((in|out)[ \t]+interface[ \t]+\S|global\b)/im,
  /^clear configure access-list[ \t]/im,
];
// `extended` or an abbreviation of it down to `ext`
const NAMED_ACL = /^access-list[ \t]+[^0-9\s]\S*[ \t]+((line[ \t]+[0-9]+[ \t]+)?ext(e(n(d(e(d)?)?)?)?)?[ \t]+(permit|deny)|remark)[ \t]/im;
const IOS_MARKER = /^[ \t]*(ip access-list|ipv6 access-list|ip access-group|ipv6 traffic-filter)[ \t]/im;
const WILDCARD_ACE = /^access-list[ \t].*[ \t](25[0-5]|2[0-4][0-9]|1?[0-9]{1,2})(\.[0-9]{1,3}){3}[ \t]+0\.(?!0\.0\.0\b)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b/im;

export function detectCiscoAsa(text: string): boolean {
  const head = text.length > 2_000_000 ? text.slice(0, 2_000_000) : text;
  if (ASA_ONLY.some((re) => re.test(head))) return true;
  return NAMED_ACL.test(head) && !IOS_MARKER.test(head) && !WILDCARD_ACE.test(head);
}
