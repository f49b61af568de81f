/**
 * Chains a tool that writes rulesets makes for its own use, whether a given configuration uses
 * them or not: a chain of these that nothing enters is the tool's business, not a mistake of the
 * ruleset's author (Chain.implied), as a dump of a host the tool manages shows them.
 *
 * - ufw: its `ufw-*` / `ufw6-*` chains (`iptables-save` of a ufw host, or `nft list ruleset` with
 *   iptables-nft, where they are the `ip filter` / `ip6 filter` tables' chains): the logging and
 *   skip-to-policy chains are entered only under some settings.
 * - Docker: `DOCKER` and `DOCKER-*` (DOCKER-USER, the isolation stages, DOCKER-INGRESS ...).
 * - kube-proxy: `KUBE-*` - its canary chains (KUBE-KUBELET-CANARY, KUBE-PROXY-CANARY) are never
 *   entered by design.
 * - nftables tables a tool owns whole: OpenWrt's `inet fw4` (handle_reject, helper_ZONE and the
 *   accept/drop/reject_to/from_ZONE chains are declared for every zone), firewalld's `firewalld`
 *   tables (five sub-chains per zone and hook), kube-proxy's `kube-proxy`, Docker's
 *   `docker-bridges`, Podman's (netavark) `inet netavark`, libvirt's `libvirt_network` and
 *   Incus's / LXD's `inet incus` / `inet lxd`.
 */

const TOOL_CHAIN = /^(?:ufw6?-|DOCKER(?:$|-)|KUBE-)/;

/** nft tables (family and name) whose every chain a tool declares. */
const TOOL_TABLES: ReadonlySet<string> = new Set([
  "inet fw4",
  "inet firewalld",
  "ip firewalld",
  "ip6 firewalld",
  "ip kube-proxy",
  "ip6 kube-proxy",
  "ip docker-bridges",
  "ip6 docker-bridges",
  "inet netavark",
  "ip libvirt_network",
  "ip6 libvirt_network",
  "inet incus",
  "inet lxd",
]);

/** Is a chain of this name one a tool makes (see the module's doc)? */
export function toolChain(name: string): boolean {
  return TOOL_CHAIN.test(name);
}

/** Is every chain of this nft table (`family name`) one a tool declares? */
export function toolTable(table: string): boolean {
  return TOOL_TABLES.has(table);
}
