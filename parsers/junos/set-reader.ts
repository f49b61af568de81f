/**
 * The display-set form: one command per line, `set|delete|deactivate|activate <path>`.
 * `insert`, `rename`, `annotate`, `protect` and `unprotect` do not change what a saved
 * configuration means (order is already the saved order) and are skipped with an info.
 * `[ a b ]` lists expand to one statement per element.
 */
import type { Diagnostics, Statement, StatementOp, Word } from "./statements.js";
import { tokenize, type Token } from "./tokens.js";
import { nameTable } from "../../src/model/name-table.js";

const OPS: Readonly<Record<string, StatementOp>> = nameTable({ set: "set", delete: "delete", deactivate: "deactivate", activate: "activate" });
const NEUTRAL = new Set(["insert", "rename", "annotate", "protect", "unprotect", "copy"]);
/** A line's lists may not multiply into more statements than this. */
const MAX_EXPANSION = 10_000;

export function readSetText(text: string, diags: Diagnostics): Statement[] {
  const tokens = tokenize(text, diags, false);
  const out: Statement[] = [];
  let line: Token[] = [];
  for (const t of tokens) {
    if (t.kind === "eol") {
      if (line.length > 0) readSetCommand(line, diags, out);
      line = [];
    } else line.push(t);
  }
  return out;
}

/** One command line (its tokens, without the line end); appends its statements to `out`. */
export function readSetCommand(line: Token[], diags: Diagnostics, out: Statement[]): void {
  const head = line[0]!;
  const op = head.quoted ? undefined : OPS[head.text];
  if (op === undefined) {
    if (!head.quoted && NEUTRAL.has(head.text)) diags.info(head, `'${head.text}' does not change a saved configuration; skipped`);
    else diags.warn(head, `expected 'set', 'delete', 'deactivate' or 'activate' at the start of the line, found '${head.text}'; line skipped`);
    return;
  }
  const rest = line.slice(1);
  if (rest.length === 0) {
    diags.error({ line: head.line, column: head.column + head.text.length }, `expected a configuration path after '${head.text}'`);
    return;
  }
  for (const words of expandLists(rest, diags)) out.push({ op, words });
}

/** Words of a line with every `[ a b ]` list expanded (one path per combination). */
export function expandLists(tokens: Token[], diags: Diagnostics): Word[][] {
  let paths: Word[][] = [[]];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.kind === "[") {
      const items: Word[] = [];
      let j = i + 1;
      while (j < tokens.length && tokens[j]!.kind !== "]") {
        const w = tokens[j]!;
        if (w.kind === "word") items.push({ text: w.text, line: w.line, column: w.column });
        else diags.error(w, `unexpected '${w.text}' inside a '[ ... ]' list`);
        j++;
      }
      if (j >= tokens.length) diags.error(t, "unterminated list: expected ']'");
      if (items.length === 0) diags.warn(t, "empty '[ ]' list");
      if (paths.length * Math.max(1, items.length) > MAX_EXPANSION) {
        diags.error(t, `lists on this line expand to more than ${MAX_EXPANSION} statements; the rest of the line is skipped`);
        return paths;
      }
      paths = items.length === 0 ? paths : paths.flatMap((p) => items.map((it) => [...p, it]));
      i = j + 1;
      continue;
    }
    if (t.kind === "]") {
      diags.error(t, "unexpected ']' without a '['");
      i++;
      continue;
    }
    for (const p of paths) p.push({ text: t.text, line: t.line, column: t.column });
    i++;
  }
  return paths;
}
