/**
 * The curly-brace form: `name words { ... }` blocks and `words;` leaves, with `inactive:`,
 * `replace:`, `delete:` and `protect:` markers in front of a statement and `[ a b ]` lists.
 * Top-level `set ...` lines (configs that mix both forms) are read as set commands.
 *
 * Iterative (an explicit stack), so deep nesting cannot overflow; nesting beyond MAX_DEPTH is an
 * error and its content is skipped. Unbalanced braces are errors with positions: a stray `}` is
 * ignored, an unclosed block is closed at the end of the file.
 */
import { expandLists, readSetCommand } from "./set-reader.js";
import type { Diagnostics, Statement, Word } from "./statements.js";
import { tokenize, type Token } from "./tokens.js";

const MAX_DEPTH = 64;
const SET_OPS = new Set(["set", "delete", "deactivate", "activate"]);
const MARKERS = new Set(["inactive:", "replace:", "delete:", "protect:", "active:"]);

interface Frame {
  prefix: Word[];
  /** The block's name (the last word of its path), for an unclosed-block error. */
  name: string;
  open: Token;
  /** Content of a `delete:` block or of a block nested too deep is not added. */
  skip: boolean;
}

export function readCurlyText(text: string, diags: Diagnostics): Statement[] {
  const tokens = tokenize(text, diags, true);
  const out: Statement[] = [];
  const stack: Frame[] = [{ prefix: [], name: "", open: tokens[0]!, skip: false }];
  let i = 0;
  const top = () => stack[stack.length - 1]!;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.kind === "eol" || t.kind === ";") {
      i++;
      continue;
    }
    if (t.kind === "}") {
      if (stack.length === 1) diags.error(t, "unexpected '}' without a matching '{'; ignored");
      else stack.pop();
      i++;
      continue;
    }
    if (t.kind === "{") {
      diags.error(t, "expected a statement name before '{'");
      stack.push({ prefix: top().prefix, name: "", open: t, skip: true });
      i++;
      continue;
    }
    // A flat set command at the top level runs to the end of its line.
    if (stack.length === 1 && t.kind === "word" && !t.quoted && SET_OPS.has(t.text)) {
      const line: Token[] = [];
      while (i < tokens.length && tokens[i]!.kind !== "eol") {
        const w = tokens[i]!;
        if (w.kind !== ";") line.push(w.kind === "{" || w.kind === "}" ? { ...w, kind: "word" } : w);
        i++;
      }
      readSetCommand(line, diags, out);
      continue;
    }
    // markers, then the statement's words up to ';', '{' or '}'
    const markers = new Set<string>();
    while (i < tokens.length && tokens[i]!.kind === "word" && !tokens[i]!.quoted && MARKERS.has(tokens[i]!.text)) {
      markers.add(tokens[i]!.text);
      i++;
    }
    const words: Token[] = [];
    while (i < tokens.length) {
      const w = tokens[i]!;
      if (w.kind === ";" || w.kind === "{" || w.kind === "}") break;
      if (w.kind !== "eol") words.push(w);
      i++;
    }
    const end = tokens[i];
    if (words.length === 0) {
      if (markers.size > 0) diags.error(t, `expected a statement after '${[...markers][0]}'`);
      continue;
    }
    const frame = top();
    if (end === undefined || end.kind === "}") {
      const last = words[words.length - 1]!;
      diags.error({ line: last.line, column: last.column + last.text.length }, `expected ';' or '{' after '${words.map((w) => w.text).join(" ")}'`);
    }
    if (end?.kind === "{" && stack.length > MAX_DEPTH) {
      // too deep: skipped, and its path not built (a copy of every enclosing word per level made
      // 20,000 nested blocks take 17 s)
      i++;
      if (!frame.skip) diags.error(end, `nesting deeper than ${MAX_DEPTH} levels; the content of this block is skipped`);
      stack.push({ prefix: frame.prefix, name: words[words.length - 1]!.text, open: end, skip: true });
      continue;
    }
    const paths = expandLists(words, diags).map((p) => [...frame.prefix, ...p]);
    if (end?.kind === "{") {
      i++;
      const path = paths[0]!;
      if (paths.length > 1) diags.error(words[0]!, "a '[ ... ]' list cannot open a block");
      const skip = frame.skip || markers.has("delete:");
      if (!frame.skip) emit(out, markers, path);
      stack.push({ prefix: path, name: path[path.length - 1]?.text ?? "", open: end, skip });
      continue;
    }
    if (end?.kind === ";") i++;
    if (!frame.skip) for (const p of paths) emit(out, markers, p);
  }
  for (let k = stack.length - 1; k >= 1; k--) {
    const f = stack[k]!;
    diags.error(f.open, `expected '}' to close '${f.name} {' opened at line ${f.open.line} before the end of the file`);
  }
  return out;
}

function emit(out: Statement[], markers: Set<string>, words: Word[]): void {
  if (markers.has("delete:")) {
    out.push({ op: "delete", words });
    return;
  }
  if (markers.has("replace:")) out.push({ op: "replace", words });
  out.push({ op: "set", words });
  if (markers.has("inactive:")) out.push({ op: "deactivate", words });
}
