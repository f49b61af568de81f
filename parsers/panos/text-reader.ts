/**
 * The two text forms of a PAN-OS configuration into one tree (parsers/junos/tree.ts: every word of
 * a path is a node, children in the order first set):
 *
 * - the `set` form: `set PATH VALUE`, `set PATH [ a b ]` (a list adds each member),
 *   `delete PATH` (a subtree, or one member of a list), `move PATH top|bottom|before X|after X`
 *   (rule order), `rename PATH to NEW`; `edit PATH` makes the following commands relative to PATH
 *   (`top`, `up` and `exit` leave it);
 * - the brace form: `name { ... }` blocks, `key value;` and `key [ a b ];` leaves, `item;` members.
 *
 * Setting a leaf again moves it last: the last value of a single-valued key is the one in force
 * (`lastValue`). Every bad line is an error at its line and column, and the rest is read.
 */
import { ensurePath, findPath, newNode, type ConfigNode } from "../junos/tree.js";
import type { Diagnostics, Word } from "../junos/statements.js";
import { tokenizePanos, type Token } from "./tokens.js";

/** Longest path accepted (keeps tree walks shallow on hostile input). */
const MAX_PATH_WORDS = 256;
const MAX_DEPTH = 64;

export function readPanosSet(text: string, diags: Diagnostics): ConfigNode {
  const root = newNode("", { line: 1, column: 1 });
  let line: Token[] = [];
  let prefix: Word[] = [];
  for (const t of tokenizePanos(text, diags, false)) {
    if (t.kind !== "eol") {
      line.push(t);
      continue;
    }
    if (line.length > 0) prefix = command(root, line, prefix, diags);
    line = [];
  }
  return root;
}

/** Applies one command line; returns the `edit` prefix in force after it. */
function command(root: ConfigNode, line: Token[], prefix: Word[], diags: Diagnostics): Word[] {
  const head = line[0]!;
  const op = head.quoted ? "" : head.text;
  const rest = line.slice(1);
  switch (op) {
    case "set":
    case "delete":
    case "edit": {
      if (rest.length === 0) {
        diags.error({ line: head.line, column: head.column + head.text.length }, `expected a configuration path after '${op}'`);
        return prefix;
      }
      if (op === "set") {
        const pairs = attributePairs(rest);
        if (pairs) {
          for (const pair of pairs) command(root, [head, ...pair], prefix, diags);
          return prefix;
        }
      }
      const { path, list } = wordsOf(rest, diags);
      const full = [...prefix, ...path];
      if (full.length === 0 && (!list || list.length === 0)) {
        if (path.length === 0 && !list) return prefix; // only stray brackets: reported by wordsOf
        diags.error(head, `expected a configuration path after '${op}'`);
        return prefix;
      }
      if (full.length + 1 > MAX_PATH_WORDS) {
        diags.error(head, `a path of ${full.length} words is longer than ${MAX_PATH_WORDS}; line skipped`);
        return prefix;
      }
      if (op === "edit") {
        if (list) diags.error(head, "'edit' takes a path, not a '[ ... ]' list");
        ensurePath(root, full);
        return full;
      }
      if (op === "set") {
        if (list && list.length === 0) ensurePath(root, full);
        for (const item of list ?? [undefined]) setLeaf(root, item ? [...full, item] : full);
      } else {
        for (const item of list ?? [undefined]) remove(root, item ? [...full, item] : full, diags);
      }
      return prefix;
    }
    case "move":
      move(root, prefix, rest, head, diags);
      return prefix;
    case "rename":
      rename(root, prefix, rest, head, diags);
      return prefix;
    case "top":
    case "exit":
    case "quit":
      return [];
    case "up":
      return prefix.slice(0, -1);
    default:
      diags.error(head, `expected 'set', 'delete', 'move', 'rename' or 'edit' at the start of the line, found '${head.text}'; line skipped`);
      return prefix;
  }
}

/** Keys of a security or NAT rule that take one value or a `[ ... ]` list. */
const RULE_KEYS = new Set([
  "from", "to", "source", "destination", "source-user", "category", "application", "service", "action", "hip-profiles",
  "source-hip", "destination-hip", "negate-source", "negate-destination", "disabled", "rule-type", "description", "tag",
  "log-start", "log-end", "log-setting", "schedule", "nat-type", "to-interface", "group-tag",
]);

