/**
 * `$(seq ...)` (or `` `seq ...` ``) with known integers: `seq LAST`, `seq FIRST LAST`, `seq FIRST
 * INCREMENT LAST` print one number a line (nothing when the range is empty), as coreutils' seq
 * does; a script's `for port in $(seq 6000 6003)` opens those four ports. The runner hands over
 * the substitution's command as its fields, expanded as the shell expands them (`$FIRST`,
 * `"${LAST}"`, `$((N + 1))`); options, fractions, another command: not read (undefined: the
 * substitution stays unknown).
 */

/** Numbers one substitution may print; past it the value is left unknown. */
export const MAX_SEQ_NUMBERS = 65_536;

/** What seq prints for `fields` (the command's words, `seq` first), or why not; undefined for any other command. */
export function seqOutput(fields: readonly string[], text: string): { value: string } | { why: string } | undefined {
  if (fields[0] !== "seq" || fields.length < 2 || fields.length > 4) return undefined;
  if (!fields.slice(1).every((f) => /^[-+]?\d+$/.test(f))) return fields.slice(1).some((f) => /^-[a-z]/i.test(f) || f.includes(".")) ? undefined : { why: `${text} is given '${fields.slice(1).join(" ")}', not integers` };
  const args = fields.slice(1).map((f) => BigInt(f));
  const [first, step, last] = args.length === 1 ? [1n, 1n, args[0]!] : args.length === 2 ? [args[0]!, 1n, args[1]!] : [args[0]!, args[1]!, args[2]!];
  if (step === 0n) return { why: `${text} has an increment of 0 (seq fails)` };
  const count = step > 0n ? (last >= first ? (last - first) / step + 1n : 0n) : first >= last ? (first - last) / -step + 1n : 0n;
  if (count > BigInt(MAX_SEQ_NUMBERS)) return { why: `${text} prints ${count} numbers, more than fwlint follows (${MAX_SEQ_NUMBERS})` };
  const out: string[] = [];
  for (let k = 0n, v = first; k < count; k++, v += step) out.push(v.toString());
  // (a command substitution drops the trailing newline)
  return { value: out.join("\n") };
}
