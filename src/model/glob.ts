/**
 * The glob patterns an nft `include` may name (glob(3): `*`, `?`, `[...]`, `[!...]`), one path
 * component at a time. The nft reader expands them; the review watches folders by them for a file
 * that would be read once it is there. And the walk that matches compiled wildcard patterns (shell
 * `case` patterns, Junos group wildcards) in time bounded by the lengths' product (globWalk).
 */

const compiled = new Map<string, RegExp>();

/** Does a path (component) hold a glob pattern? */
export const GLOB_CHARS = /[*?[]/;

/** One path component's pattern as a regular expression over names (`*` and `?` never match '/'). */
function globComponentRegExp(pattern: string): RegExp {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith("!")) body = "^" + body.slice(1);
        re += "[" + body.replace(/\\/g, "\\\\") + "]";
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(re + "$");
}

/** Does a file name match a component's pattern, as glob(3) reads one (hidden names only by a pattern that starts with '.')? */
export function globMatches(pattern: string, name: string): boolean {
  if (!GLOB_CHARS.test(pattern)) return name === pattern;
  if (name.startsWith(".") && !pattern.startsWith(".")) return false;
  // (made once per pattern: a folder's names are all tested against the same one)
  let re = compiled.get(pattern);
  if (!re) {
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, (re = globComponentRegExp(pattern)));
  }
  return re.test(name);
}

/** A compiled wildcard pattern's element: `*`, or the test of one character (a literal, `?`, a class). */
export type GlobToken = "*" | ((ch: string) => boolean);

/**
 * Does `subject` (its characters) match the tokens? The two-pointer walk backs up only to the last
 * `*`, so a hostile pattern costs at most the product of the lengths, never exponential time
 * (shell `case` patterns, Junos group wildcards).
 */
export function globWalk(tokens: readonly GlobToken[], subject: readonly string[]): boolean {
  let i = 0;
  let j = 0;
  let star = -1;
  let resume = 0;
  while (j < subject.length) {
    const t = tokens[i];
    if (t === "*") {
      star = i++;
      resume = j;
    } else if (t !== undefined && t(subject[j]!)) {
      i++;
      j++;
    } else if (star >= 0) {
      i = star + 1;
      j = ++resume;
    } else return false;
  }
  while (tokens[i] === "*") i++;
  return i === tokens.length;
}
