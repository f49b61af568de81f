/**
 * The review's effects on files and processes, behind the UI's ReviewActions: accepting a finding
 * (a suppression comment in the ruleset, or an entry in the baseline file), and the command line
 * that opens $EDITOR (or $VISUAL) at file:line.
 */
import { addToBaseline, planSuppressionComment, writeSuppressionComment, type AcceptTarget } from "./accept.js";
import { sourceText, type ReviewFinding } from "./session.js";

/** Undefined when a suppression comment can be written for this finding; else why not. */
export function canComment(item: ReviewFinding): string | undefined {
  const f = item.finding;
  // in the scanned file, or in a file it includes (an nft fragment: the comment goes there)
  const text = sourceText(item.file, f.location.file);
  if (text === undefined) return "the finding is located in a file that was not scanned";
  const plan = planSuppressionComment(text, item.file.format, f.location.line, f.ruleId, "accepted");
  return plan.ok ? undefined : plan.why;
}

/** Records the acceptance; returns what was written where, for the status line. */
export function acceptFinding(item: ReviewFinding, reason: string, target: AcceptTarget, baselineFile: string): string {
  const f = item.finding;
  if (target === "comment") {
    const why = canComment(item);
    if (why !== undefined) throw new Error(`${f.location.file}:${f.location.line}: cannot add a suppression comment: ${why}`);
    const line = writeSuppressionComment(f.location.file, item.file.format, f.location.line, f.ruleId, reason, f.sourceLine);
    return `suppression comment written at ${f.location.file}:${line}`;
  }
  addToBaseline(baselineFile, f, reason);
  return `added to the baseline ${baselineFile}`;
}

/**
 * The editor command for file:line: $VISUAL, else $EDITOR, else vi, split on spaces ("code -w").
 * Editors that take `+LINE FILE` (vi, vim, nvim, nano, emacs, micro, kak, joe, mg, ne, helix as hx
 * takes FILE:LINE) get the line; VS Code-like ones get `-g FILE:LINE`; others just the file.
 */
export function editorCommand(env: Record<string, string | undefined>, file: string, line: number): { command: string; args: string[] } {
  const spec = (env.VISUAL && env.VISUAL.trim()) || (env.EDITOR && env.EDITOR.trim()) || "vi";
  const [command, ...extra] = spec.split(/\s+/) as [string, ...string[]];
  const name = command.split("/").pop()!.replace(/\.exe$/, "");
  if (/^(g?vim?|nvim|vi|view|nano|pico|emacs|emacsclient|micro|kak|joe|jed|mg|ne|ed)$/.test(name)) return { command, args: [...extra, `+${line}`, file] };
  if (/^(code|code-insiders|codium|cursor|subl|sublime_text)$/.test(name)) return { command, args: [...extra, "-g", `${file}:${line}`] };
  if (/^(hx|helix)$/.test(name)) return { command, args: [...extra, `${file}:${line}`] };
  return { command, args: [...extra, file] };
}
