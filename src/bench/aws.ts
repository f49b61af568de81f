/**
 * A large AWS account's security groups for the benchmark (`aws ec2 describe-security-groups`
 * JSON): per VPC a default group (all traffic from itself, all egress), and application groups -
 * web tiers open on 80/443, databases open to the app tier by group reference, admin SSH/RDP from
 * office ranges, partners through managed prefix lists, now and then a port open to 0.0.0.0/0
 * that should not be - with the default egress or a restricted one. Deterministic for a seed.
 */
import { prng } from "../analysis/probes.js";

export interface AwsBenchFile {
  text: string;
  groups: number;
  /** Rules as fwlint counts them: one per permission and source. */
  rules: number;
}

const APP_PORTS: [number, number][] = [[8080, 8080], [8443, 8443], [9000, 9100], [5000, 5000], [3000, 3000], [6379, 6379], [9200, 9200], [27017, 27017]];
const DB_PORTS = [3306, 5432, 1433, 1521, 27017, 6379];

export function generateAwsSecurityGroups(count: number, seed = 1): AwsBenchFile {
  const rand = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const id = (n: number) => `sg-${n.toString(16).padStart(17, "0")}`;
  const groups: unknown[] = [];
  let rules = 0;
  const perm = (proto: string, from: number | undefined, to: number | undefined, peers: { v4?: string[]; v6?: string[]; pl?: string[]; sg?: string[] }) => {
    rules += (peers.v4?.length ?? 0) + (peers.v6?.length ?? 0) + (peers.pl?.length ?? 0) + (peers.sg?.length ?? 0);
    return {
      IpProtocol: proto,
      ...(from !== undefined ? { FromPort: from, ToPort: to } : {}),
      IpRanges: (peers.v4 ?? []).map((c) => ({ CidrIp: c })),
      Ipv6Ranges: (peers.v6 ?? []).map((c) => ({ CidrIpv6: c })),
      PrefixListIds: (peers.pl ?? []).map((p) => ({ PrefixListId: p })),
      UserIdGroupPairs: (peers.sg ?? []).map((g) => ({ GroupId: g, UserId: "111122223333" })),
    };
  };
  const allEgress = () => [perm("-1", undefined, undefined, { v4: ["0.0.0.0/0"], v6: ["::/0"] })];
  const vpcs = Math.max(1, Math.floor(count / 50));
  for (let n = 0; n < count; n++) {
    const vpc = n % vpcs;
    const self = id(n);
    const office = [`203.0.${113 + (n % 3)}.0/28`, `198.51.100.${(n % 16) * 16}/28`];
    const vpcNet = `10.${vpc % 256}.0.0/16`;
    const ingress: unknown[] = [];
    let egress: unknown[] | undefined;
    const kind = n < vpcs ? "default" : pick(["web", "web", "app", "app", "app", "db", "db", "admin", "partner"]);
    if (kind === "default") ingress.push(perm("-1", undefined, undefined, { sg: [self] }));
    if (kind === "web") {
      ingress.push(perm("tcp", 443, 443, { v4: ["0.0.0.0/0"], v6: ["::/0"] }), perm("tcp", 80, 80, { v4: ["0.0.0.0/0"] }));
      ingress.push(perm("tcp", 22, 22, { v4: office }));
    }
    if (kind === "app") {
      const [lo, hi] = pick(APP_PORTS);
      ingress.push(perm("tcp", lo, hi, { sg: [id(int(vpcs, count - 1))], v4: [vpcNet] }));
      if (rand() < 0.1) ingress.push(perm("tcp", lo, hi, { v4: ["0.0.0.0/0"] })); // the mistake
      egress = [perm("tcp", 443, 443, { v4: ["0.0.0.0/0"] }), perm("tcp", 0, 65535, { v4: [vpcNet] }), perm("udp", 53, 53, { v4: [vpcNet] })];
    }
    if (kind === "db") {
      const port = pick(DB_PORTS);
      ingress.push(perm("tcp", port, port, { sg: [id(int(vpcs, count - 1)), id(int(vpcs, count - 1))] }));
      if (rand() < 0.05) ingress.push(perm("tcp", port, port, { v4: ["0.0.0.0/0"] }));
      egress = [];
    }
    if (kind === "admin") {
      ingress.push(perm("tcp", 22, 22, { v4: office }), perm("tcp", 3389, 3389, { v4: office }), perm("icmp", 8, -1, { v4: office }));
      if (rand() < 0.2) ingress.push(perm("tcp", 3380, 3399, { v6: ["::/0"] }));
    }
    if (kind === "partner") {
      ingress.push(perm("tcp", 443, 443, { pl: [`pl-${(n % 7).toString(16).padStart(17, "0")}`] }), perm("tcp", 22, 22, { v4: [`192.0.2.${(n % 16) * 16}/28`] }));
    }
    groups.push({
      Description: `${kind} tier ${n}`,
      GroupId: self,
      GroupName: `${kind}-${n}`,
      IpPermissions: ingress,
      IpPermissionsEgress: egress ?? allEgress(),
      OwnerId: "111122223333",
      VpcId: `vpc-${vpc.toString(16).padStart(17, "0")}`,
    });
  }
  return { text: `${JSON.stringify({ SecurityGroups: groups }, null, 4)}\n`, groups: count, rules };
}
