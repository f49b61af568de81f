/**
 * Neutralise text that came from a scanned file (or a file name) before it reaches a terminal.
 *
 * A ruleset comment such as `-m comment --comment "\e[2J\e]8;;http://evil\e\\"` would otherwise clear
 * the screen, forge output lines or plant hyperlinks when fwlint prints it. Every control character is
 * replaced with a visible escape (`\x1b`, `\n`, `\u202e`), so the printed text stays on one line and
 * shows what is really in the file.
 *
 * Replaced: C0 controls except TAB (U+0000-U+0008, U+000A-U+001F; ESC is U+001B), DEL (U+007F),
 * C1 controls (U+0080-U+009F), the Unicode line/paragraph separators (U+2028, U+2029) and the
 * bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) that reorder what is displayed.
 * TAB is kept: it is ordinary whitespace in source lines and cannot move the cursor off the line.
 */
import { nameTable } from "../model/name-table.js";

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = nameTable({
  "\n": "\\n",
  "\r": "\\r",
});

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
  return `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `text` with every terminal-unsafe character replaced by a visible escape. */
export function sanitize(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}
