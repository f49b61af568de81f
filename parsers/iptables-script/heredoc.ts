/**
 * Here-documents as the shell hands them to the command that reads them: an unquoted one has
 * its `$NAME` / `${NAME}` filled in from the script's variables (read by nft-script for `nft -f -`
 * and by run.ts for `iptables-restore <<EOF`).
 */

/** A line of text a command reads, at its place in the script (`column`: where its text starts, 1-based). */
export interface PlacedLine {
  text: string;
  line: number;
  column: number;
  /** The file it is in, when not the script read (see Pos.file). */
  file?: string;
}

/**
 * Text a command reads, as the shell hands it over: a here-document's lines (filled in), or a
 * file the script wrote from one earlier (`cat > rules.v4 <<EOF`). `what` names it for messages.
 */
export interface ScriptText {
  lines: PlacedLine[];
  what: string;
  /** Its last line has no newline after it (`read` does not take such a line). */
  open?: boolean;
}

/** A variable's value at the command (a name, or a positional or special parameter: `1`, `#`, `@`), or why it is not known. */
export type Variable = (name: string) => { value: string } | { why: string };

/**
 * A line of an unquoted here-document as the shell gives it: `$NAME` and `${NAME}` replaced by
 * their values, `\$`, `` \` `` and `\\` unescaped; a command substitution or a value fwlint does
 * not know stops it.
 */
export function expandHereDocLine(line: string, variable: Variable): { value: string } | { why: string; column: number } {
  let out = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "\\" && i + 1 < line.length && "$`\\".includes(line[i + 1]!)) {
      out += line[++i];
      continue;
    }
    if (c === "`") return { why: "a command substitution is known only when the script runs", column: i + 1 };
    if (c !== "$") {
      out += c;
      continue;
    }
    const rest = line.slice(i + 1);
    const m = /^(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(rest);
    const positional = /^(?:([0-9#@*])|\{([0-9]+)\})/.exec(rest);
    if (!m && positional) {
      const v = variable(positional[1] ?? positional[2]!);
      if ("why" in v) return { why: v.why, column: i + 1 };
      out += v.value;
      i += positional[0].length;
      continue;
    }
    if (!m) {
      if (rest.startsWith("(")) return { why: "a command substitution is known only when the script runs", column: i + 1 };
      if (/^[{0-9@*#?$!-]/.test(rest)) return { why: `${rest.startsWith("{") ? rest.slice(0, rest.indexOf("}") + 1 || 12) : "$" + rest[0]} is known only when the script runs`, column: i + 1 };
      out += c;
      continue;
    }
    const v = variable(m[1] ?? m[2]!);
    if ("why" in v) return { why: v.why, column: i + 1 };
    out += v.value;
    i += m[0].length;
  }
  return { value: out };
}
