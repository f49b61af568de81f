/**
 * A file's lines, numbered. Its own module: format detection needs it and must not load the
 * iptables grammar (lines.ts) to get it.
 */

export interface SplitLine {
  /** 1-based. */
  line: number;
  text: string;
}

/**
 * The ends of a text's lines, in order: at \n, \r or the end of the text. Found by the string's own
 * search, not a loop over its characters: format detection scans whole files of other formats
 * before their readers' turn and looks at few of their lines (detect.ts).
 */
export class LineEnds {
  private nl: number;
  private cr: number;

  constructor(private readonly text: string) {
    this.nl = text.indexOf("\n");
    this.cr = text.indexOf("\r");
  }

  /** Where the line starting at `start` ends. */
  from(start: number): number {
    if (this.nl !== -1 && this.nl < start) this.nl = this.text.indexOf("\n", start);
    if (this.cr !== -1 && this.cr < start) this.cr = this.text.indexOf("\r", start);
    const nl = this.nl === -1 ? this.text.length : this.nl;
    const cr = this.cr === -1 ? this.text.length : this.cr;
    return nl < cr ? nl : cr;
  }
}

/** Where the next line starts after a line ending at `end` (\r\n is one terminator). */
export function lineAfter(text: string, end: number): number {
  return text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
}

/** Lines without their terminators (\n, \r\n or a lone \r). */
export function splitLines(text: string): SplitLine[] {
  const out: SplitLine[] = [];
  const ends = new LineEnds(text);
  for (let start = 0, end = 0, n = 1; start < text.length; start = lineAfter(text, end), n++) {
    end = ends.from(start);
    out.push({ line: n, text: text.slice(start, end) });
  }
  return out;
}