/**
 * `set ... rules NAME k1 v1 k2 [ a b ] ...`: several attributes of a rule on one line, as the CLI
 * accepts them (one `set` per attribute then). Undefined unless the line sets two or more
 * attributes, each a known single-valued or list key.
 */
function attributePairs(tokens: Token[]): Token[][] | undefined {
  const at = tokens.findIndex((t, k) => !t.quoted && t.kind === "word" && t.text === "rules" && k + 1 < tokens.length);
  if (at < 0) return undefined;
  const base = tokens.slice(0, at + 2);
  const pairs: Token[][] = [];
  let k = at + 2;
  while (k < tokens.length) {
    const key = tokens[k]!;
    if (key.kind !== "word" || key.quoted || !RULE_KEYS.has(key.text) || k + 1 >= tokens.length) return undefined;
    let end = k + 2;
    if (tokens[k + 1]!.kind === "[") {
      while (end - 1 < tokens.length && tokens[end - 1]!.kind !== "]") end++;
      if (end - 1 >= tokens.length) return undefined;
    } else if (tokens[k + 1]!.kind !== "word") return undefined;
    pairs.push([...base, ...tokens.slice(k, end)]);
    k = end;
  }
  return pairs.length >= 2 ? pairs : undefined;
}

/** The words of a path; a trailing `[ ... ]` list is returned apart (each member adds a leaf). */
function wordsOf(tokens: Token[], diags: Diagnostics): { path: Word[]; list?: Word[] } {
  const path: Word[] = [];
  let list: Word[] | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "[") {
      if (list) diags.error(t, "only one '[ ... ]' list may end a path");
      const items: Word[] = [];
      let j = i + 1;
      while (j < tokens.length && tokens[j]!.kind !== "]") {
        const w = tokens[j]!;
        if (w.kind === "word") items.push(w);
        else diags.error(w, `unexpected '${w.text}' inside a '[ ... ]' list`);
        j++;
      }
      if (j >= tokens.length) diags.error(t, "unterminated list: expected ']'");
      else if (j + 1 < tokens.length) diags.error(tokens[j + 1]!, `expected the end of the line after the '[ ... ]' list, found '${tokens[j + 1]!.text}'`);
      list = items;
      break;
    }
    if (t.kind === "]") {
      diags.error(t, "unexpected ']' without a '['");
      continue;
    }
    path.push(t);
  }
  return list ? { path, list } : { path };
}

/** `set`: the path exists, its last word a leaf set last (so `lastValue` sees the latest value). */
function setLeaf(root: ConfigNode, words: readonly Word[]): void {
  const parent = ensurePath(root, words.slice(0, -1));
  const last = words[words.length - 1]!;
  const had = parent.children.get(last.text);
  if (had && had.children.size === 0) parent.children.delete(last.text);
  if (had && had.children.size > 0) return;
  parent.children.set(last.text, newNode(last.text, last));
}

function remove(root: ConfigNode, words: readonly Word[], diags: Diagnostics): void {
  const parent = findPath(root, words.slice(0, -1));
  const last = words[words.length - 1]!;
  if (!parent?.children.delete(last.text)) diags.info(last, `delete: '${words.map((w) => w.text).join(" ")}' is not in the configuration at this point`);
}

/** `move PATH top|bottom|before X|after X`: reorders the last word of PATH among its siblings. */
function move(root: ConfigNode, prefix: Word[], rest: Token[], head: Token, diags: Diagnostics): void {
  const whereAt = rest.findIndex((t) => !t.quoted && ["top", "bottom", "before", "after"].includes(t.text));
  if (whereAt < 1) {
    diags.error(head, "expected 'move PATH top|bottom|before NAME|after NAME'");
    return;
  }
  const path = [...prefix, ...rest.slice(0, whereAt)];
  const where = rest[whereAt]!.text;
  const ref = rest[whereAt + 1];
  if ((where === "before" || where === "after") !== (ref !== undefined)) {
    diags.error(rest[whereAt]!, where === "before" || where === "after" ? `expected a name after '${where}'` : `unexpected '${ref!.text}' after '${where}'`);
    return;
  }
  const parent = findPath(root, path.slice(0, -1));
  const name = path[path.length - 1]!.text;
  const node = parent?.children.get(name);
  if (!parent || !node) {
    diags.error(path[path.length - 1]!, `move: '${path.map((w) => w.text).join(" ")}' is not in the configuration at this point`);
    return;
  }
  if (ref && !parent.children.has(ref.text)) {
    diags.error(ref, `move: '${ref.text}' is not a sibling of '${name}'`);
    return;
  }
  const others = [...parent.children.entries()].filter(([k]) => k !== name);
  let at = where === "top" ? 0 : where === "bottom" ? others.length : others.findIndex(([k]) => k === ref!.text) + (where === "after" ? 1 : 0);
  if (at < 0) at = others.length;
  others.splice(at, 0, [name, node]);
  parent.children.clear();
  for (const [k, v] of others) parent.children.set(k, v);
}

