/**
 * Splits an IOS running-config into command lines: 1-based line number, indentation (children
 * of a configuration mode are indented under it) and whitespace-separated tokens with their
 * columns. `!` comment lines and multi-line `banner` bodies are dropped (an unterminated banner
 * is reported, since it swallows the rest of the file). Linear, never throws.
 */

export interface Token {
  text: string;
  /** 1-based column of the token's first character. */
  col: number;
}

export interface ConfigLine {
  line: number;
  indent: number;
  /** The line as written (without the newline). */
  raw: string;
  tokens: Token[];
}

function tokenize(raw: string): Token[] {
  const out: Token[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw)) !== null) out.push({ text: m[0], col: m.index + 1 });
  return out;
}

/**
 * The delimiter of `banner TYPE <d>text<d>`: IOS shows the control character ^C either raw
 * (\x03) or as the two characters `^C`; any other first character is its own delimiter.
 */
function bannerDelimiter(tok: string): string {
  return tok.startsWith("^C") ? "^C" : tok[0]!;
}

export interface SplitConfig {
  lines: ConfigLine[];
  /** A banner whose closing delimiter never came: its line (the rest of the file was its body). */
  openBanner?: { line: number; column: number; delimiter: string };
}

export function configLines(text: string): SplitConfig {
  const out: ConfigLine[] = [];
  let openBanner: SplitConfig["openBanner"];
  const lines = text.split(/\r?\n|\r/);
  let bannerEnd: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (bannerEnd !== null) {
      if (raw.includes(bannerEnd)) bannerEnd = null;
      continue;
    }
    const tokens = tokenize(raw);
    if (tokens.length === 0) continue;
    const first = tokens[0]!.text;
    if (first.startsWith("!") || first.startsWith("#")) continue;
    if (first === "banner" && tokens.length >= 3 && tokens[0]!.col === 1) {
      // banner TYPE <d> ... <d>: the body ends at the next occurrence of the delimiter
      const dTok = tokens[2]!;
      const d = bannerDelimiter(dTok.text);
      const after = raw.slice(dTok.col - 1 + d.length);
      if (!after.includes(d)) {
        bannerEnd = d;
        openBanner = { line: i + 1, column: dTok.col, delimiter: d };
      }
      continue;
    }
    out.push({ line: i + 1, indent: tokens[0]!.col - 1, raw, tokens });
  }
  return bannerEnd === null ? { lines: out } : { lines: out, ...(openBanner ? { openBanner } : {}) };
}
