/**
 * Deterministic generator of kube-proxy-style iptables-save files (iptables mode), for benchmarks
 * and tests. The layout follows what kube-proxy writes on a real node:
 *
 *   *filter  INPUT/FORWARD/OUTPUT hooks into KUBE-FIREWALL, KUBE-FORWARD, KUBE-SERVICES (REJECT for
 *            services without endpoints), KUBE-EXTERNAL-SERVICES (same, for NodePorts), KUBE-NODEPORTS
 *   *nat     PREROUTING/OUTPUT -> KUBE-SERVICES -> KUBE-SVC-<hash> (one rule per service port, then
 *            `-j KUBE-NODEPORTS` last with `-m addrtype --dst-type LOCAL`), KUBE-SVC-* spreading over
 *            KUBE-SEP-* with `-m statistic --mode random --probability`, KUBE-SEP-* marking hairpin
 *            traffic and DNATing to the pod, KUBE-EXT-* for NodePorts, KUBE-MARK-MASQ, KUBE-POSTROUTING
 *
 * Chain hashes are computed like kube-proxy does (sha256 of the service port name and protocol,
 * base32, first 16 characters), so names are at most 25 characters (iptables allows 28).
 * Everything random comes from a seeded PRNG; the same (services, seed) always gives the same text.
 */
