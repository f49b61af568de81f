/**
 * Is this text a Cisco ASA (or PIX) configuration? Only lines IOS, JunOS and netfilter files never
 * have count: the version banner, `nameif`/`security-level` under an interface, `access-list X
 * extended` (IOS writes `ip access-list extended X`) and `access-group X in|out interface Y` or
 * `access-group X global` (IOS binds with `ip access-group` under the interface).
 */
const VERSION = /^(ASA|PIX) Version [0-9]/m;
const INTERFACE_POLICY = /^[ \t]+(nameif|security-level)[ \t]+\S/m;
const EXTENDED_ACE = /^access-list[ \t]+\S+[ \t]+(line[ \t]+[0-9]+[ \t]+)?extended[ \t]+(permit|deny)[ \t]/m;
const ACCESS_GROUP = /^access-group[ \t]+\S+[ \t]+((in|out)[ \t]+interface[ \t]+\S|global\b)/m;

export function detectCiscoAsa(text: string): boolean {
  const head = text.length > 2_000_000 ? text.slice(0, 2_000_000) : text;
  return VERSION.test(head) || INTERFACE_POLICY.test(head) || EXTENDED_ACE.test(head) || ACCESS_GROUP.test(head);
}
