/**
 * Tokens of one iptables-save / iptables-restore line.
 *
 * The lexer runs on a single line (the driver splits the file), so no token spans a line break.
 * Words follow iptables-restore's tokenizer: blanks separate words, a double-quoted part may hold
 * blanks, and inside quotes a backslash escapes the next character. Specific tokens (options,
 * commands, `!`, headers) only win when they are the whole word (`longer_alt`).
 *
 * All matchers are linear: custom matchers scan forward once, regexes have no nested quantifiers.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

function isBlank(c: number): boolean {
  return c === 32 || c === 9; // space, tab
}

/**
 * A word: a run of non-blank characters and complete quoted parts. Fails (returns null) when the
 * word would contain an unterminated quote, so that `Unterminated` takes over.
 */
function matchWord(text: string, offset: number): RegExpExecArray | null {
  let i = offset;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isBlank(c)) break;
    if (c === 34 /* " */) {
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 92 /* \ */) {
          j += 2;
          continue;
        }
        if (d === 34) {
          closed = true;
          break;
        }
        j++;
      }
      if (!closed) {
        if (i === offset) return null;
        break; // the word ends before the open quote
      }
      i = j + 1;
      continue;
    }
    i++;
  }
  if (i === offset) return null;
  const m = [text.slice(offset, i)] as unknown as RegExpExecArray;
  m.index = offset;
  return m;
}

/** A double quote that is never closed: the rest of the line. */
function matchUnterminated(text: string, offset: number): RegExpExecArray | null {
  if (text.charCodeAt(offset) !== 34) return null;
  const m = [text.slice(offset)] as unknown as RegExpExecArray;
  m.index = offset;
  return m;
}

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t]+/, group: Lexer.SKIPPED });

/**
 * Every UTF-16 code unit but blanks, as chevrotain's first-character optimisation sees them: each
 * code unit below 256 on its own, and one of each bucket of 255 above (chevrotain files a code
 * unit c >= 256 under bucket 255 + floor(c / 255), and a hint stands for its whole bucket). Listing
 * all 65,534 made the same table with 65,534 steps at every start-up.
 */
export const NON_BLANK: number[] = [];
for (let c = 0; c < 256; c++) if (c !== 32 && c !== 9) NON_BLANK.push(c);
for (let c = 256; c < 65536; c += 255) NON_BLANK.push(c);
NON_BLANK.push(65535);

export const Word = createToken({ name: "Word", pattern: { exec: matchWord }, line_breaks: false, start_chars_hint: NON_BLANK });
export const Unterminated = createToken({
  name: "Unterminated",
  pattern: { exec: matchUnterminated },
  line_breaks: false,
  start_chars_hint: ['"'],
});

/** Abstract: any option (`-s`, `--dport`). */
export const Opt = createToken({ name: "Opt", pattern: Lexer.NA });
/** Abstract: any command (`-A`, `-I`, `-N`, `-P`, ...). */
export const Command = createToken({ name: "Command", pattern: Lexer.NA });

export const Counters = createToken({ name: "Counters", pattern: /\[[0-9]+:[0-9]+\]/, longer_alt: Word, categories: [Word] });
export const TableHeader = createToken({ name: "TableHeader", pattern: /\*[^ \t"]*/, longer_alt: Word, categories: [Word] });
export const ChainDecl = createToken({ name: "ChainDecl", pattern: /:[^ \t"]+/, longer_alt: Word, categories: [Word] });
export const Commit = createToken({ name: "Commit", pattern: /COMMIT/, longer_alt: Word, categories: [Word] });
export const Bang = createToken({ name: "Bang", pattern: /!/, longer_alt: Word });

export const LongOpt = createToken({ name: "LongOpt", pattern: /--[A-Za-z0-9][A-Za-z0-9_-]*/, longer_alt: Word, categories: [Opt] });
export const ShortOpt = createToken({ name: "ShortOpt", pattern: /-[A-Za-z0-9]/, longer_alt: Word, categories: [Opt] });

export const Append = createToken({ name: "Append", pattern: /--append|-A/, longer_alt: [LongOpt, Word], categories: [Command] });
export const Insert = createToken({ name: "Insert", pattern: /--insert|-I/, longer_alt: [LongOpt, Word], categories: [Command] });
export const NewChain = createToken({ name: "NewChain", pattern: /--new-chain|--new|-N/, longer_alt: [LongOpt, Word], categories: [Command] });
export const Policy = createToken({ name: "Policy", pattern: /--policy|-P/, longer_alt: [LongOpt, Word], categories: [Command] });
export const OtherCommand = createToken({
  name: "OtherCommand",
  pattern: /--delete-chain|--delete|--replace|--flush|--zero|--rename-chain|--list-rules|--list|--check|-[DRFXZELSC]/,
  longer_alt: [LongOpt, Word],
  categories: [Command],
});

/** Lexer order: the first pattern that matches wins, then `longer_alt` may take over. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Counters,
  TableHeader,
  ChainDecl,
  Commit,
  Bang,
  Append,
  Insert,
  NewChain,
  Policy,
  OtherCommand,
  LongOpt,
  ShortOpt,
  Opt,
  Command,
  Word,
  Unterminated,
];

export const lineLexer = new Lexer(allTokens, {
  positionTracking: "full",
  ensureOptimizations: false,
  skipValidations: true,
});