import { createHash } from "node:crypto";
import { prng } from "../analysis/probes.js";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32(buf: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** kube-proxy's portProtoHash: base32(sha256(servicePortName + protocol))[:16]. */
function hash16(...parts: string[]): string {
  return base32(createHash("sha256").update(parts.join("")).digest()).slice(0, 16);
}

/**
 * What iptables-save prints for a probability kube-proxy wrote with %0.10f: the kernel keeps it as
 * round(p * 2^31) and iptables prints that back with 11 decimals (1/3 -> 0.33333333349).
 */
function probability(n: number): string {
  const written = Number((1 / n).toFixed(10));
  return (Math.round(written * 0x80000000) / 0x80000000).toFixed(11);
}

interface Endpoint {
  ip: string;
  port: number;
}

interface ServicePort {
  ns: string;
  name: string;
  portName: string;
  proto: "tcp" | "udp";
  clusterIP: string;
  port: number;
  nodePort?: number;
  endpoints: Endpoint[];
}

const NAMESPACES = ["default", "kube-system", "monitoring", "payments", "shop", "auth", "search", "ingress", "data", "ci"];
const WORDS = ["api", "web", "cart", "user", "order", "stock", "mail", "queue", "cache", "db", "auth", "feed", "img", "pay", "log", "edge", "ml", "geo", "chat", "ads"];
const PORTS: Array<{ portName: string; port: number; target: number; proto: "tcp" | "udp" }> = [
  { portName: "http", port: 80, target: 8080, proto: "tcp" },
  { portName: "https", port: 443, target: 8443, proto: "tcp" },
  { portName: "grpc", port: 9090, target: 9090, proto: "tcp" },
  { portName: "metrics", port: 9100, target: 9100, proto: "tcp" },
  { portName: "postgres", port: 5432, target: 5432, proto: "tcp" },
  { portName: "redis", port: 6379, target: 6379, proto: "tcp" },
  { portName: "http-alt", port: 8080, target: 3000, proto: "tcp" },
  { portName: "statsd", port: 8125, target: 8125, proto: "udp" },
];

const CLUSTER_CIDR = "10.244.0.0/16";
const NODE_IP = "192.168.10.11";

/** Expected rules per generated service port (used to size files); see endpointCount(). */
const EXPECTED_RULES_PER_SERVICE = 7.2;
/** Rules present whatever the number of services. */
const FIXED_RULES = 30;

function endpointCount(r: number): number {
  // 5% without endpoints (a REJECT in filter), 40% one, 35% two, 20% three.
  if (r < 0.05) return 0;
  if (r < 0.45) return 1;
  if (r < 0.8) return 2;
  return 3;
}

function buildServices(services: number, rand: () => number): ServicePort[] {
  const out: ServicePort[] = [];
  const usedClusterIPs = new Set<string>(["10.96.0.1", "10.96.0.10"]);
  const usedPodIPs = new Set<string>();
  const usedNodePorts = new Set<number>();
  const usedNames = new Set<string>();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const podIP = (): string => {
    for (;;) {
      const ip = `10.244.${Math.floor(rand() * 256)}.${2 + Math.floor(rand() * 252)}`;
      if (!usedPodIPs.has(ip)) {
        usedPodIPs.add(ip);
        return ip;
      }
    }
  };
  const clusterIP = (): string => {
    for (;;) {
      const ip = `10.96.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`;
      if (!usedClusterIPs.has(ip)) {
        usedClusterIPs.add(ip);
        return ip;
      }
    }
  };

  // The two services every cluster has.
  if (services > 0) {
    out.push({ ns: "default", name: "kubernetes", portName: "https", proto: "tcp", clusterIP: "10.96.0.1", port: 443, endpoints: [{ ip: NODE_IP, port: 6443 }] });
  }
  const dnsEndpoints = [podIP(), podIP()];
  const dns: Array<[string, "tcp" | "udp", number]> = [["dns", "udp", 53], ["dns-tcp", "tcp", 53], ["metrics", "tcp", 9153]];
  for (const [portName, proto, port] of dns) {
    if (out.length >= services) break;
    out.push({ ns: "kube-system", name: "kube-dns", portName, proto, clusterIP: "10.96.0.10", port, endpoints: dnsEndpoints.map((ip) => ({ ip, port })) });
  }

  while (out.length < services) {
    const ns = pick(NAMESPACES);
    let name = `${pick(WORDS)}-${pick(WORDS)}`;
    if (usedNames.has(`${ns}/${name}`)) name = `${name}-${out.length}`;
    usedNames.add(`${ns}/${name}`);
    const ip = clusterIP();
    // Most services expose one port, some two (same cluster IP, same pods).
    const portCount = rand() < 0.8 ? 1 : 2;
    const first = Math.floor(rand() * PORTS.length);
    const n = endpointCount(rand());
    const pods = Array.from({ length: n }, () => podIP());
    const isNodePort = rand() < 0.05;
    for (let i = 0; i < portCount && out.length < services; i++) {
      const p = PORTS[(first + i) % PORTS.length]!;
      let nodePort: number | undefined;
      if (isNodePort) {
        do nodePort = 30000 + Math.floor(rand() * 2768);
        while (usedNodePorts.has(nodePort));
        usedNodePorts.add(nodePort);
      }
      out.push({ ns, name, portName: p.portName, proto: p.proto, clusterIP: ip, port: p.port, nodePort, endpoints: pods.map((ip) => ({ ip, port: p.target })) });
    }
  }
  return out;
}

/**
 * An iptables-save file as kube-proxy (iptables mode) leaves it for `services` service ports.
 * About 7 rules per service port; see servicesForRules() to aim at a rule count.
 */
export function generateKubeProxy(services: number, seed = 1): string {
  const rand = prng(seed);
  const svcs = buildServices(services, rand);

  const filterChains = new Set<string>(["KUBE-EXTERNAL-SERVICES", "KUBE-FIREWALL", "KUBE-FORWARD", "KUBE-KUBELET-CANARY", "KUBE-NODEPORTS", "KUBE-PROXY-CANARY", "KUBE-PROXY-FIREWALL", "KUBE-SERVICES"]);
  const natChains = new Set<string>(["KUBE-KUBELET-CANARY", "KUBE-MARK-MASQ", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-PROXY-CANARY", "KUBE-SERVICES"]);

  const f: string[] = []; // filter rules
  const natServices: string[] = [];
  const natNodePorts: string[] = [];
  const natSvc: string[] = [];
  const natSep: string[] = [];
  const natExt: string[] = [];

  f.push(
    `-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
    `-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS`,
    `-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES`,
    `-A INPUT -j KUBE-FIREWALL`,
    `-A INPUT -i lo -j ACCEPT`,
    `-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    `-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT`,
    `-A INPUT -s 192.168.10.0/24 -p tcp -m tcp --dport 10250 -j ACCEPT`,
    `-A INPUT -p tcp -m tcp --dport 10250 -j DROP`,
    `-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
    `-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD`,
    `-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES`,
    `-A FORWARD -s ${CLUSTER_CIDR} -j ACCEPT`,
    `-A FORWARD -d ${CLUSTER_CIDR} -j ACCEPT`,
    `-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
    `-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A OUTPUT -j KUBE-FIREWALL`,
    `-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    `-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP`,
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT`,
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  );

  for (const s of svcs) {
    const spn = `${s.ns}/${s.name}:${s.portName}`;
    const m = `-m ${s.proto}`;
    if (s.endpoints.length === 0) {
      f.push(`-A KUBE-SERVICES -d ${s.clusterIP}/32 -p ${s.proto} -m comment --comment "${spn} has no endpoints" ${m} --dport ${s.port} -j REJECT --reject-with icmp-port-unreachable`);
      if (s.nodePort !== undefined) {
        f.push(`-A KUBE-EXTERNAL-SERVICES -p ${s.proto} -m comment --comment "${spn} has no endpoints" -m addrtype --dst-type LOCAL ${m} --dport ${s.nodePort} -j REJECT --reject-with icmp-port-unreachable`);
      }
      continue;
    }
    const svcChain = `KUBE-SVC-${hash16(spn, s.proto)}`;
    natChains.add(svcChain);
    natServices.push(`-A KUBE-SERVICES -d ${s.clusterIP}/32 -p ${s.proto} -m comment --comment "${spn} cluster IP" ${m} --dport ${s.port} -j ${svcChain}`);
    natSvc.push(`-A ${svcChain} ! -s ${CLUSTER_CIDR} -d ${s.clusterIP}/32 -p ${s.proto} -m comment --comment "${spn} cluster IP" ${m} --dport ${s.port} -j KUBE-MARK-MASQ`);
    if (s.nodePort !== undefined) {
      const extChain = `KUBE-EXT-${hash16(spn, s.proto)}`;
      natChains.add(extChain);
      natNodePorts.push(`-A KUBE-NODEPORTS -p ${s.proto} -m comment --comment "${spn}" ${m} --dport ${s.nodePort} -j ${extChain}`);
      natExt.push(
        `-A ${extChain} -m comment --comment "masquerade traffic for ${spn} external destinations" -j KUBE-MARK-MASQ`,
        `-A ${extChain} -j ${svcChain}`,
      );
    }
    const n = s.endpoints.length;
    s.endpoints.forEach((ep, i) => {
      const dest = `${ep.ip}:${ep.port}`;
      const sepChain = `KUBE-SEP-${hash16(spn, s.proto, dest)}`;
      natChains.add(sepChain);
      const stat = i < n - 1 ? ` -m statistic --mode random --probability ${probability(n - i)}` : "";
      natSvc.push(`-A ${svcChain} -m comment --comment "${spn} -> ${dest}"${stat} -j ${sepChain}`);
      natSep.push(
        `-A ${sepChain} -s ${ep.ip}/32 -m comment --comment "${spn}" -j KUBE-MARK-MASQ`,
        `-A ${sepChain} -p ${s.proto} -m comment --comment "${spn}" ${m} -j DNAT --to-destination ${dest}`,
      );
    });
  }

  const nat: string[] = [
    `-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING`,
    `-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000`,
    ...natNodePorts,
    `-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0`,
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully`,
    ...natExt,
    ...natSep,
    ...natServices,
    `-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`,
    ...natSvc,
  ];

  const decl = (chains: Iterable<string>) => [...chains].sort().map((c) => `:${c} - [0:0]`);
  const lines = [
    `# Generated by iptables-save v1.8.9 (fwlint bench: kube-proxy layout, ${services} service ports, seed ${seed})`,
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD DROP [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ...decl(filterChains),
    ...f,
    "COMMIT",
    "# Completed",
    "# Generated by iptables-save v1.8.9",
    "*nat",
    ":PREROUTING ACCEPT [0:0]",
    ":INPUT ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":POSTROUTING ACCEPT [0:0]",
    ...decl(natChains),
    ...nat,
    "COMMIT",
    "# Completed",
    "",
  ];
  return lines.join("\n");
}

/** Number of rules (`-A` lines) in an iptables-save text. */
export function countRules(text: string): number {
  let n = 0;
  let i = 0;
  for (;;) {
    if (text.startsWith("-A ", i)) n++;
    const nl = text.indexOf("\n", i);
    if (nl < 0) return n;
    i = nl + 1;
  }
}

/**
 * How many service ports to ask generateKubeProxy for so the file holds about `rules` rules: an
 * estimate from the expected rules per service, refined against the generated text.
 */
export function servicesForRules(rules: number, seed = 1): number {
  let services = Math.max(1, Math.round((rules - FIXED_RULES) / EXPECTED_RULES_PER_SERVICE));
  for (let i = 0; i < 3; i++) {
    const got = countRules(generateKubeProxy(services, seed));
    const perService = Math.max(1, (got - FIXED_RULES) / services);
    const next = Math.max(1, Math.round(services + (rules - got) / perService));
    if (next === services || Math.abs(got - rules) <= Math.max(3, rules * 0.005)) break;
    services = next;
  }
  return services;
}

/** A typical small host firewall in iptables-save form: 20 rules, the everyday case. */
export function typicalHostRuleset(): string {
  return [
    "# Generated by iptables-save v1.8.9",
    "*filter",
    ":INPUT DROP [0:0]",
    ":FORWARD DROP [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":LOGDROP - [0:0]",
    "-A INPUT -i lo -j ACCEPT",
    "-A INPUT -m conntrack --ctstate INVALID -j DROP",
    "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT",
    "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT",
    "-A INPUT -s 192.168.0.0/16 -p tcp -m tcp --dport 22 -j ACCEPT",
    "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT",
    "-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT",
    "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 9100 -j ACCEPT",
    "-A INPUT -s 10.0.5.20/32 -p tcp -m tcp --dport 5432 -j ACCEPT",
    "-A INPUT -p tcp -m tcp --dport 3306 -j ACCEPT",
    "-A INPUT -p udp -m udp --dport 123 -j ACCEPT",
    "-A INPUT -p tcp -m multiport --dports 8000:8010 -j ACCEPT",
    "-A INPUT -s 203.0.113.0/24 -j DROP",
    "-A INPUT -p tcp -m tcp --dport 23 -j DROP",
    "-A INPUT -j LOGDROP",
    "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    "-A OUTPUT -o lo -j ACCEPT",
    "-A LOGDROP -m limit --limit 5/min -j LOG --log-prefix \"fw-drop: \"",
    "-A LOGDROP -j DROP",
    "COMMIT",
    "# Completed",
    "",
  ].join("\n");
}
