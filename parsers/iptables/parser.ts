/**
 * Grammar of one iptables-save / iptables-restore line (chevrotain CST parser).
 *
 *   line        := tableLine | chainLine | commitLine | commandLine
 *   tableLine   := TableHeader (Word | Opt | Command | Bang)*
 *   chainLine   := ChainDecl (Word | Opt | Command | Bang)*   (policy and [p:b] checked by the visitor)
 *   commitLine  := Commit Word*
 *   commandLine := Counters? optionItem* Command Word* optionItem*
 *   optionItem  := Bang? Opt arg*
 *   arg         := Word | Bang Word                      (old negation: `-s ! 1.2.3.4`)
 *
 * What an option means (its argument count, the match module it belongs to) is decided later by
 * the mapper, which knows the loaded modules; the grammar only groups words after an option.
 */
import { CstParser, EOF, tokenMatcher, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import {
  allTokens,
  Bang,
  ChainDecl,
  Command,
  Commit,
  Counters,
  Opt,
  TableHeader,
  Unterminated,
  Word,
} from "./tokens.js";
import { LazyLookahead } from "../lookahead.js";

function describeType(t: TokenType): string {
  switch (t.name) {
    case "Word":
      return "a word";
    case "Opt":
    case "LongOpt":
    case "ShortOpt":
      return "an option";
    case "Command":
      return "a command (-A, -I, -N or -P)";
    case "Bang":
      return "'!'";
    case "Counters":
      return "counters [packets:bytes]";
    case "TableHeader":
      return "a table header (*filter)";
    case "ChainDecl":
      return "a chain declaration (:CHAIN POLICY [packets:bytes])";
    case "Commit":
      return "COMMIT";
    default:
      return t.name;
  }
}

export function describeToken(tok: IToken): string {
  if (tok.tokenType === EOF) return "end of line";
  if (tok.tokenType === Unterminated) return "an unterminated quoted string";
  return `'${tok.image}'`;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${describeType(expected)}, found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant, ruleName }) {
    if (ruleName === "line") return `unexpected ${describeToken(firstRedundant)}`;
    return `unexpected ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual, ruleName }) {
    const found = describeToken(actual[0]!);
    if (ruleName === "line") {
      return `expected a table header (*filter), a chain declaration (:CHAIN POLICY [packets:bytes]), COMMIT or a rule (-A CHAIN ...), found ${found}`;
    }
    if (ruleName === "arg") return `expected an argument, found ${found}`;
    return `unexpected ${found}`;
  },
  buildEarlyExitMessage({ actual }) {
    return `unexpected ${describeToken(actual[0]!)}`;
  },
};

export class IptablesLineParser extends CstParser {
  /**
   * `validate`: chevrotain's grammar checks (ambiguity, left recursion), which a test runs; the
   * parser the tool uses skips them and builds each lookahead at first use (CLI start-up).
   */
  constructor(options: { validate?: boolean } = {}) {
    super(allTokens, {
      recoveryEnabled: false,
      maxLookahead: 3,
      errorMessageProvider: messages,
      skipValidations: options.validate !== true,
      lookaheadStrategy: new LazyLookahead({ maxLookahead: 3 }),
    });
    this.performSelfAnalysis();
  }

  public line = this.RULE("line", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.tableLine) },
      { ALT: () => this.SUBRULE(this.chainLine) },
      { ALT: () => this.SUBRULE(this.commitLine) },
      { ALT: () => this.SUBRULE(this.commandLine) },
    ]);
  });

  /** The words after a table's name or a chain's policy, options and '!' too: iptables-restore ignores them (`*filter --mark`). */
  private anyWords(label: string): void {
    this.MANY(() =>
      this.OR([
        { ALT: () => this.CONSUME(Word, { LABEL: label }) },
        { ALT: () => this.CONSUME(Opt, { LABEL: label }) },
        { ALT: () => this.CONSUME(Command, { LABEL: label }) },
        { ALT: () => this.CONSUME(Bang, { LABEL: label }) },
      ]),
    );
  }

  public tableLine = this.RULE("tableLine", () => {
    this.CONSUME(TableHeader);
    this.anyWords("extra");
  });

  public chainLine = this.RULE("chainLine", () => {
    this.CONSUME(ChainDecl);
    this.anyWords("args");
  });

  public commitLine = this.RULE("commitLine", () => {
    this.CONSUME(Commit);
    this.MANY(() => this.CONSUME(Word, { LABEL: "extra" }));
  });

  public commandLine = this.RULE("commandLine", () => {
    this.OPTION(() => this.CONSUME(Counters));
    this.MANY(() => this.SUBRULE(this.optionItem, { LABEL: "before" }));
    this.CONSUME(Command);
    this.MANY2(() => this.CONSUME(Word, { LABEL: "positional" }));
    this.MANY3(() => this.SUBRULE2(this.optionItem, { LABEL: "options" }));
  });

  public optionItem = this.RULE("optionItem", () => {
    this.OPTION(() => this.CONSUME(Bang));
    this.CONSUME(Opt);
    // `!` belongs to this option only when a word follows it; `! --opt` starts the next option.
    this.MANY({
      GATE: () => tokenMatcher(this.LA(1), Word) || (tokenMatcher(this.LA(1), Bang) && tokenMatcher(this.LA(2), Word)),
      DEF: () => this.SUBRULE(this.arg),
    });
  });

  public arg = this.RULE("arg", () => {
    this.OR([
      { ALT: () => this.CONSUME(Word) },
      {
        ALT: () => {
          this.CONSUME(Bang);
          this.CONSUME2(Word);
        },
      },
    ]);
  });
}

/** One parser instance, reused for every line (chevrotain parsers are reusable by design). */
export const lineParser = new IptablesLineParser();
