/**
 * Content-based recognition of nftables rulesets: the text language (`nft list ruleset`, `nft -f`
 * files, command files) and nft JSON (`nft -j list ruleset`, JSON command batches).
 * A cheap scan; neither reader is loaded for it.
 */

/** A statement that only nft text starts a line with (after optional leading blanks). */
const NFT_LINE = [
  /^table\s+(ip|ip6|inet|arp|bridge|netdev)\s+("[^"]*"|[\w.-]+)\s*\{/,
  /^table\s+[\w.-]+\s*\{/, // `table filter {`: family ip implied
  /^(add|create|insert|replace|delete|destroy|flush)\s+(table|chain|rule|set|map|element)\s/,
  /^flush\s+ruleset\b/,
  /^#!.*\bnft\b/,
  // a wrapper that only includes the ruleset's files (`nftables.conf` on Fedora, Photon, ...) or
  // defines the names they use: nft's own statements, no other format writes them so
  /^include\s+"[^"]*"\s*(;\s*)?(#.*)?$/,
  /^(define|redefine)\s+[A-Za-z_][\w.-]*\s*=/,
];
/** Inside a table: chain heads and base chain specs. */
const NFT_BODY = [/^chain\s+("[^"]*"|[\w.-]+)\s*\{/, /^type\s+(filter|nat|route)\s+hook\s+\w+/, /^set\s+[\w.-]+\s*\{/, /^map\s+[\w.-]+\s*\{/];

export function detectNft(text: string): boolean {
  let heads = 0;
  let body = 0;
  let foreign = 0;
  const lines = text.split("\n", 4000);
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") && !line.startsWith("#!")) continue;
    if (NFT_LINE.some((re) => re.test(line))) heads++;
    else if (NFT_BODY.some((re) => re.test(line))) body++;
    // iptables-save and shell scripts of iptables commands are someone else's
    else if (/^(\*(filter|nat|mangle|raw|security)$|:[A-Z]|-A\s|COMMIT$|(sudo\s+)?(\S*\/)?ip6?tables(-legacy|-nft)?\s)/.test(line)) foreign++;
  }
  return heads > 0 && heads + body > foreign;
}

/** nft JSON: an object whose "nftables" member is an array (checked without parsing big files twice). */
export function detectNftJson(text: string): boolean {
  const start = text.trimStart();
  if (!start.startsWith("{")) return false;
  return /^\{\s*"nftables"\s*:\s*\[/.test(start);
}
