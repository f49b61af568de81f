/**
 * A file's lines, numbered. Its own module: format detection needs it and must not load the
 * iptables grammar (lines.ts) to get it.
 */

export interface SplitLine {
  /** 1-based. */
  line: number;
  text: string;
}

/** Lines without their terminators (\n, \r\n or a lone \r). */
export function splitLines(text: string): SplitLine[] {
  const out: SplitLine[] = [];
  let start = 0;
  let n = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      out.push({ line: n++, text: text.slice(start, i) });
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  if (start < text.length) out.push({ line: n, text: text.slice(start) });
  return out;
}
