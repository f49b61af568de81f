/**
 * FortiOS configuration text (`show full-configuration`, a backup `.conf`, a CLI script) into a
 * tree, with the CLI's editing commands applied as FortiOS applies them:
 *
 *   config firewall address          opens a block (reopening one continues it)
 *       edit "web1"                  opens an entry of the block's table (an existing one is modified)
 *           set subnet 10.0.0.1/32   replaces a field's values; `append` / `select` add, `unselect`
 *                                    removes values, `unset` removes the field
 *       next                         closes the entry
 *       move 5 before 1              reorders entries (policies are evaluated in table order)
 *       delete 7 / clone A to B / rename A to B
 *   end                              closes the block
 *
 * Values are words or double-quoted strings (backslash escapes; a quoted value may run over several
 * lines, as certificates do). `#` starts a comment line (the `#config-version=` header too).
 * A block may hold settings (`config system global`), a table of entries, and nested blocks, inside
 * itself or inside an entry (`config vdom` / `edit root` / `config firewall policy` ...).
 * Bad lines are reported at their line and column and skipped; reading goes on.
 */
import type { Diagnostics } from "../junos/statements.js";

export interface Token {
  text: string;
  line: number;
  column: number;
  quoted: boolean;
}

export interface Field {
  name: string;
  values: Token[];
  /** The command's first word (`set`, `append` ...). */
  at: Token;
}

/** What blocks and entries both hold. */
export interface Container {
  fields: Map<string, Field>;
  /** Nested blocks by path (`firewall address`). */
  blocks: Map<string, Block>;
}

export interface Entry extends Container {
  key: string;
  /** The `edit` word. */
  at: Token;
  /** The key's word. */
  keyToken: Token;
}

export interface Block extends Container {
  /** The words after `config`, joined by one space (quotes removed). */
  path: string;
  /** The `config` word (of the block's first opening). */
  at: Token;
  /** The table, in evaluation order. */
  entries: Entry[];
}

export function newContainer(): Container {
  return { fields: new Map(), blocks: new Map() };
}

/** Entry by key. */
export function entryOf(block: Block | undefined, key: string): Entry | undefined {
  return block?.entries.find((e) => e.key === key);
}

/** Reference fields whose values follow a `rename` (FortiOS updates the references to a renamed object). */
const REFERENCE_FIELDS = new Set(["srcaddr", "dstaddr", "srcaddr6", "dstaddr6", "service", "member", "exclude-member", "srcintf", "dstintf", "intf", "interface", "poolname", "schedule"]);

/** The words of one command line, with the position of each; undefined for a line holding only a comment or nothing. */
class Lexer {
  private pos = 0;
  private line = 1;
  private col = 1;
  constructor(
    private readonly text: string,
    private readonly diags: Diagnostics,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** The next line's words (a quoted word may span lines). */
  nextLine(): Token[] {
    const words: Token[] = [];
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === "\n") {
        this.advance();
        return words;
      }
      if (c === " " || c === "\t" || c === "\r") {
        this.advance();
        continue;
      }
      if (c === "#" && words.length === 0) {
        // a comment line
        while (this.pos < t.length && t[this.pos] !== "\n") this.advance();
        continue;
      }
      const line = this.line;
      const column = this.col;
      // one word: unquoted and quoted parts up to a blank (`"new"_group1` is new_group1)
      let value = "";
      let quoted = false;
      while (this.pos < t.length) {
        const d = t[this.pos]!;
        if (d === " " || d === "\t" || d === "\n" || d === "\r") break;
        // a single quote opens a quoted part only at the start of a word (`don't` is a word)
        if (d === '"' || (d === "'" && value === "" && !quoted)) {
          quoted = true;
          value += this.quotedPart(d);
          continue;
        }
        if (d === "\\" && this.pos + 1 < t.length && t[this.pos + 1] !== "\n") this.advance();
        value += t[this.pos]!;
        this.advance();
      }
      words.push({ text: value, line, column, quoted });
    }
    return words;
  }

  /** A quoted part from its opening quote: its text, escapes resolved (may run over lines). */
  private quotedPart(quote: string): string {
    const t = this.text;
    const line = this.line;
    const column = this.col;
    this.advance();
    let value = "";
    while (this.pos < t.length) {
      const d = t[this.pos]!;
      if (d === "\\" && this.pos + 1 < t.length) {
        this.advance();
        value += t[this.pos]!;
        this.advance();
        continue;
      }
      this.advance();
      if (d === quote) return value;
      value += d;
    }
    this.diags.error({ line, column }, `unterminated quoted value: expected a closing ${quote} before the end of the file`);
    return value;
  }

  private advance(): void {
    if (this.text[this.pos] === "\n") {
      this.line++;
      this.col = 1;
    } else this.col++;
    this.pos++;
  }
}