/** `rename PATH to NEW`: the node keeps its place; references elsewhere are the user's to follow. */
function rename(root: ConfigNode, prefix: Word[], rest: Token[], head: Token, diags: Diagnostics): void {
  const to = rest.findIndex((t) => !t.quoted && t.text === "to");
  if (to < 1 || to !== rest.length - 2) {
    diags.error(head, "expected 'rename PATH to NEW-NAME'");
    return;
  }
  const path = [...prefix, ...rest.slice(0, to)];
  const parent = findPath(root, path.slice(0, -1));
  const name = path[path.length - 1]!.text;
  const node = parent?.children.get(name);
  const fresh = rest[to + 1]!;
  if (!parent || !node) {
    diags.error(path[path.length - 1]!, `rename: '${path.map((w) => w.text).join(" ")}' is not in the configuration at this point`);
    return;
  }
  const entries = [...parent.children.entries()].map(([k, v]): [string, ConfigNode] => (k === name ? [fresh.text, { ...v, name: fresh.text }] : [k, v]));
  parent.children.clear();
  for (const [k, v] of entries) parent.children.set(k, v);
}

/**
 * The brace form. Iterative (an explicit stack); nesting beyond MAX_DEPTH is an error and its
 * content skipped; a stray `}` is an error and ignored, an unclosed block an error at its `{`.
 */
export function readPanosBraces(text: string, diags: Diagnostics): ConfigNode {
  const root = newNode("", { line: 1, column: 1 });
  const tokens = tokenizePanos(text, diags, true);
  const stack: { node: ConfigNode; open: Token; skip: boolean }[] = [{ node: root, open: tokens[0]!, skip: false }];
  let i = 0;
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
    const frame = stack[stack.length - 1]!;
    if (t.kind === "{") {
      diags.error(t, "expected a name before '{'");
      stack.push({ node: frame.node, open: t, skip: true });
      i++;
      continue;
    }
    // a statement: words (and one list) up to ';', '{' or '}'
    const words: Token[] = [];
    while (i < tokens.length && tokens[i]!.kind !== ";" && tokens[i]!.kind !== "{" && tokens[i]!.kind !== "}") {
      if (tokens[i]!.kind !== "eol") words.push(tokens[i]!);
      i++;
    }
    const end = tokens[i];
    if (end === undefined || end.kind === "}") {
      const last = words[words.length - 1]!;
      diags.error({ line: last.line, column: last.column + last.text.length }, `expected ';' or '{' after '${words.map((w) => w.text).join(" ")}'`);
    }
    const { path, list } = wordsOf(words, diags);
    if (end?.kind === "{") {
      i++;
      if (list) diags.error(words[0]!, "a '[ ... ]' list cannot open a block");
      if (frame.skip || stack.length > MAX_DEPTH) {
        if (!frame.skip) diags.error(end, `nesting deeper than ${MAX_DEPTH} levels; the content of this block is skipped`);
        stack.push({ node: frame.node, open: end, skip: true });
        continue;
      }
      stack.push({ node: path.length > 0 ? ensurePath(frame.node, path) : frame.node, open: end, skip: false });
      continue;
    }
    if (end?.kind === ";") i++;
    if (frame.skip || path.length === 0) continue;
    if (list) {
      const parent = ensurePath(frame.node, path);
      for (const item of list) setLeaf(parent, [item]);
    } else setLeaf(frame.node, path);
  }
  for (let k = stack.length - 1; k >= 1; k--) {
    const f = stack[k]!;
    if (!f.skip || k === 1 || !stack[k - 1]!.skip) diags.error(f.open, `expected '}' to close the block opened at line ${f.open.line} before the end of the file`);
  }
  return root;
}
