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
