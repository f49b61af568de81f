/**
 * ufw's rule files (/etc/ufw/before.rules, after.rules, user.rules and their IPv6 twins
 * before6.rules, after6.rules, user6.rules): iptables-restore input whose filter table declares only
 * ufw's chains. ufw loads them into chains it makes itself and hooks into INPUT, OUTPUT and FORWARD,
 * so read alone they are chains nothing enters (see compose.ts).
 */
import { detectIptablesSave } from "../iptables/detect.js";

/** A chain declaration (`:name POLICY [p:b]`). */
const DECLARATION = /^:(\S+)\s/;

/**
 * Is the text one of ufw's rule files? iptables-save syntax (detectIptablesSave), a filter table,
 * and every chain that table declares one of ufw's (ufwChainsOnly).
 */
export function detectUfw(text: string): boolean {
  return ufwChainsOnly(text) && detectIptablesSave(text) !== null;
}

/**
 * Does the text's filter table declare chains, and only ufw's (`ufw-...`, `ufw6-...`)? Other tables
 * (a `*nat` block for masquerading, which ufw's documentation has users add to before.rules) may
 * declare built-ins. Of a text known to be iptables-save syntax, this tells ufw's rule files.
 */
export function ufwChainsOnly(text: string): boolean {
  if (!text.includes(":ufw")) return false;
  let table = "";
  let ufwChains = 0;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("*")) table = line.slice(1).split(/\s/)[0]!;
    else if (table === "filter") {
      const m = DECLARATION.exec(line);
      if (!m) continue;
      if (!/^ufw6?-/.test(m[1]!)) return false;
      ufwChains++;
    }
  }
  return ufwChains > 0;
}

/** ufw's own names for its rule files, and which family each is for. */
export const UFW_MEMBER = /^(before|after|user)(6?)\.rules$/;

/** The family of a ufw rule file: its name (before6.rules ...) or its chains (ufw6-...). */
export function ufwFamily(text: string, name: string): 4 | 6 {
  const m = UFW_MEMBER.exec(name);
  if (m) return m[2] === "6" ? 6 : 4;
  return /^:ufw6-/m.test(text) ? 6 : 4;
}
