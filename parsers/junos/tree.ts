/**
 * The configuration tree: statements applied in order. Every word of a path is a node (so
 * `source-address any` is a node `source-address` with a child `any`); children keep the order in
 * which they were first set, which is the policy and term order. A node remembers where it first
 * appeared (for a `policy P` node: its first `set` line, or the `policy P {` line).
 *
 * Readers of the tree see only active nodes (`deactivate` / `inactive:` hide a whole subtree).
 */
import type { Diagnostics, Statement, Word } from "./statements.js";

export interface ConfigNode {
  name: string;
  line: number;
  column: number;
  children: Map<string, ConfigNode>;
  inactive: boolean;
  /** Copied in by apply-groups (from the named group). */
  fromGroup?: string;
}

export function newNode(name: string, at: { line: number; column: number }): ConfigNode {
  return { name, line: at.line, column: at.column, children: new Map(), inactive: false };
}

/** Longest statement path accepted: keeps every tree walk (recursive or not) shallow on hostile input. */
export const MAX_PATH_WORDS = 256;

export function buildTree(statements: Statement[], diags: Diagnostics): ConfigNode {
  const root = newNode("", { line: 1, column: 1 });
  for (const st of statements) {
    if (st.words.length > MAX_PATH_WORDS) {
      diags.error(st.words[0]!, `statement of ${st.words.length} words is longer than ${MAX_PATH_WORDS}; skipped`);
      continue;
    }
    switch (st.op) {
      case "set":
        ensurePath(root, st.words);
        break;
      case "deactivate":
        ensurePath(root, st.words).inactive = true;
        break;
      case "activate": {
        const n = findPath(root, st.words);
        if (n) n.inactive = false;
        break;
      }
      case "replace": {
        const n = findPath(root, st.words);
        if (n) n.children.clear();
        break;
      }
      case "delete": {
        const parent = findPath(root, st.words.slice(0, -1));
        const last = st.words[st.words.length - 1]!;
        if (!parent?.children.delete(last.text)) diags.info(last, `delete: '${st.words.map((w) => w.text).join(" ")}' is not in the configuration at this point`);
        break;
      }
    }
  }
  return root;
}

/** The node at a path of words, created (with each missing node on the way) where absent. */
export function ensurePath(root: ConfigNode, words: readonly Word[]): ConfigNode {
  let n = root;
  for (const w of words) {
    let c = n.children.get(w.text);
    if (!c) {
      c = newNode(w.text, w);
      n.children.set(w.text, c);
    }
    n = c;
  }
  return n;
}

/** The node at a path of words, if it exists (active or not). */
export function findPath(root: ConfigNode, words: readonly { text: string }[]): ConfigNode | undefined {
  let n: ConfigNode | undefined = root;
  for (const w of words) {
    n = n.children.get(w.text);
    if (!n) return undefined;
  }
  return n;
}

/** The active child named `name`. */
export function child(n: ConfigNode | undefined, name: string): ConfigNode | undefined {
  const c = n?.children.get(name);
  return c && !c.inactive ? c : undefined;
}

/** The active node at a path of names. */
export function at(n: ConfigNode | undefined, ...names: string[]): ConfigNode | undefined {
  let cur = n;
  for (const name of names) cur = child(cur, name);
  return cur;
}

/** Active children in order. */
export function kids(n: ConfigNode | undefined): ConfigNode[] {
  if (!n) return [];
  const out: ConfigNode[] = [];
  for (const c of n.children.values()) if (!c.inactive) out.push(c);
  return out;
}

/** Inactive children (for diagnostics about deactivated policies or terms). */
export function inactiveKids(n: ConfigNode | undefined): ConfigNode[] {
  return n ? [...n.children.values()].filter((c) => c.inactive) : [];
}

/** Names of the active children: the values of a leaf (`source-address a; source-address b`). */
export function values(n: ConfigNode | undefined, name: string): ConfigNode[] {
  return kids(child(n, name));
}

/** The first value of a leaf. */
export function value(n: ConfigNode | undefined, name: string): ConfigNode | undefined {
  return values(n, name)[0];
}

/** Every active path of words below `n` (each ending at a leaf), with the nodes along it. */
export function leafPaths(n: ConfigNode): ConfigNode[][] {
  const out: ConfigNode[][] = [];
  const stack: { node: ConfigNode; path: ConfigNode[] }[] = [];
  const ks = kids(n);
  for (let i = ks.length - 1; i >= 0; i--) stack.push({ node: ks[i]!, path: [ks[i]!] });
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    const cs = kids(node);
    if (cs.length === 0) out.push(path);
    for (let i = cs.length - 1; i >= 0; i--) stack.push({ node: cs[i]!, path: [...path, cs[i]!] });
  }
  return out;
}
