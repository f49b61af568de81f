/**
 * What `echo` and `printf` print, for the text a pipe gives the command after them
 * (`echo "$RULES" | iptables-restore`, `printf '%s\n' "${SETS[@]}" | ipset restore`), when it
 * does not depend on which shell runs them or on a conversion fwlint does not follow:
 *
 * - `echo WORDS`: the words joined by blanks. A backslash is left undecided: dash's echo reads it
 *   as an escape always, bash's only with -e. `-n` (and bash's -e/-E when nothing is escaped)
 *   change no line.
 * - `printf FORMAT ARGS`: the format's text with `%s` taking the arguments in turn, `%%`, and the
 *   escapes `\n`, `\t`, `\\`; the format is used again while arguments remain, as printf does.
 *   Another conversion (%d, %b ...) or escape is left undecided.
 *
 * Undefined when left undecided.
 */
export function printedText(program: "echo" | "printf", args: readonly string[], shell: "sh" | "bash" | undefined): string | undefined {
  if (program === "echo") {
    let k = 0;
    // (options: dash's echo takes -n alone; bash's -n, -e, -E, together too)
    while (k < args.length && (args[k] === "-n" || (shell !== "sh" && /^-[neE]+$/.test(args[k]!)))) k++;
    const text = args.slice(k).join(" ");
    return text.includes("\\") ? undefined : `${text}\n`;
  }
  const format = args[0];
  if (format === undefined || /%[^s%]|%$/.test(format.replace(/%%/g, "")) || /\\[^nt\\]|\\$/.test(format)) return undefined;
  const values = args.slice(1);
  let out = "";
  let next = 0;
  do {
    const used = next;
    out += format.replace(/%%|%s|\\n|\\t|\\\\/g, (m) => (m === "%s" ? (values[next++] ?? "") : m === "%%" ? "%" : m === "\\n" ? "\n" : m === "\\t" ? "\t" : "\\"));
    // (a format that takes no argument prints once, whatever follows it)
    if (next === used) break;
  } while (next < values.length);
  return out;
}
