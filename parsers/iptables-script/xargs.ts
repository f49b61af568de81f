/**
 * The commands `xargs` runs for what it reads, as GNU xargs 4.9 builds them: a ban list piped to
 * `xargs -I{} iptables -A INPUT -s {} -j DROP` is one iptables command per line of it. Read: `-I
 * REPL` (one command per input line, its leading blanks dropped, REPL replaced in each argument;
 * `-i` is `-I{}`), `-L N` (N lines a command), `-n N` (N items a command), neither (every item in
 * one command), `-d '\n'`, `-r` (no command for empty input), `-a FILE` (handed over as the input
 * by the caller), `-t` and `-x`; the command defaults to echo. Input items are split on blanks and
 * newlines; an input that quotes or escapes (which xargs reads its own way) and other options are
 * refused with why.
 */
import type { ArgField } from "./argv.js";

/** The argument lists xargs runs (each the program and its words, at the xargs command's place), or why not. */
export function xargsCommands(args: readonly ArgField[], input: readonly string[]): ArgField[][] | { why: string } {
  let replace: string | undefined;
  let perLines: number | undefined;
  let perItems: number | undefined;
  let byLine = false;
  let noEmptyRun = false;
  let k = 0;
  const count = (v: string | undefined, o: string): number | { why: string } => (v !== undefined && /^[1-9]\d*$/.test(v) ? Number(v) : { why: `xargs ${o} is given '${v ?? ""}', not a count` });
  for (; k < args.length; k++) {
    const a = args[k]!.text;
    if (!a.startsWith("-") || a === "-") break;
    if (a === "--") {
      k++;
      break;
    }
    if (a === "-I") replace = args[++k]?.text;
    else if (a.startsWith("-I")) replace = a.slice(2);
    else if (a === "-i" || a === "--replace") replace = "{}";
    else if (a.startsWith("--replace=")) replace = a.slice("--replace=".length);
    else if (a === "-L" || a === "-n" || a.startsWith("-L") || a.startsWith("-n") || a.startsWith("--max-lines=") || a.startsWith("--max-args=")) {
      const lines = a.startsWith("-L") || a.startsWith("--max-lines");
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : a.length > 2 ? a.slice(2) : args[++k]?.text;
      const n = count(v, lines ? "-L" : "-n");
      if (typeof n !== "number") return n;
      if (lines) perLines = n;
      else perItems = n;
    } else if (a === "-d" || a.startsWith("-d") || a.startsWith("--delimiter=")) {
      const v = a.startsWith("--delimiter=") ? a.slice("--delimiter=".length) : a.length > 2 ? a.slice(2) : args[++k]?.text;
      if (v !== "\\n" && v !== "\n") return { why: `xargs -d '${v ?? ""}' is not followed (only a newline)` };
      byLine = true;
    } else if (a === "-r" || a === "--no-run-if-empty") noEmptyRun = true;
    else if (a === "-t" || a === "--verbose" || a === "-x" || a === "--exit") continue;
    else return { why: `xargs's option ${a} is not followed` };
    if (replace === undefined && (a === "-I" || a.startsWith("-I"))) return { why: "xargs -I is given no replace string" };
  }
  const command = args.slice(k);
  const at = args[0]?.pos ?? command[0]?.pos;
  if (at === undefined) return [];
  const program = command.length > 0 ? command : [{ text: "echo", pos: at }];
  if (!byLine && input.some((l) => /["'\\]/.test(l))) return { why: "what xargs reads quotes or escapes, which xargs reads its own way" };
  const field = (text: string): ArgField => ({ text, pos: at });
  // -I: a command per input line, its leading blanks dropped
  if (replace !== undefined) {
    const lines = input.map((l) => (byLine ? l : l.replace(/^[ \t]+/, ""))).filter((l) => l !== "");
    return lines.map((line) => program.map((w) => ({ ...w, text: w.text.split(replace!).join(line) })));
  }
  const words = (l: string) => (byLine ? (l === "" ? [] : [l]) : l.split(/[ \t]+/).filter((w) => w !== ""));
  const groups: string[][] = [];
  if (perLines !== undefined) {
    // (a line ending in a blank goes on into the next one)
    let group: string[] = [];
    let lines = 0;
    for (const l of input) {
      const ws = words(l);
      if (ws.length === 0) continue;
      group.push(...ws);
      if (!/[ \t]$/.test(l)) lines++;
      if (lines === perLines) {
        groups.push(group);
        group = [];
        lines = 0;
      }
    }
    if (group.length > 0) groups.push(group);
  } else {
    const items = input.flatMap(words);
    if (perItems !== undefined) for (let i = 0; i < items.length; i += perItems) groups.push(items.slice(i, i + perItems));
    else if (items.length > 0) groups.push(items);
  }
  // (with no item, GNU xargs runs the command once, unless -r)
  if (groups.length === 0 && !noEmptyRun) groups.push([]);
  return groups.map((g) => [...program, ...g.map(field)]);
}
