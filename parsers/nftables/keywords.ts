/**
 * Words nft's scanner reads as keywords wherever they stand, so nft cannot read them as a table,
 * chain, set, map, flowtable or device name: `chain log { ... }` or `jump log` is a syntax error
 * ("unexpected log, expecting string") and the whole file fails to load. Found by asking
 * `nft -c` (nft 1.0.6) to read each word of the nft corpus, and of fwlint's own vocabulary, as a
 * chain, a table and a set name; every word found so is also matched without a start condition
 * in the scanner of nft 1.1 (src/scanner.l), so newer nft refuses it too. (nft 1.0.6 reads no
 * quoted name there either.)
 */
export const NFT_KEYWORDS: ReadonlySet<string> = new Set(
  (
    "accept add ah all and arp auto-merge bridge cgroup chain comment comp constant continue counter cpu create ct day " +
    "dccp define delete describe device devices dnat drop dst dup dynamic element elements eq esp ether exists expires " +
    "export exthdr fib flags flow flowtable flush frag fwd gc-interval ge get goto gt handle hbh hook hour ibriport ibrname " +
    "icmp icmpv6 igmp iif iifgroup iifname iiftype import include index inet insert interval ip ip6 ipsec jhash jump le " +
    "limit list log lshift lt map mark masquerade meta meter mh missing monitor ne netdev nftrace not notrack numgen " +
    "obriport obrname offload oif oifgroup oifname oiftype or osf pkttype policy position priority queue quota random " +
    "redefine redirect reject rename replace reset return rshift rt rt0 rt2 rtclassid rule ruleset sctp secmark set size " +
    "skgid skuid snat socket srh symhash synproxy table tcp th time timeout tproxy type typeof udp udplite undefine update " +
    "vlan vmap xor xt"
  ).split(" "),
);

/**
 * The keywords nft reads as a plain string where a value stands (its grammar's keyword_expr):
 * `iifname ether` is an interface named "ether", `ip saddr ip` a host name to look up. Any other
 * keyword there - `iifname masquerade`, `ip saddr mark`, `ip saddr tcp` - nft refuses ("syntax
 * error", "datatype mismatch"): found by asking nft -c (1.0.6) to read each keyword as an address
 * and as an interface name.
 */
const KEYWORD_STRINGS: ReadonlySet<string> = new Set(["arp", "dnat", "ether", "ip", "ip6", "reset", "snat", "vlan"]);

/**
 * Keywords that are also constants of a type (protocols, `fib ... exists`, icmp's `redirect`):
 * where an address or interface name stands nft refuses one alone ("datatype mismatch") but takes
 * it in a set of several, as the integer it is (`ip saddr { 1.1.1.1, tcp }` holds 0.0.0.6) - not told.
 */
const KEYWORD_CONSTANTS: ReadonlySet<string> = new Set(["ah", "comp", "dccp", "esp", "exists", "icmp", "icmpv6", "igmp", "missing", "redirect", "sctp", "tcp", "udp", "udplite"]);

/** Is `word`, written bare where nft wants a string value (an address, an interface name), a keyword nft refuses there? */
export function keywordAsValue(word: string): boolean {
  return NFT_KEYWORDS.has(word) && !KEYWORD_STRINGS.has(word) && !KEYWORD_CONSTANTS.has(word);
}

/** Is `word`, written bare, a keyword nft reads as a constant of a type (a protocol, `exists`)? */
export function keywordConstant(word: string): boolean {
  return KEYWORD_CONSTANTS.has(word);
}

/** The error for a keyword written bare where nft reads a value (`as`: "an address", "a value"), after `after`. */
export function keywordValueError(word: string, after: string, as: string): string {
  return `'${word}' after '${after}' is an nft keyword: nft cannot read it as ${as} (the file does not load)`;
}
