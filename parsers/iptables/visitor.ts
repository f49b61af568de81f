/**
 * CST -> AST for one line. Keeps every word with its position; unquotes quoted words the way
 * iptables-restore does (inside double quotes a backslash escapes the next character).
 */
import type { CstNode, IToken } from "chevrotain";
import { lineParser } from "./parser.js";
import type { ArgNode, CommandName, LineNode, OptionNode, WordNode } from "./ast.js";

/** `a"b c"d` -> `ab cd`; `"x\"y"` -> `x"y`. Linear. */
export function unquote(raw: string): string {
  if (!raw.includes('"')) return raw;
  let out = "";
  let inQuote = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inQuote) {
      if (c === "\\" && i + 1 < raw.length) {
        out += raw[++i]!;
      } else if (c === '"') {
        inQuote = false;
      } else {
        out += c;
      }
    } else if (c === '"') {
      inQuote = true;
    } else {
      out += c;
    }
  }
  return out;
}

function word(t: IToken, line: number): WordNode {
  return { text: unquote(t.image), raw: t.image, quoted: t.image.includes('"'), line, column: t.startColumn ?? 1 };
}

type Children = Record<string, (CstNode | IToken)[] | undefined>;

function tokens(ch: Children, key: string): IToken[] {
  return (ch[key] ?? []) as IToken[];
}
function nodes(ch: Children, key: string): CstNode[] {
  return (ch[key] ?? []) as CstNode[];
}

const BaseVisitor = lineParser.getBaseCstVisitorConstructor<{ line: number; text: string }, unknown>();

class LineVisitor extends BaseVisitor {
  constructor() {
    super();
    this.validateVisitor();
  }

  line(ch: Children, p: { line: number; text: string }): LineNode {
    const sub = nodes(ch, "tableLine")[0] ?? nodes(ch, "chainLine")[0] ?? nodes(ch, "commitLine")[0] ?? nodes(ch, "commandLine")[0]!;
    return this.visit(sub, p) as LineNode;
  }

  tableLine(ch: Children, p: { line: number; text: string }): LineNode {
    const h = tokens(ch, "TableHeader")[0]!;
    return {
      kind: "table",
      name: h.image.slice(1),
      extra: tokens(ch, "extra").map((t) => word(t, p.line)),
      line: p.line,
      column: h.startColumn ?? 1,
      text: p.text,
    };
  }

  chainLine(ch: Children, p: { line: number; text: string }): LineNode {
    const h = tokens(ch, "ChainDecl")[0]!;
    return {
      kind: "chain",
      name: h.image.slice(1),
      args: tokens(ch, "args").map((t) => word(t, p.line)),
      line: p.line,
      column: h.startColumn ?? 1,
      text: p.text,
    };
  }

  commitLine(ch: Children, p: { line: number; text: string }): LineNode {
    const h = tokens(ch, "Commit")[0]!;
    return { kind: "commit", extra: tokens(ch, "extra").map((t) => word(t, p.line)), line: p.line, column: h.startColumn ?? 1, text: p.text };
  }

  commandLine(ch: Children, p: { line: number; text: string }): LineNode {
    const cmd = tokens(ch, "Command")[0]!;
    const counters = tokens(ch, "Counters")[0];
    const options = [...nodes(ch, "before"), ...nodes(ch, "options")].map((n) => this.visit(n, p) as OptionNode);
    options.sort((a, b) => a.column - b.column);
    let command: CommandName;
    switch (cmd.tokenType.name) {
      case "Append":
        command = "append";
        break;
      case "Insert":
        command = "insert";
        break;
      case "NewChain":
        command = "new-chain";
        break;
      case "Policy":
        command = "policy";
        break;
      default:
        command = "other";
    }
    return {
      kind: "command",
      command,
      commandText: cmd.image,
      ...(counters ? { counters: word(counters, p.line) } : {}),
      positional: tokens(ch, "positional").map((t) => word(t, p.line)),
      options,
      line: p.line,
      column: cmd.startColumn ?? 1,
      text: p.text,
    };
  }

  optionItem(ch: Children, p: { line: number; text: string }): OptionNode {
    const o = tokens(ch, "Opt")[0]!;
    const bang = tokens(ch, "Bang")[0];
    return {
      name: o.image,
      ...(bang ? { bang: { line: p.line, column: bang.startColumn ?? 1 } } : {}),
      args: nodes(ch, "arg").map((n) => this.visit(n, p) as ArgNode),
      line: p.line,
      column: o.startColumn ?? 1,
    };
  }

  arg(ch: Children, p: { line: number; text: string }): ArgNode {
    const w = tokens(ch, "Word")[0]!;
    const bang = tokens(ch, "Bang")[0];
    return { ...word(w, p.line), ...(bang ? { bangBefore: { line: p.line, column: bang.startColumn ?? 1 } } : {}) };
  }
}

export const lineVisitor = new LineVisitor();
