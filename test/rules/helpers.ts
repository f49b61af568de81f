import { parseIptablesSave } from "../../parsers/iptables/index.js";
import type { Ruleset } from "../../src/model/types.js";

export const ref = { id: "x", severity: "low" as const };

/** An iptables-save filter table with the given policies and rules. */
export function filter(body: string, policies = "INPUT DROP,FORWARD DROP,OUTPUT ACCEPT", nat = ""): Ruleset {
  const heads = policies.split(",").map((p) => `:${p.replace(" ", " ")} [0:0]`).join("\n");
  const natTable = nat ? `*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n${nat}COMMIT\n` : "";
  return parseIptablesSave(`${natTable}*filter\n${heads}\n${body}COMMIT\n`, "t.rules");
}

export const lines = (fs: { location: { line: number } }[]) => fs.map((f) => f.location.line);

/**
 * nat rules (for filter()'s `nat`) of a kube-proxy style load balancer: TCP to 203.0.113.10:`port`
 * jumps to SVC, which picks one of `n` endpoints with -m statistic (the last without), each a
 * chain SEPi that DNATs to 10.0.1.i:`toPort`. Lines: PREROUTING's jump at 6 + n + 1, SEPi's
 * DNAT at 6 + 2n + i.
 */
export function balancedNat(n: number, port: number, toPort: number): string {
  let lb = ":SVC - [0:0]\n";
  for (let i = 1; i <= n; i++) lb += `:SEP${i} - [0:0]\n`;
  lb += `-A PREROUTING -d 203.0.113.10 -p tcp --dport ${port} -j SVC\n`;
  for (let i = 1; i < n; i++) lb += `-A SVC -m statistic --mode random --probability ${(1 / (n - i + 1)).toFixed(5)} -j SEP${i}\n`;
  lb += `-A SVC -j SEP${n}\n`;
  for (let i = 1; i <= n; i++) lb += `-A SEP${i} -p tcp -j DNAT --to-destination 10.0.1.${i}:${toPort}\n`;
  return lb;
}
