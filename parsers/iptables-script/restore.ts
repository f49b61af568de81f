/**
 * What `iptables-restore` reads from a script's here-document: iptables-save text, split into its
 * table blocks (`*filter` ... `COMMIT`), each with its chain lines (`:INPUT DROP [0:0]`) and its
 * command lines (`-A INPUT -p tcp --dport 22 -j ACCEPT`) as argument fields, words split as
 * iptables-restore splits them (blanks; double quotes group, `\"` is a quote inside them; single
 * quotes are plain characters to it).
 * Positions are the script's. run.ts applies the blocks to its tables (FamilyTables.restoreTable).
 */
import type { ArgField } from "./argv.js";
import type { PlacedLine } from "./heredoc.js";
import type { Pos } from "./lexer.js";

export interface RestoreChainLine {
  name: string;
  /** ACCEPT / DROP for a built-in chain, `-` for a user chain. */
  policy: string;
  pos: Pos;
  policyPos: Pos;
}

export interface RestoreBlock {
  table: string;
  pos: Pos;
  chains: RestoreChainLine[];
  commands: ArgField[][];
  /** Ended by COMMIT (else iptables-restore fails at the end of the input). */
  committed: boolean;
}

export interface RestoreProblem {
  pos: Pos;
  message: string;
}

/** Column `column` of the line, in its file. */
function placed(l: PlacedLine, column: number): Pos {
  return l.file !== undefined ? { line: l.line, column, file: l.file } : { line: l.line, column };
}

/** The fields of a command line, or where its quoting is broken. */
function fieldsOf(l: PlacedLine): ArgField[] | RestoreProblem {
  const out: ArgField[] = [];
  const t = l.text;
  let k = 0;
  while (k < t.length) {
    while (k < t.length && (t[k] === " " || t[k] === "\t")) k++;
    if (k >= t.length) break;
    const start = k;
    let text = "";
    let quoted = false;
    while (k < t.length && t[k] !== " " && t[k] !== "\t") {
      const c = t[k]!;
      if (c === '"') {
        quoted = true;
        let e = k + 1;
        while (e < t.length && t[e] !== c) {
          if (t[e] === "\\" && (t[e + 1] === c || t[e + 1] === "\\")) e++;
          text += t[e]!;
          e++;
        }
        if (e >= t.length) return { pos: placed(l, l.column + k), message: "iptables-restore: a double quote is not closed on this line" };
        k = e + 1;
        continue;
      }
      text += c;
      k++;
    }
    out.push({ text, pos: placed(l, l.column + start), ...(quoted ? { quoted: true } : {}) });
  }
  return out;
}

/**
 * The document's table blocks in order, and what iptables-restore refuses in it (the first such
 * problem ends the document there, as iptables-restore stops at it).
 */
export function readRestoreDocument(lines: readonly PlacedLine[]): { blocks: RestoreBlock[]; problem?: RestoreProblem } {
  const blocks: RestoreBlock[] = [];
  let open: RestoreBlock | undefined;
  for (const l of lines) {
    const text = l.text.trim();
    if (text === "" || text.startsWith("#")) continue;
    const lead = l.text.length - l.text.trimStart().length;
    const pos = placed(l, l.column + lead);
    if (text.startsWith("*")) {
      if (open) return { blocks, problem: { pos, message: `iptables-restore: table ${open.table} (line ${open.pos.line}) is not ended by COMMIT before this table` } };
      open = { table: text.slice(1).trim(), pos, chains: [], commands: [], committed: false };
      blocks.push(open);
      continue;
    }
    if (!open) return { blocks, problem: { pos, message: `iptables-restore: expected a table line (*filter) before '${text.length > 40 ? text.slice(0, 37) + "..." : text}'` } };
    if (text === "COMMIT") {
      open.committed = true;
      open = undefined;
      continue;
    }
    if (text.startsWith(":")) {
      const m = /^:(\S+)\s+(\S+)/.exec(text);
      if (!m) return { blocks, problem: { pos, message: "iptables-restore: a chain line needs a policy (:CHAIN POLICY [packets:bytes], '-' for a user chain)" } };
      open.chains.push({ name: m[1]!, policy: m[2]!, pos, policyPos: placed(l, pos.column + text.indexOf(m[2]!, m[1]!.length + 1)) });
      continue;
    }
    const fields = fieldsOf(l);
    if (!Array.isArray(fields)) return { blocks, problem: fields };
    const t = fields.find((f) => f.text === "-t" || f.text === "--table" || f.text.startsWith("--table="));
    if (t) return { blocks, problem: { pos: t.pos, message: "iptables-restore: the -t option cannot be used in a restore document (the *table line names the table)" } };
    open.commands.push(fields);
  }
  return { blocks };
}
