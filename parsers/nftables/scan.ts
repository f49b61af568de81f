/**
 * nftables text -> chevrotain tokens, in one forward scan.
 *
 * The token vocabulary (tokens.ts) is chevrotain's; this scanner produces exactly the tokens its
 * patterns describe, without a regular expression or a match array per token. On a 5 MB ruleset
 * (20k rules, 200k set elements) chevrotain's generic lexer took 0.5-1.5 s and most of the
 * garbage collection of a whole run; this takes a fraction of that.
 *
 * Token objects carry what the parser and the diagnostics read: image, start offset, line and
 * column, and the token type (index). Keywords are classified on the spot (a Map lookup per word).
 * The plain elements of an `elements = { ... }` list (addresses, prefixes, ranges, numbers) are
 * one ElementRun token per line, not a token per element and comma (see ElementRunToken).
 */
import type { IToken, TokenType } from "chevrotain";
import {
  Amp, Bang, Caret, Colon, Comma, Dot, ElementRun, ElementsKw, EqEq, Equals, Ge, Gt, keywordType, LCurly, Le, LParen, Lt, Newline, NotEq, Pipe, Plus,
  RawPayload, RCurly, RParen, Semi, SetRef, Shl, Shr, Str, Unexpected, Unterminated, Variable, WordTok,
} from "./tokens.js";

function isWordChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
    c === 95 /* _ */ || c === 45 /* - */ || c === 47 /* / */ || c === 42 /* * */ || c === 37 /* % */ ||
    c === 126 /* ~ */ || c === 91 /* [ */ || c === 93 /* ] */ || c > 127
  );
}

/** Index of the `"` closing a string whose text starts at `from`, or -1 when the line ends first. */
function closingQuote(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 34) return j;
    if (c === 10) return -1;
  }
  return -1;
}

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** End of a word starting at `i` (see tokens.ts for the word shape); `i` when there is none. */
export function wordEnd(text: string, i: number): number {
  const n = text.length;
  const c0 = text.charCodeAt(i);
  const start = i;
  if (c0 === 58 /* : */) {
    if (text.charCodeAt(i + 1) !== 58) return start;
    i += 2;
  } else if (isWordChar(c0)) i++;
  else return start;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isWordChar(c)) {
      i++;
      continue;
    }
    if (c === 46 /* . */) {
      if (isWordChar(text.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      break;
    }
    if (c === 58 /* : */) {
      const d = text.charCodeAt(i + 1);
      // 'fe80::' keeps its colons; '22:' before a blank leaves the ':' as the map separator.
      if (isWordChar(d) || d === 58 || d === 46 || text.charCodeAt(i - 1) === 58) {
        i++;
        continue;
      }
      break;
    }
    break;
  }
  return i;
}

/**
 * A run of plain set elements on one line (tokens.ts ElementRun): what plainElements in the
 * parser would read from their word and comma tokens, as offsets into `source`. Sets of 100k+
 * addresses are common (blocklists): a token object and an image per element and per comma were
 * most of what parsing them allocated and what its garbage collections copied.
 */
export interface ElementRunToken extends IToken {
  /** The scanned text the offsets are in. */
  source: string;
  /** Start and end (exclusive) offset of each element, in order: [start0, end0, start1, end1, ...]. */
  spans: number[];
  /** Where the line containing the run starts in `source` (columns are counted from it). */
  lineStart: number;
  /** The run ends with a comma (the next element needs none before it). */
  trailingComma: boolean;
}

/** Characters of a plain element: digits, hex letters, `.` `:` `/` `-` (addresses, prefixes, ranges, numbers). */
function isPlainChar(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 46 || c === 47 || c === 45;
}

export interface ScanOptions {
  /** Read plain set elements as ElementRun tokens (default true; false: a token per element and comma, for tests). */
  elementRuns?: boolean;
}

export interface Scanned {
  tokens: IToken[];
  /** `#` comments (image, start line), for `# handle N`. */
  comments: IToken[];
}

const RAW = /@(?:ll|nh|th|ih|\d+),\d+,\d+/y;

