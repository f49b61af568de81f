/**
 * An ASA configuration as lines of whitespace-separated words, each word with its 1-based column.
 * ASA's CLI has no quoting in the commands fwlint reads (names cannot contain spaces); free text
 * (remarks, descriptions) is taken from the raw line by column.
 */

export interface Word {
  /** As written: names (access lists, objects, groups, nameifs) are case-sensitive on the device. */
  text: string;
  /** Lower-cased: what command words and keywords are compared on, ASA reading them in any case. */
  key: string;
  /** 1-based column of the first character. */
  column: number;
}

export interface ConfigLine {
  /** 1-based line number. */
  line: number;
  /** The whole line without the line terminator. */
  raw: string;
  /** Leading whitespace width: > 0 means the line belongs to the block above. */
  indent: number;
  words: Word[];
}

/** The file's rows, without their line terminators: row i is line i + 1. */
export function configRows(text: string): string[] {
  // most files end their lines in \n alone: a plain split is several times faster than the pattern
  return text.includes("\r") ? text.split(/\r?\n|\r/) : text.split("\n");
}

/**
 * Row `i` of `rows` as a line of words; undefined for a row without words and for a comment (`!`,
 * `:`). Rows are split one at a time as they are read, so that a row's words die with it: held for
 * the whole file (32k lines of the ASA bench), they were most of what the parse's garbage
 * collections copied.
 */
export function configLine(rows: readonly string[], i: number): ConfigLine | undefined {
  const raw = rows[i]!;
  const all = splitWords(raw);
  // a lone `!` starts a comment (seen after commands in exported and test configs)
  const bang = all.findIndex((w, k) => k > 0 && w.text === "!");
  const words = bang < 0 ? all : all.slice(0, bang);
  if (words.length === 0) return undefined;
  const first = words[0]!.text;
  if (first.startsWith("!") || first === ":" || first.startsWith("#")) return undefined;
  return { line: i + 1, raw, indent: words[0]!.column - 1, words };
}

function splitWords(raw: string): Word[] {
  const words: Word[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw)) !== null) words.push({ text: m[0], key: m[0].toLowerCase(), column: m.index + 1 });
  return words;
}

/** The raw text from word `i` to the end of the line (free text such as a remark), or "". */
export function restOfLine(l: ConfigLine, i: number): string {
  const w = l.words[i];
  return w ? l.raw.slice(w.column - 1).trimEnd() : "";
}