interface Frame {
  block: Block;
  entry: Entry | undefined;
}

/** Reads the whole text into its root container. */
export function readFortiosText(text: string, diags: Diagnostics): Container {
  const root = newContainer();
  const lexer = new Lexer(text, diags);
  const stack: Frame[] = [];
  const current = (): Container => {
    const top = stack[stack.length - 1];
    return top === undefined ? root : (top.entry ?? top.block);
  };
  while (!lexer.atEnd()) {
    const words = lexer.nextLine();
    if (words.length === 0) continue;
    const [cmd, ...args] = words as [Token, ...Token[]];
    const top = stack[stack.length - 1];
    switch (cmd.quoted ? "" : cmd.text) {
      case "config": {
        if (args.length === 0) {
          diags.error(after(cmd), "'config' needs the name of what it configures (config firewall policy)");
          break;
        }
        const path = args.map((a) => a.text).join(" ");
        const into = current();
        let block = into.blocks.get(path);
        if (!block) {
          block = { path, at: cmd, entries: [], ...newContainer() };
          into.blocks.set(path, block);
        }
        stack.push({ block, entry: undefined });
        break;
      }
      case "next": {
        if (!top?.entry) diags.error(cmd, "'next' without an open 'edit' entry");
        else top.entry = undefined;
        break;
      }
      case "end": {
        if (!top) diags.error(cmd, "'end' without an open 'config' block");
        else stack.pop();
        break;
      }
      case "edit":
      case "set":
      case "append":
      case "select":
      case "unselect":
      case "unset":
      case "delete":
      case "purge":
      case "move":
      case "clone":
      case "rename":
        if (top) inBlock(top, cmd, args, root, diags);
        else diags.error(cmd, `'${cmd.text}' outside a 'config' block`);
        break;
      case "show":
      case "get":
      case "execute":
      case "diagnose":
      case "abort":
        diags.info(cmd, `'${cmd.text}' is a command, not configuration; skipped`);
        break;
      default:
        diags.error(cmd, `expected config, edit, set, unset, append, next, end, delete, move, clone or rename; found '${cmd.text}'`);
    }
  }
  for (const frame of stack.reverse()) diags.warn(frame.block.at, `'config ${frame.block.path}' is not closed by 'end' before the end of the file`);
  return root;
}

