/**
 * What ordinary traffic makes of the iptables matches that test how the kernel classifies a
 * packet, which fwlint has no dimension for (Condition unknown `ordinary`): `-m rpfilter`,
 * `-m pkttype`, `-m addrtype` (beyond `--dst-type LOCAL`, which the analysis decides per path).
 *
 * Ordinary traffic is a unicast packet to one address of the host or through it, whose source
 * routes back through the interface it arrived on: it passes the reverse-path filter, its
 * link-layer class is unicast, its source is a unicast address of another host, and its
 * destination is LOCAL (input) or UNICAST (forward), and it carries no IPv6 extension header. Where
 * those facts do not decide the match there is no answer.
 */

/** A match's option as the rule reader holds it: name (with or without `--`), negation, arguments. */
export interface OrdinaryOpt {
  name: string;
  negate: boolean;
  args: readonly string[];
}

/** The matches ordinaryMatchValue answers for. */
const CLASSIFYING: ReadonlySet<string> = new Set(["rpfilter", "pkttype", "addrtype"]);

/**
 * ip6tables matches on an IPv6 extension header - a routing header (`-m rt`, ufw's `--rt-type 0`
 * drop), a fragment header (`-m frag`), hop-by-hop or destination options (`-m hbh`, `-m dst`), a
 * mobility header (`-m mh`): whatever their options, they match only a packet that carries that
 * header, and the TCP and UDP connections strangers open carry none.
 */
const EXTENSION_HEADERS: ReadonlySet<string> = new Set(["rt", "frag", "hbh", "dst", "mh"]);

/**
 * Whether ordinary traffic satisfies match `name` with `opts` (every option must hold), or
 * undefined when that does not tell.
 */
export function ordinaryMatchValue(name: string, opts: readonly OrdinaryOpt[]): boolean | undefined {
  if (EXTENSION_HEADERS.has(name)) return false;
  if (!CLASSIFYING.has(name)) return undefined;
  let all: boolean | undefined = true;
  // rpfilter tests the route back even with no option; the others need one that says what
  let decided = name === "rpfilter";
  for (const o of opts) {
    const a = ordinaryOption(name, o.name.replace(/^--/, ""), o.args);
    if (a === null) continue;
    decided = true;
    if (a === undefined) {
      if (all !== false) all = undefined;
    } else if (a === o.negate) all = false;
  }
  return decided ? all : undefined;
}

/**
 * One option: true or false for ordinary traffic, null when it does not change the answer,
 * undefined when it leaves it open.
 */
function ordinaryOption(match: string, option: string, args: readonly string[]): boolean | null | undefined {
  switch (match) {
    case "rpfilter":
      // passes for a packet whose source routes back through its interface; --invert: fails
      return option === "invert" ? false : null;
    case "pkttype":
      if (option !== "pkt-type" || args.length !== 1) return undefined;
      return args[0]!.toLowerCase() === "unicast" || args[0]!.toLowerCase() === "host";
    case "addrtype": {
      if (option === "limit-iface-in" || option === "limit-iface-out") return null;
      if ((option !== "src-type" && option !== "dst-type") || args.length !== 1) return undefined;
      const types = args[0]!.toUpperCase().split(",");
      if (option === "src-type") return types.includes("UNICAST");
      // LOCAL on the input path, UNICAST on the forward path: both or neither, or no answer
      const local = types.includes("LOCAL");
      return local === types.includes("UNICAST") ? local : undefined;
    }
  }
  return undefined;
}