export function scanNft(text: string, options: ScanOptions = {}): Scanned {
  const tokens: IToken[] = [];
  const comments: IToken[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const runs = options.elementRuns !== false;
  // Braces open inside an `elements = {` list (0: not in one); runs are read at depth 1 only.
  let elementDepth = 0;

  /** Does the `{` about to be pushed open an `elements = {` list? */
  const opensElements = (): boolean => {
    const k = tokens.length;
    return k >= 2 && tokens[k - 1]!.tokenType === Equals && tokens[k - 2]!.tokenType === ElementsKw;
  };

  /**
   * Does an element start here: after the list's `{` or a `,` (newlines between)? Not a map's
   * data after `:`, a concatenation's part after `.`, a verdict's chain after `jump`.
   */
  const atElementStart = (): boolean => {
    let k = tokens.length - 1;
    while (k >= 0 && tokens[k]!.tokenType === Newline) k--;
    const t = k >= 0 ? tokens[k]!.tokenType : undefined;
    return t === LCurly || t === Comma || (t === ElementRun && (tokens[k] as ElementRunToken).trailingComma);
  };

  /**
   * The end of a word at `from` when it is a plain element (plain characters only); else -1. (The
   * one keyword of plain characters, `add`, reads as the same value either way.)
   */
  const plainWord = (from: number): number => {
    const end = wordEnd(text, from);
    if (end === from) return -1;
    for (let k = from; k < end; k++) if (!isPlainChar(text.charCodeAt(k))) return -1;
    return end;
  };

  /** The first offset from `from` on that is not a blank, tab or carriage return. */
  const blankEnd = (from: number): number => {
    let k = from;
    for (let c = text.charCodeAt(k); c === 32 || c === 9 || c === 13; c = text.charCodeAt(++k));
    return k;
  };

  /**
   * A run of plain elements starting at `from` (an element, then `,` and the next, ...) on this
   * line, pushed as one ElementRun token; the offset after it, or `from` when there is none. An
   * element is in the run only when a comma, the end of the line or a `}` follows it (blanks
   * between), as the parser's plainElements takes it; anything else ends the run before it.
   */
  const elementRun = (from: number): number => {
    const spans: number[] = [];
    let j = from;
    let after = from;
    let trailingComma = false;
    for (;;) {
      const end = plainWord(j);
      if (end < 0) break;
      const k = blankEnd(end);
      const c = k < n ? text.charCodeAt(k) : -1;
      if (c === 44) {
        spans.push(j, end);
        trailingComma = true;
        after = k + 1;
        j = blankEnd(after);
        continue;
      }
      if (c === 10 || c === 125) {
        spans.push(j, end);
        trailingComma = false;
        after = end;
      }
      break;
    }
    if (spans.length === 0) return from;
    const run: ElementRunToken = {
      image: text.slice(spans[0]!, spans[1]!),
      startOffset: spans[0]!,
      startLine: line,
      startColumn: spans[0]! - lineStart + 1,
      tokenTypeIdx: ElementRun.tokenTypeIdx!,
      tokenType: ElementRun,
      source: text,
      spans,
      lineStart,
      trailingComma,
    };
    tokens.push(run);
    return after;
  };

  const push = (type: TokenType, start: number, end: number): void => {
    tokens.push({
      image: text.slice(start, end),
      startOffset: start,
      startLine: line,
      startColumn: start - lineStart + 1,
      tokenTypeIdx: type.tokenTypeIdx!,
      tokenType: type,
    });
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 32: case 9: case 13: case 12: case 0xfeff: // blank, tab, CR, form feed, byte order mark
        i++;
        continue;
      case 10: // \n
        push(Newline, i, i + 1);
        i++;
        line++;
        lineStart = i;
        continue;
      case 92: { // \ joins lines
        const d = text.charCodeAt(i + 1);
        if (d === 10 || (d === 13 && text.charCodeAt(i + 2) === 10)) {
          i += d === 10 ? 2 : 3;
          line++;
          lineStart = i;
          continue;
        }
        push(Unexpected, i, i + 1);
        i++;
        continue;
      }
      case 35: { // # comment
        let j = i;
        while (j < n && text.charCodeAt(j) !== 10) j++;
        comments.push({ image: text.slice(i, j), startOffset: i, startLine: line, startColumn: i - lineStart + 1, tokenTypeIdx: 0, tokenType: Unexpected });
        i = j;
        continue;
      }
      case 34: { // "string"
        const close = closingQuote(text, i + 1);
        if (close > 0) {
          push(Str, i, close + 1);
          i = close + 1;
        } else {
          let j = i + 1;
          while (j < n && text.charCodeAt(j) !== 10) j++;
          push(Unterminated, i, j);
          i = j;
        }
        continue;
      }
      case 123:
        if (elementDepth > 0) elementDepth++;
        else if (runs && opensElements()) elementDepth = 1;
        push(LCurly, i, i + 1);
        i++;
        continue;
      case 125:
        if (elementDepth > 0) elementDepth--;
        push(RCurly, i, i + 1);
        i++;
        continue;
      case 40: push(LParen, i, i + 1); i++; continue;
      case 41: push(RParen, i, i + 1); i++; continue;
      case 59: push(Semi, i, i + 1); i++; continue;
      case 44: push(Comma, i, i + 1); i++; continue;
      case 38: push(Amp, i, i + 1); i++; continue;
      case 124: push(Pipe, i, i + 1); i++; continue;
      case 94: push(Caret, i, i + 1); i++; continue;
      case 43: push(Plus, i, i + 1); i++; continue;
      case 46: { // . alone joins a concatenation; before a letter or digit it starts a name to nft (`chain .x`)
        const j = isWordChar(text.charCodeAt(i + 1)) ? wordEnd(text, i + 1) : i + 1;
        if (j > i + 1) tokens.push({ image: text.slice(i, j), startOffset: i, startLine: line, startColumn: i - lineStart + 1, tokenTypeIdx: WordTok.tokenTypeIdx!, tokenType: WordTok });
        else push(Dot, i, i + 1);
        i = j;
        continue;
      }
      case 61: // = ==
        if (text.charCodeAt(i + 1) === 61) { push(EqEq, i, i + 2); i += 2; } else { push(Equals, i, i + 1); i++; }
        continue;
      case 33: // !=
        if (text.charCodeAt(i + 1) === 61) { push(NotEq, i, i + 2); i += 2; } else { push(Bang, i, i + 1); i++; }
        continue;
      case 60: { // < <= <<
        const d = text.charCodeAt(i + 1);
        if (d === 61) { push(Le, i, i + 2); i += 2; } else if (d === 60) { push(Shl, i, i + 2); i += 2; } else { push(Lt, i, i + 1); i++; }
        continue;
      }
      case 62: { // > >= >>
        const d = text.charCodeAt(i + 1);
        if (d === 61) { push(Ge, i, i + 2); i += 2; } else if (d === 62) { push(Shr, i, i + 2); i += 2; } else { push(Gt, i, i + 1); i++; }
        continue;
      }
      case 36: { // $variable
        const d = text.charCodeAt(i + 1);
        if ((d >= 65 && d <= 90) || (d >= 97 && d <= 122) || d === 95) {
          let j = i + 2;
          while (j < n && isIdentChar(text.charCodeAt(j))) j++;
          push(Variable, i, j);
          i = j;
        } else {
          push(Unexpected, i, i + 1);
          i++;
        }
        continue;
      }
      case 64: { // @set, @nh,16,8
        RAW.lastIndex = i;
        if (RAW.test(text)) {
          push(RawPayload, i, RAW.lastIndex);
          i = RAW.lastIndex;
          continue;
        }
        const d = text.charCodeAt(i + 1);
        const quoted = d === 34 ? closingQuote(text, i + 2) : -1;
        if (isIdentChar(d)) {
          let j = i + 2;
          for (;;) {
            const e = text.charCodeAt(j);
            if (j < n && (isIdentChar(e) || e === 46 || e === 45 || e === 47)) j++;
            else break;
          }
          push(SetRef, i, j);
          i = j;
        } else if (quoted > 0) {
          // @"name": nft refuses it (the parser says so), but it is read as the set it names
          push(SetRef, i, quoted + 1);
          i = quoted + 1;
        } else {
          push(Unexpected, i, i + 1);
          i++;
        }
        continue;
      }
      default: {
        if (elementDepth === 1 && atElementStart()) {
          const after = elementRun(i);
          if (after > i) {
            i = after;
            continue;
          }
        }
        const j = wordEnd(text, i);
        if (j > i) {
          const image = text.slice(i, j);
          const type = keywordType(image) ?? WordTok;
          tokens.push({ image, startOffset: i, startLine: line, startColumn: i - lineStart + 1, tokenTypeIdx: type.tokenTypeIdx!, tokenType: type });
          i = j;
          continue;
        }
        if (c === 58) {
          push(Colon, i, i + 1);
          i++;
          continue;
        }
        // Any other character: one token, reported by the parser where it stands.
        const wide = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
        push(Unexpected, i, i + wide);
        i += wide;
      }
    }
  }
  return { tokens, comments };
}