/** A command that works on the open block (`frame`): edit, set and the like, delete, move, clone, rename. */
function inBlock(frame: Frame, cmd: Token, args: Token[], root: Container, diags: Diagnostics): void {
  switch (cmd.text) {
    case "edit": {
      if (args.length !== 1) {
        diags.error(args.length === 0 ? after(cmd) : args[1]!, args.length === 0 ? "'edit' needs the key of the entry" : "'edit' takes one key; expected the end of the line");
        if (args.length === 0) break;
      }
      const key = args[0]!;
      if (frame.entry) diags.warn(cmd, `'edit ${key.text}' before 'next' of entry '${frame.entry.key}'; that entry is closed here`);
      let entry = entryOf(frame.block, key.text);
      if (!entry) {
        entry = { key: key.text, at: cmd, keyToken: key, ...newContainer() };
        frame.block.entries.push(entry);
      }
      frame.entry = entry;
      break;
    }
    case "set":
    case "append":
    case "select":
    case "unselect":
    case "unset": {
      const name = args[0];
      if (!name) {
        diags.error(after(cmd), `'${cmd.text}' needs the name of a field`);
        break;
      }
      const into = frame.entry ?? frame.block;
      const values = args.slice(1);
      const old = into.fields.get(name.text);
      if (cmd.text === "unset") into.fields.delete(name.text);
      else if (cmd.text === "set" || !old) {
        if (cmd.text === "unselect") break;
        into.fields.set(name.text, { name: name.text, values, at: cmd });
      } else if (cmd.text === "unselect") {
        const gone = new Set(values.map((v) => v.text));
        old.values = old.values.filter((v) => !gone.has(v.text));
      } else {
        const have = new Set(old.values.map((v) => v.text));
        old.values = [...old.values, ...values.filter((v) => !have.has(v.text))];
      }
      break;
    }
    case "delete":
    case "purge": {
      if (cmd.text === "purge") {
        frame.block.entries = [];
        break;
      }
      const key = args[0];
      if (!key) {
        diags.error(after(cmd), "'delete' needs the key of an entry");
        break;
      }
      const i = frame.block.entries.findIndex((e) => e.key === key.text);
      if (i === -1) diags.warn(key, `'delete ${key.text}': no entry '${key.text}' in 'config ${frame.block.path}'`);
      else frame.block.entries.splice(i, 1);
      break;
    }
    case "move": {
      const [key, where, other] = args;
      if (!key || !where || !other || (where.text !== "before" && where.text !== "after")) {
        diags.error(where ?? after(key ?? cmd), "expected 'move KEY before|after KEY'");
        break;
      }
      const entries = frame.block.entries;
      const i = entries.findIndex((e) => e.key === key.text);
      const j = entries.findIndex((e) => e.key === other.text);
      if (i === -1 || j === -1) {
        const missing = i === -1 ? key : other;
        diags.warn(missing, `'move': no entry '${missing.text}' in 'config ${frame.block.path}'; nothing moved`);
        break;
      }
      if (i === j) break;
      const [moved] = entries.splice(i, 1);
      const k = entries.findIndex((e) => e.key === other.text);
      entries.splice(where.text === "before" ? k : k + 1, 0, moved!);
      break;
    }
    case "clone":
    case "rename": {
      const [key, to, target] = args;
      if (!key || !to || to.text !== "to" || !target) {
        diags.error(to ?? after(key ?? cmd), `expected '${cmd.text} KEY to NEWKEY'`);
        break;
      }
      const source = entryOf(frame.block, key.text);
      if (!source) {
        diags.warn(key, `'${cmd.text}': no entry '${key.text}' in 'config ${frame.block.path}'`);
        break;
      }
      if (entryOf(frame.block, target.text)) {
        diags.warn(target, `'${cmd.text}': an entry '${target.text}' already exists in 'config ${frame.block.path}'`);
        break;
      }
      if (cmd.text === "clone") {
        frame.block.entries.push({ ...source, key: target.text, keyToken: target, at: cmd, fields: new Map([...source.fields].map(([k, f]) => [k, { ...f, values: [...f.values] }])), blocks: new Map(source.blocks) });
      } else {
        source.key = target.text;
        renameReferences(root, key.text, target.text);
      }
      break;
    }
  }
}

/** The column just past a word, for "expected ... after it". */
function after(t: Token): { line: number; column: number } {
  return { line: t.line, column: t.column + t.text.length + (t.quoted ? 2 : 0) };
}

/** FortiOS's `rename`: references to the old name follow it. */
function renameReferences(c: Container, from: string, to: string): void {
  for (const f of c.fields.values()) {
    if (!REFERENCE_FIELDS.has(f.name)) continue;
    f.values = f.values.map((v) => (v.text === from ? { ...v, text: to } : v));
  }
  for (const b of c.blocks.values()) {
    renameReferences(b, from, to);
    for (const e of b.entries) renameReferences(e, from, to);
  }
}

/** A field's value words (empty when unset). */
export function valuesOf(c: Container | undefined, name: string): Token[] {
  return c?.fields.get(name)?.values ?? [];
}

/** A field's first value. */
export function valueOf(c: Container | undefined, name: string): string | undefined {
  return c?.fields.get(name)?.values[0]?.text;
}

/** Is a field set to `enable`? */
export function enabled(c: Container | undefined, name: string): boolean {
  return valueOf(c, name) === "enable";
}
