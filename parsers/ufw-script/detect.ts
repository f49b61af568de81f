/**
 * Content-based recognition of a shell script of ufw commands (`ufw allow 22/tcp`, `sudo ufw
 * default deny incoming`, `$UFW limit ssh`): a cheap line scan, as for scripts of iptables and nft
 * commands (parsers/iptables-script/detect.ts, whose line and invocation patterns it shares). A
 * script is recognised when it runs ufw with a command that changes its rules or policies at
 * least as often as it runs iptables to change a table, and never runs nft to. Text with Markdown
 * code fences (a README's example commands) is not a script.
 */
import { changesOf } from "../iptables-script/detect.js";

const PROGRAM = String.raw`(?:\S*/)?ufw`;
/** What follows the program (options first) in a command that changes ufw's rules or default policies. */
const CHANGES = /^(?:--?[a-z-]+\s+)*["']?(?:allow|deny|reject|limit|default|insert|prepend|route|delete)(?:["']?\s|$)/;
const NFT_CHANGE = /(?:^|[;&|]\s*|\bsudo\s+)(?:\S*\/)?nft\s+(?:-[a-zA-Z]+\s+)*(?:add|insert|create|replace|delete|flush|-f)\b/;

export function detectUfwScript(text: string): boolean {
  if (!text.includes("ufw") || /^\s*```/m.test(text)) return false;
  const n = changesOf(text, PROGRAM, CHANGES, NFT_CHANGE);
  return n !== undefined && n.program > 0 && n.program >= n.iptables;
}
