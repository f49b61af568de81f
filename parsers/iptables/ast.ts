/**
 * Plain typed AST of an iptables-save / iptables-restore file, one node per meaningful line.
 * Built by visitor.ts from the chevrotain CST; turned into the model by mapper.ts.
 * Lines and columns are 1-based.
 */

export interface Pos {
  line: number;
  column: number;
  /** The file, when not the one read (a file a script sources: parsers/iptables-script). */
  file?: string;
}

/** One word of the source, unquoted (`"a \"b"` -> `a "b`). */
export interface WordNode extends Pos {
  text: string;
  /** As written, with quotes and escapes. */
  raw: string;
  quoted: boolean;
}

export interface ArgNode extends WordNode {
  /** `!` written right before this argument (old negation form `-s ! 1.2.3.4`). */
  bangBefore?: Pos;
}

export interface OptionNode extends Pos {
  /** As written: `-s`, `--dport`. */
  name: string;
  /** `!` written before the option. */
  bang?: Pos;
  args: ArgNode[];
}

export interface TableLine extends Pos {
  kind: "table";
  name: string;
  extra: WordNode[];
  text: string;
}

export interface ChainLine extends Pos {
  kind: "chain";
  name: string;
  /** Policy, counters and anything after them. */
  args: WordNode[];
  text: string;
}

export interface CommitLine extends Pos {
  kind: "commit";
  extra: WordNode[];
  text: string;
}

export type CommandName = "append" | "insert" | "new-chain" | "policy" | "other";

export interface CommandLine extends Pos {
  kind: "command";
  command: CommandName;
  /** As written: `-A`, `--insert`. */
  commandText: string;
  /** `[packets:bytes]` before the command. */
  counters?: WordNode;
  /** Words right after the command: chain name, rule number, policy. */
  positional: WordNode[];
  /** Options before and after the command, in source order. */
  options: OptionNode[];
  text: string;
}

export type LineNode = TableLine | ChainLine | CommitLine | CommandLine;
