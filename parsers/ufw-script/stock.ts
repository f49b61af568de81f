/**
 * The rule files a host's ufw runs a script's rules with: the ones the ufw package installs
 * (ufw 0.36, /etc/ufw/before.rules, after.rules and their IPv6 twins), written out here by rule -
 * loopback and replies accepted, invalid packets dropped, the ICMP and ICMPv6 ufw lets in (and
 * IPv6's neighbour discovery, multicast listener and DHCPv6 traffic), DHCP replies, mDNS and SSDP,
 * what is not addressed to the host dropped; after the user's rules, NetBIOS, DHCP and broadcasts
 * sent to the default policy without logging. test/parsers/ufw-script checks them against the
 * package's files where ufw is installed.
 */

const lines = (...xs: string[]) => xs.join("\n");

function before4(): string {
  const icmp = ["destination-unreachable", "time-exceeded", "parameter-problem", "echo-request"];
  return lines(
    "*filter",
    ":ufw-before-input - [0:0]",
    ":ufw-before-output - [0:0]",
    ":ufw-before-forward - [0:0]",
    ":ufw-not-local - [0:0]",
    "-A ufw-before-input -i lo -j ACCEPT",
    "-A ufw-before-output -o lo -j ACCEPT",
    ...["input", "output", "forward"].map((c) => `-A ufw-before-${c} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`),
    "-A ufw-before-input -m conntrack --ctstate INVALID -j ufw-logging-deny",
    "-A ufw-before-input -m conntrack --ctstate INVALID -j DROP",
    ...["input", "forward"].flatMap((c) => icmp.map((t) => `-A ufw-before-${c} -p icmp --icmp-type ${t} -j ACCEPT`)),
    "-A ufw-before-input -p udp --sport 67 --dport 68 -j ACCEPT",
    "-A ufw-before-input -j ufw-not-local",
    ...["LOCAL", "MULTICAST", "BROADCAST"].map((t) => `-A ufw-not-local -m addrtype --dst-type ${t} -j RETURN`),
    "-A ufw-not-local -m limit --limit 3/min --limit-burst 10 -j ufw-logging-deny",
    "-A ufw-not-local -j DROP",
    "-A ufw-before-input -p udp -d 224.0.0.251 --dport 5353 -j ACCEPT",
    "-A ufw-before-input -p udp -d 239.255.255.250 --dport 1900 -j ACCEPT",
    "COMMIT",
    "",
  );
}

function before6(): string {
  const p = "-p icmpv6 --icmpv6-type";
  const errors = ["destination-unreachable", "packet-too-big", "time-exceeded", "parameter-problem", "echo-request"];
  // neighbour discovery (hop limit 255), multicast listener discovery (from link-local), router renumbering and the like
  const ndIn = ["router-solicitation", "router-advertisement", "neighbor-solicitation", "neighbor-advertisement", "141", "142"];
  const ndOut = ["router-solicitation", "neighbor-advertisement", "neighbor-solicitation", "router-advertisement", "141", "142"];
  const mld = ["130", "131", "132", "143"];
  const cert = ["148", "149"];
  const mrd = ["151", "152", "153"];
  const discovery = (c: string, nd: string[]) => [
    ...nd.map((t) => `-A ufw6-before-${c} ${p} ${t} -m hl --hl-eq 255 -j ACCEPT`),
    ...mld.map((t) => `-A ufw6-before-${c} ${p} ${t} -s fe80::/10 -j ACCEPT`),
    ...cert.map((t) => `-A ufw6-before-${c} ${p} ${t} -m hl --hl-eq 255 -j ACCEPT`),
    ...mrd.map((t) => `-A ufw6-before-${c} ${p} ${t} -s fe80::/10 -m hl --hl-eq 1 -j ACCEPT`),
  ];
  return lines(
    "*filter",
    ":ufw6-before-input - [0:0]",
    ":ufw6-before-output - [0:0]",
    ":ufw6-before-forward - [0:0]",
    "-A ufw6-before-input -i lo -j ACCEPT",
    "-A ufw6-before-output -o lo -j ACCEPT",
    ...["input", "forward", "output"].map((c) => `-A ufw6-before-${c} -m rt --rt-type 0 -j DROP`),
    ...["input", "output", "forward"].map((c) => `-A ufw6-before-${c} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`),
    `-A ufw6-before-input ${p} echo-reply -j ACCEPT`,
    "-A ufw6-before-input -m conntrack --ctstate INVALID -j ufw6-logging-deny",
    "-A ufw6-before-input -m conntrack --ctstate INVALID -j DROP",
    ...errors.map((t) => `-A ufw6-before-input ${p} ${t} -j ACCEPT`),
    ...discovery("input", ndIn),
    ...[...errors, "echo-reply"].map((t) => `-A ufw6-before-output ${p} ${t} -j ACCEPT`),
    ...discovery("output", ndOut),
    ...[...errors, "echo-reply"].map((t) => `-A ufw6-before-forward ${p} ${t} -j ACCEPT`),
    ...["144", "145", "146", "147"].map((t) => `-A ufw6-before-input ${p} ${t} -j ACCEPT`),
    "-A ufw6-before-input -p udp -s fe80::/10 --sport 547 -d fe80::/10 --dport 546 -j ACCEPT",
    "-A ufw6-before-input -p udp -d ff02::fb --dport 5353 -j ACCEPT",
    "-A ufw6-before-input -p udp -d ff02::f --dport 1900 -j ACCEPT",
    "COMMIT",
    "",
  );
}

function after(family: 4 | 6): string {
  const c = family === 6 ? "ufw6" : "ufw";
  const skip = (what: string) => `-A ${c}-after-input ${what} -j ${c}-skip-to-policy-input`;
  return lines(
    "*filter",
    `:${c}-after-input - [0:0]`,
    `:${c}-after-output - [0:0]`,
    `:${c}-after-forward - [0:0]`,
    skip("-p udp --dport 137"),
    skip("-p udp --dport 138"),
    skip("-p tcp --dport 139"),
    skip("-p tcp --dport 445"),
    ...(family === 6 ? [skip("-p udp --dport 546"), skip("-p udp --dport 547")] : [skip("-p udp --dport 67"), skip("-p udp --dport 68"), skip("-m addrtype --dst-type BROADCAST")]),
    "COMMIT",
    "",
  );
}

/** The package's rule files for a family: before.rules and after.rules (before6.rules, after6.rules), as text. */
export function stockRules(family: 4 | 6): { before: string; after: string } {
  return { before: family === 6 ? before6() : before4(), after: after(family) };
}
