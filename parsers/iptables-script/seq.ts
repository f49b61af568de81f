/**
 * `$(seq ...)` (or `` `seq ...` ``) with known integers: `seq LAST`, `seq FIRST LAST`, `seq FIRST
 * INCREMENT LAST` print one number a line (nothing when the range is empty), as coreutils' seq
 * does; a script's `for port in $(seq 6000 6003)` opens those four ports. Arguments are numbers or
 * variables holding them (`$FIRST`, `"${LAST}"`); options, fractions, another command, a pipe: not
 * read (undefined: the substitution stays unknown).
 */

/** Numbers one substitution may print; past it the value is left unknown. */
export const MAX_SEQ_NUMBERS = 65_536;

/** The output of `text` when it is such a seq command substitution, or why its numbers are not known; undefined for any other. */
export function seqOutput(text: string, lookup: (name: string) => { value: string } | { why: string }): { value: string } | { why: string } | undefined {
  const inner = text.startsWith("$(") ? text.slice(2, -1) : text.startsWith("`") ? text.slice(1, -1) : undefined;
  const words = inner?.trim().split(/\s+/);
  if (!words || words[0] !== "seq" || words.length < 2 || words.length > 4) return undefined;
  const args: bigint[] = [];
  for (const raw of words.slice(1)) {
    const w = raw.replace(/^"(.*)"$/, "$1");
    const name = /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/.exec(w);
    let v = w;
    if (name) {
      const r = lookup(name[1] ?? name[2]!);
      if ("why" in r) return r;
      v = r.value.trim();
    } else if (!/^[-+]?\d+$/.test(w)) return undefined;
    if (!/^[-+]?\d+$/.test(v)) return { why: `'${w}' in ${text} is '${v}', not an integer` };
    args.push(BigInt(v));
  }
  const [first, step, last] = args.length === 1 ? [1n, 1n, args[0]!] : args.length === 2 ? [args[0]!, 1n, args[1]!] : [args[0]!, args[1]!, args[2]!];
  if (step === 0n) return { why: `${text} has an increment of 0 (seq fails)` };
  const count = step > 0n ? (last >= first ? (last - first) / step + 1n : 0n) : first >= last ? (first - last) / -step + 1n : 0n;
  if (count > BigInt(MAX_SEQ_NUMBERS)) return { why: `${text} prints ${count} numbers, more than fwlint follows (${MAX_SEQ_NUMBERS})` };
  const out: string[] = [];
  for (let k = 0n, v = first; k < count; k++, v += step) out.push(v.toString());
  // (a command substitution drops the trailing newline)
  return { value: out.join("\n") };
}
