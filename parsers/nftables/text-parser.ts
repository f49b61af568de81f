/**
 * Grammar of nftables text (chevrotain, embedded actions): tokens -> syntax tree (ast.ts).
 *
 *   document   := topItem*
 *   topItem    := command | NL | ';'
 *   command    := infoVerb rest | verb? (tableCmd | chainCmd | ruleCmd | setCmd | elementCmd | rulesetCmd | objectCmd)
 *   tableCmd   := 'table' tableRef ('{' tableItem* '}')?
 *   tableItem  := chainDecl | setDecl | objectDecl | 'flags' ... | 'comment' STRING
 *   chainItem  := 'type' baseSpec | 'policy' VERDICT | 'devices' '=' ... | 'comment' STRING | rule
 *   rule       := stmt+
 *   stmt       := exprStmt | verdict | reject | nat | effect | meter | dup | synproxy | flow | setop | comment
 *   exprStmt   := concat ( 'vmap' mapTarget | 'set' rhs | relop rhs | rhs )
 *   concat     := binop ('.' binop)* ('map' mapTarget)?
 *   binop      := primary (('&'|'|'|'^'|'<<'|'>>') primary)*
 *   rhs        := concat (',' concat)* ('/' rhs)?
 *   setExpr    := '{' (element (',' element)*)? '}'      (newlines allowed inside)
 *   element    := concat option* (':' data option*)?
 *
 * Whether a keyword is an expression head or a value depends on its position (`meta l4proto tcp`
 * vs `tcp dport`): on the right-hand side a header keyword starts an expression only when a field
 * of that header follows. Values stay as written (vocabulary.ts splits ranges and prefixes).
 *
 * A rule's `comment "..."` is both a CommentStmt (in source order) and RuleNode.comment; `# handle N`
 * comments of `nft -a` output become RuleNode.handle.
 *
 * Speed (20k rules + 200k set elements must read in well under a second of the 3 s budget): the
 * parser is built on first use; the hottest alternations (statements, chain items, right-hand
 * sides, primaries, set elements) keep their alternatives in fields instead of allocating closures
 * per call, pass state through parser fields, and a one-word value takes a shortcut past the
 * expression rules.
 *
 * Errors: every rule/item is parsed under a guard; a recognition error becomes a diagnostic
 * `expected X [after 'Y'], found Z` and the parser re-synchronises at the end of the statement
 * (newline or ';' outside braces) or before the '}' that closes the enclosing block - or, when a
 * brace the mistake left open would swallow what follows, at the next line that starts a rule, a
 * chain, a set or a table, leaving the blocks that line is not part of unclosed (see resync).
 */
import {
  EmbeddedActionsParser,
  EOF,
  isRecognitionException,
  tokenMatcher,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from "chevrotain";
import type { Diagnostic, SourceSpan } from "../../src/model/types.js";
import type {
  BaseChainSpec,
  Command,
  EffectStmt,
  Expr,
  MatchOp,
  NftFamily,
  Priority,
  RuleNode,
  SetDefinition,
  SetElement,
  SetExpr,
  SetRefExpr,
  Stmt,
  TableRef,
  Verdict,
} from "./ast.js";
import { CHAIN_TYPES, HOOK_NAMES, NFT_FAMILIES, noneOfMatch, TABLE_FLAGS } from "./ast.js";
import { exprText } from "./expr-text.js";
import { NFT_KEYWORDS } from "./keywords.js";
import { LazyLookahead } from "../lookahead.js";
import { describeToken, type SourcedToken } from "./preprocess.js";
import { assignedObject, declaredObject } from "./objects.js";
import { NFT_NUMBER, nftInteger, nftNumber, REJECT_CODES } from "./datatypes.js";
import { limitRate, logConflict, objectBodyMisfit, OPTION_GRAMMAR, ONE_VALUE_OPTIONS, strayOption, NFT_STRING, nftTime, scannedAsNumber } from "./option-grammar.js";
import type { ElementRunToken } from "./scan.js";
import {
  AddKw, allTokens, Amp, Bang, Caret, ChainKw, Colon, Comma, CommentKw, CtKw, DeleteKw, DevicesKw, Dot, DupKw, EffectKw, ElementRun, ElementsKw,
  EqEq, Equals, ExprHead, FibKw, FlagsKw, FlowKw, Ge, Gt, InfoVerbKw, JumpKw, LCurly, Le, LParen, Lt, MapKw, MetaBareHead, MetaKw,
  MeterKw, NatKw, Newline, NotBrace, NotEq, OpaqueHead, PayloadHead, Pipe, Plain, Plus, PolicyKw, QueueKw, RawPayload, RCurly,
  RejectKw, RelWordKw, RParen, Semi, SetKw, SetRef, Shl, Shr, SimpleVerdict, Str, SynproxyKw, Unterminated, TableKw, TypeKw, TypeofKw,
  UpdateKw, VerbKw, VmapKw, Word, WordTok,
} from "./tokens.js";
import {
  CT_KEYS, EFFECT_OPTIONS, isBitmaskSet, listDefineError, negationRefusal, ELEMENT_NON_STATEMENTS, ELEMENT_OPTIONS, ELEMENT_STATEMENTS, FIB_FLAGS, FIB_RESULTS, FILTERING_EFFECTS, META_KEYS, NAT_FLAGS, PAYLOAD_FIELDS,
  PAYLOAD_SUBOBJECT, REL_WORDS, ROUTING_HEADER_FIELDS, RT_KEYS, SET_OPTIONS, SUBOBJECT_FIELDS, SUBOBJECT_NAMES, TUNNEL_HEADERS, valueOf,
} from "./vocabulary.js";
import { nameTable } from "../../src/model/name-table.js";

/** A check of the grammar's own (a word that must be `hook`, a value where a verdict stands...). */
class Fail extends Error {
  constructor(message: string, readonly token: IToken) {
    super(message);
  }
}

/**
 * Operators one expression may chain (`a | b | c ...`). Each makes a level of the syntax tree, which
 * the mapper walks recursively; real rulesets chain a handful (TCP flags: eight).
 */
const MAX_OPERATORS = 256;

function checkOperators(count: number, op: IToken): void {
  if (count > MAX_OPERATORS) throw new Fail(`expected at most ${MAX_OPERATORS} operators ('&', '|', '^', '<<', '>>') in one expression, found more`, op);
}

const FAMILIES: ReadonlySet<string> = new Set(NFT_FAMILIES);
/** Blocks that hold items, outermost first: error recovery may leave inner ones unclosed. */
type BlockLevel = "document" | "table" | "chain" | "set";
const BLOCK_RANK: Record<BlockLevel, number> = nameTable({ document: 0, table: 1, chain: 2, set: 2 });
const BLOCK_NAMES: Record<BlockLevel, string> = nameTable({ document: "file", table: "table", chain: "chain", set: "set declaration" });
/** An item of block `item` may start inside a `level` block: it is that block or encloses it. */
const fits = (item: BlockLevel, level: BlockLevel): boolean => item === level || BLOCK_RANK[item] < BLOCK_RANK[level];
/** What may follow a command verb (`add table`, `delete rule`, ...). */
const COMMAND_OBJECTS: ReadonlySet<string> = new Set(["table", "chain", "rule", "set", "map", "element", "ruleset", "flowtable", "counter", "quota", "limit", "ct", "secmark", "synproxy"]);
/** `mark and 0xff xor 0x1`: the word spellings of the bit operators. */
const BINOP_WORDS: Readonly<Record<string, "&" | "|" | "^" | "<<" | ">>">> = nameTable({ and: "&", or: "|", xor: "^", lshift: "<<", rshift: ">>" });
/** nft's limit on table, chain, set and object names (NFT_NAME_MAXLEN - 1). */
const MAX_NAME = 255;
/** What nft's scanner reads as one bare word (its `string`): a name needing anything else cannot be written. */
const BARE_NAME = /^[A-Za-z_.][A-Za-z0-9_./-]*$/;
/** Statement options that take a value. */
const OPTIONS_WITH_VALUE: Readonly<Record<string, ReadonlySet<string>>> = nameTable({
  log: new Set(["prefix", "level", "group", "snaplen", "queue-threshold", "flags"]),
  counter: new Set(["packets", "bytes", "name"]),
  limit: new Set(["rate", "name"]),
});
const NUMERIC_OPTIONS: ReadonlySet<string> = new Set(["counter packets", "counter bytes", "log group", "log snaplen", "log queue-threshold"]);

/**
 * A name nft's scanner reads as one string, where it does not start with a digit (scannedAsNumber
 * tells those): an identifier - a letter, '_' or '.', then letters, digits, '/', '-', '_', '.' -
 * or an IPv6 or MAC address. Anything else (`/`, `a+b`, `ssh@lan`) is a syntax error there.
 */
function scannedAsName(word: string): boolean {
  // (a ':' alone is the colon, no address; a '.' alone the dot of a concatenation)
  return (NFT_STRING.test(word) && word !== ".") || (word.includes(":") && word !== ":" && /^[0-9a-fA-F:.]+$/.test(word));
}


/** A set's flags (nft 1.0.6: "expecting constant or interval or dynamic or timeout"). */
const SET_FLAGS: ReadonlySet<string> = new Set(["constant", "interval", "dynamic", "timeout"]);
/** What a set property's value must look like, where nft's grammar fixes it. */
const SET_OPTION_VALUES: Readonly<Record<string, { test: (value: string) => boolean; what: string }>> = nameTable({
  size: { test: (v) => NFT_NUMBER.test(v), what: "a number (the most elements the set holds)" },
  policy: { test: (v) => v === "performance" || v === "memory", what: "'performance' or 'memory'" },
  timeout: { test: nftTime, what: "a time (1h30m, 500ms, 1d)" },
  "gc-interval": { test: nftTime, what: "a time (1m, 30s)" },
});
/** A set's properties read as an element's options are (the statements every element gets, and its comment). */
const SET_STATEFUL_PROPERTIES: ReadonlySet<string> = new Set([...ELEMENT_STATEMENTS, "comment"]);
const LOG_LEVELS: ReadonlySet<string> = new Set(["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit"]);
/** An anonymous set being read: its elements, whether a ',' must come next, and a list define written into it. */
interface SetFrame {
  elements: SetElement[];
  needComma: boolean;
  listDefine?: string;
}

/** What exprStmt's alternatives see while chevrotain records the grammar (their actions do not run). */
const RECORDING_FRAME = { first: undefined as unknown as IToken, from: 0, left: undefined as unknown as Expr };
const DUP_LIKE: ReadonlySet<string> = new Set(["dup", "fwd", "tproxy"]);
const OBJECTS: ReadonlySet<string> = new Set(["flowtable", "counter", "quota", "limit", "ct", "secmark", "synproxy", "tunnel"]);
/** What `ct` declares as an object. */
const CT_OBJECTS: ReadonlySet<string> = new Set(["helper", "timeout", "expectation"]);

const TYPE_NAMES: Readonly<Record<string, string>> = nameTable({
  Word: "a name or value",
  WordTok: "a name or value",
  Str: "a quoted string",
  LCurly: "'{'",
  RCurly: "'}'",
  LParen: "'('",
  RParen: "')'",
  Semi: "';'",
  Colon: "':'",
  Equals: "'='",
  Comma: "','",
  Dot: "'.'",
  SetRef: "a set reference (@name)",
  Newline: "end of line",
  SimpleVerdict: "a verdict",
});

function typeName(t: TokenType): string {
  return TYPE_NAMES[t.name] ?? `'${t.name}'`;
}

function after(previous: IToken | undefined): string {
  if (previous === undefined || previous.tokenType === EOF || previous.tokenType === Newline || previous.tokenType === Semi) return "";
  if (previous.tokenType === LCurly || previous.tokenType === RCurly) return "";
  return ` after '${previous.image}'`;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous }) {
    return `expected ${typeName(expected)}${after(previous)}, found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual, previous, customUserDescription, ruleName }) {
    return `expected ${customUserDescription ?? ruleName}${after(previous)}, found ${describeToken(actual[0])}`;
  },
  buildEarlyExitMessage({ actual, previous, customUserDescription, ruleName }) {
    return `expected ${customUserDescription ?? ruleName}${after(previous)}, found ${describeToken(actual[0])}`;
  },
};

/** A '/' where a value stands (`meta mark set /`): nft's scanner reads it as a prefix's or mask's slash ("syntax error, unexpected /"). */
function refuseLoneSlash(t: IToken): void {
  if (t.image === "/") throw new Fail("expected a value, found '/' (a prefix or mask is written after its value: 10.0.0.0/8, syn / syn,ack)", t);
}

/** The expression a chain of bit operations starts from (`ct mark` of `ct mark & 0xff | 1`). */
function leftmost(e: Expr): Expr {
  return e.kind === "binop" ? leftmost(e.left) : e;
}

/** Keywords that begin an action statement and so can never be a value. */
function isActionKeyword(t: IToken): boolean {
  return (
    tokenMatcher(t, SimpleVerdict) || tokenMatcher(t, JumpKw) || tokenMatcher(t, QueueKw) || tokenMatcher(t, RejectKw) ||
    tokenMatcher(t, EffectKw) || tokenMatcher(t, MeterKw) || tokenMatcher(t, DupKw) ||
    tokenMatcher(t, SynproxyKw) || tokenMatcher(t, FlowKw) || tokenMatcher(t, CommentKw)
  );
}

/** `t` (followed by `next`) begins a statement. */
function isStmtStart(t: IToken, next?: IToken): boolean {
  if (tokenMatcher(t, ExprHead) || isActionKeyword(t) || tokenMatcher(t, NatKw)) return true;
  return next?.tokenType === SetRef && (tokenMatcher(t, AddKw) || tokenMatcher(t, UpdateKw) || tokenMatcher(t, DeleteKw));
}

/** After a one-token right-hand side: the end of the rule or a keyword that starts the next statement. */
function simpleFollow(t: IToken): boolean {
  const tt = t.tokenType;
  if (tt === EOF || tt === Newline || tt === Semi || tt === RCurly) return true;
  if (tt === WordTok || tt === MapKw || tt === VmapKw || tt === RelWordKw) return false;
  return tokenMatcher(t, Word) && BINOP_WORDS[t.image] === undefined;
}

function isEnd(t: IToken): boolean {
  return t.tokenType === EOF || t.tokenType === Newline || t.tokenType === Semi || t.tokenType === RCurly;
}

interface OpaqueSpec {
  familyFirst?: boolean;
  familyAfter?: boolean;
  expr?: boolean;
  main: boolean;
  pre?: ReadonlySet<string>;
  post?: ReadonlySet<string>;
  fields?: ReadonlySet<string>;
}
const words = (s: string): ReadonlySet<string> => new Set(s.split(" "));
const OPAQUE: Readonly<Record<string, OpaqueSpec>> = nameTable({
  rt: { familyFirst: true, main: true },
  rt0: { main: true },
  rt2: { main: true },
  rt4: { main: true },
  exthdr: { main: true, fields: words("nexthdr hdrlength type seg-left reserved id frag-off more-fragments") },
  frag: { main: true },
  hbh: { main: true },
  dst: { main: true },
  mh: { main: true },
  srh: { main: true },
  osf: { main: true, pre: words("ttl") },
  socket: { main: true, post: words("level") },
  numgen: { main: true, post: words("mod offset") },
  jhash: { expr: true, main: false, post: words("mod seed offset") },
  symhash: { main: false, post: words("mod offset") },
  ipsec: { main: true, pre: words(""), post: words("spnum"), familyAfter: true, fields: words("reqid spi saddr daddr") },
  tunnel: { main: true },
});

/**
 * What nft refuses in `ipsec (in|out) [spnum N] [ip|ip6] (reqid|spi|saddr|daddr)` (its grammar,
 * and the kernel's "Numerical result out of range" for a policy number past its 6 levels):
 * `words` are the tokens after 'ipsec', `next` the one after them.
 */
function ipsecMisfit(words: readonly IToken[], next: IToken): { message: string; at: IToken } | undefined {
  const [dir] = words;
  if (dir !== undefined && dir.image !== "in" && dir.image !== "out") return { message: `expected 'in' or 'out' after 'ipsec', found ${describeToken(dir)}`, at: dir };
  let i = 1;
  if (words[i]?.image === "spnum") {
    const n = words[i + 1]!;
    const v = nftInteger(n.image);
    if (v === undefined) return { message: `expected a number after 'spnum', found ${describeToken(n)}`, at: n };
    if (v > 5n) return { message: `spnum ${n.image} is past the kernel's 6 levels of policy (0-5): nft's rule is refused ("Numerical result out of range")`, at: n };
    i += 2;
  }
  const family = words[i]?.image === "ip" || words[i]?.image === "ip6";
  if (family) i++;
  const field = words[i];
  const fields = family ? "'saddr' or 'daddr'" : "'reqid', 'spi', 'ip' or 'ip6'";
  if (field === undefined) return { message: `expected ${fields} after '${words[i - 1]!.image}', found ${describeToken(next)}`, at: next };
  if (family !== (field.image === "saddr" || field.image === "daddr")) return { message: `expected ${fields} after '${words[i - 1]!.image}', found ${describeToken(field)}`, at: field };
  return undefined;
}

/** `osf [ttl loose|skip] name|version` (nft: "invalid ttl option"): `words` are the tokens after 'osf'. */
function osfMisfit(words: readonly IToken[]): { message: string; at: IToken } | undefined {
  const ttl = words[0]?.image === "ttl" ? words[1]! : undefined;
  if (ttl && ttl.image !== "loose" && ttl.image !== "skip") return { message: `expected 'loose' or 'skip' after 'osf ttl', found ${describeToken(ttl)}`, at: ttl };
  const what = words[ttl ? 2 : 0];
  if (what && what.image !== "name" && what.image !== "version") return { message: `expected 'name' or 'version' after '${ttl ? `osf ttl ${ttl.image}` : "osf"}', found ${describeToken(what)}`, at: what };
  return undefined;
}

/**
 * `rt [ip|ip6] classid|nexthop|mtu|ipsec`, or the routing header's `rt nexthdr|hdrlength|type|seg-left`
 * (nft: "syntax error, unexpected arp"): `words` are the tokens after 'rt'.
 */
function rtMisfit(words: readonly IToken[]): { message: string; at: IToken } | undefined {
  const family = words[0]?.image === "ip" || words[0]?.image === "ip6" ? words[0] : undefined;
  const key = words[family ? 1 : 0];
  const known = family ? [...RT_KEYS] : [...RT_KEYS, ...ROUTING_HEADER_FIELDS];
  if (!key || known.includes(key.image)) return undefined;
  const list = known.map((k) => `'${k}'`);
  return { message: `expected ${list.slice(0, -1).join(", ")} or ${list.at(-1)} after '${family ? `rt ${family.image}` : "rt"}', found ${describeToken(key)}`, at: key };
}

/** The opaque expressions whose words nft's grammar fixes further than OPAQUE says, and what it refuses in them. */
const OPAQUE_MISFITS: Readonly<Record<string, (words: readonly IToken[], next: IToken) => { message: string; at: IToken } | undefined>> = nameTable({ ipsec: ipsecMisfit, osf: osfMisfit, rt: rtMisfit });

export interface ParseContext {
  file: string;
  lines: Map<string, string[]>;
  handles: Map<string, Map<number, number>>;
}

/** An element starting at `first` where the set needs a comma first is an error there. */
function needNoComma(frame: { needComma: boolean }, first: IToken): void {
  if (frame.needComma) throw new Fail(`expected ',' or '}' between set elements, found ${describeToken(first)}`, first);
}

export class NftTextParser extends EmbeddedActionsParser {
  private ctx: ParseContext = { file: "", lines: new Map(), handles: new Map() };
  private diags: Diagnostic[] = [];
  private commands: Command[] = [];
  /** `devices = {...}` read before the chain's `type ... hook ...` line. */
  private pendingDevices = new WeakMap<Command, string[]>();
  private effectName = "";
  /** The blocks being read, innermost last (see resync). */
  private blocks: BlockLevel[] = [];
  /** Set by resync: blocks are left, unclosed, until this one's item loop (see inBlock). */
  private unwind: BlockLevel | undefined;

  constructor() {
    super(allTokens, { recoveryEnabled: false, maxLookahead: 1, errorMessageProvider: messages, skipValidations: true, lookaheadStrategy: new LazyLookahead({ maxLookahead: 1 }) });
    this.performSelfAnalysis();
  }

  /** Parses preprocessed tokens; never throws for bad input. */
  parseTokens(tokens: IToken[], ctx: ParseContext): { commands: Command[]; diagnostics: Diagnostic[] } {
    this.ctx = ctx;
    this.diags = [];
    this.commands = [];
    this.input = tokens;
    this.setFrames = [];
    this.exprFrames = [];
    this.curChain = undefined;
    this.blocks = [];
    this.unwind = undefined;
    this.document();
    for (const e of this.errors) this.report(e.message, e.token);
    this.errors = [];
    const out = { commands: this.commands, diagnostics: this.diags };
    this.commands = [];
    this.diags = [];
    this.input = [];
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Helpers (not grammar)

  private get pos(): number {
    return (this as unknown as { currIdx: number }).currIdx + 1;
  }

  private set pos(next: number) {
    (this as unknown as { currIdx: number }).currIdx = next - 1;
  }

  private tokensAt(): IToken[] {
    return (this as unknown as { tokVector: IToken[] }).tokVector;
  }

  private span(t: IToken): SourceSpan {
    const file = (t as SourcedToken).file ?? this.ctx.file;
    let text = this.ctx.lines.get(file)?.[t.startLine! - 1] ?? "";
    if (text.endsWith("\r")) text = text.slice(0, -1);
    return { file, line: t.startLine!, column: t.startColumn!, text };
  }

  /**
   * A name that nft reads as a keyword (NFT_KEYWORDS), or as a number (`65536`, `1abc`:
   * scannedAsNumber): nft refuses the file.
   */
  private refuseKeyword(t: IToken, what: string): void {
    const fix = what === "a comment" ? "quote it" : "rename it";
    if (NFT_KEYWORDS.has(t.image)) this.report(`'${t.image}' is an nft keyword: nft cannot read it as ${what} (the file does not load); ${fix}`, t);
    else if (scannedAsNumber(t.image)) this.report(`'${t.image}' cannot be ${what}: nft reads it as a number, and takes only a name there (the file does not load); ${fix}`, t);
    else if (!/^[\d$@]/.test(t.image) && !scannedAsName(t.image)) {
      this.report(`'${t.image}' cannot be ${what}: nft reads a name as a letter, '_' or '.' followed by letters, digits, '/', '-', '_' and '.' (the file does not load); ${fix}`, t);
    }
  }

  /**
   * A table, chain, set or map name written as a quoted string: nft reads only a bare word there
   * (its grammar's identifier), so it refuses the file. The name is still read, unquoted, so the
   * rest of the file is analysed as it was meant.
   */
  private refuseQuoted(t: IToken, name: string, what: string): void {
    const fix = BARE_NAME.test(name) && !NFT_KEYWORDS.has(name) ? `write ${name} without the quotes` : `rename it to a word of letters, digits and _ - . /`;
    this.report(`${what} cannot be a quoted string: nft reads only a bare word there (the file does not load); ${fix}`, t);
  }

  /** The set a set reference token (`@name`, or the refused `@"name"`) names. */
  private setRefName(t: IToken, what = "a set name"): string {
    if (t.image.charCodeAt(1) !== 34) return t.image.slice(1);
    const name = t.image.slice(2, -1);
    this.refuseQuoted(t, name, what);
    return name;
  }

  private report(message: string, t: IToken | undefined, severity: Diagnostic["severity"] = "error"): void {
    let at = t;
    if (at === undefined || at.tokenType === EOF || Number.isNaN(at.startLine)) {
      const toks = this.tokensAt();
      at = toks[toks.length - 1];
    }
    const file = at ? ((at as SourcedToken).file ?? this.ctx.file) : this.ctx.file;
    this.diags.push({ severity, message, file, line: at?.startLine ?? 1, column: at?.startColumn ?? 1 });
    if (severity === "error") this.errorsReported++;
  }

  /** Images of the tokens from index `from` to the last consumed one, joined as nft prints them. */
  private textFrom(from: number): string {
    const toks = this.tokensAt();
    let s = "";
    for (let i = from; i < this.pos; i++) {
      const t = toks[i]!;
      if (t.tokenType === Newline) continue;
      const glue = t.tokenType === Comma || t.tokenType === Semi || s === "" || s.endsWith(",") ? "" : " ";
      s += glue + t.image;
    }
    return s;
  }

  private fail(what: string): never {
    throw new Fail(`expected ${what}${after(this.LA(0))}, found ${describeToken(this.LA(1))}`, this.LA(1));
  }

  /** Consumes a token of `type`, with `what` as the description when something else stands there. */
  private need(idx: number, type: TokenType, what: string): IToken {
    this.ACTION(() => {
      if (!tokenMatcher(this.LA(1), type)) this.fail(what);
    });
    return this.consume(idx, type);
  }

  /** Consumes a word that must be one of `images`. */
  private needWord(idx: number, images: ReadonlySet<string> | string, what: string): IToken {
    this.ACTION(() => {
      const t = this.LA(1);
      const ok = tokenMatcher(t, Word) && (typeof images === "string" ? t.image === images : images.has(t.image));
      if (!ok) this.fail(what);
    });
    return this.consume(idx, Word);
  }

  /**
   * Runs one item of a block; on a syntax error reports it and re-synchronises (see resync), so one
   * mistake costs the item it is in, not the rest of the file.
   */
  /** Runs `fn`, an item of a block; a recognition error in it is reported and read past (see resync). True when it read without one. */
  private guarded(fn: () => void): boolean {
    if (this.RECORDING_PHASE) {
      fn();
      return true;
    }
    const start = this.pos;
    const depth = this.blocks.length;
    try {
      fn();
      return true;
    } catch (e) {
      let message: string;
      let at: IToken;
      if (e instanceof Fail) {
        message = e.message;
        at = e.token;
      } else if (isRecognitionException(e as Error)) {
        const r = e as Error & { token: IToken };
        message = r.message;
        at = r.token;
        this.errors = [];
      } else throw e;
      // Blocks the failed item opened are left (their closing braces were not read).
      this.blocks.length = depth;
      const level = this.blocks[depth - 1] ?? "document";
      if (this.resync(start, at, level)) {
        // The item begins one of an enclosing block (`chain x {` in a set): this block lacks its '}'.
        const first = this.tokensAt()[start]!;
        this.report(`expected '}' closing the ${BLOCK_NAMES[level]}, found '${first.image}'`, first);
      } else this.report(message, at);
      return false;
    }
  }

  /**
   * nft ends each command and each item of a table, chain, set or anonymous chain - a rule, a
   * chain's `type ... hook ...` or `policy`, a nested chain or set block, a set's `type` or
   * `flags` - with a newline or ';' (its grammar's stmt_separator), before a closing '}' too:
   * `chain c { accept }` and `table t { chain c { ... } }` on one line are syntax errors ("syntax
   * error, unexpected '}', expecting newline or semicolon"), and nft loads none of the file. The
   * item read from token `start` on (without error) must be followed by one, or by the end of the input.
   */
  private separated(start: number): void {
    const t = this.LA(1);
    if (t.tokenType === Newline || t.tokenType === Semi || t.tokenType === EOF) return;
    const first = this.tokensAt()[start];
    if (first === undefined || first.tokenType === Newline || first.tokenType === Semi) return;
    const item = this.textFrom(start);
    const shown = item.length > 40 ? `${item.slice(0, 37)}...` : item;
    this.report(`expected a newline or ';' after '${shown}', found ${describeToken(t)}: nft ends each command, rule and block item with one, also before a closing '}' ("syntax error, unexpected ${t.tokenType === RCurly ? "'}'" : t.image}, expecting newline or semicolon")`, t);
  }

  /** An item of a block, read guarded and then checked for its separator (see separated). */
  private item(read: () => void, separator: (first: IToken) => boolean = () => true): void {
    const start = this.pos;
    const first = this.LA(1);
    const errors = this.errorsReported;
    // (an item with an error of its own - a block left without its '}' - is told by that error)
    if (this.guarded(read)) this.ACTION(() => separator(first) && this.errorsReported === errors && this.separated(start));
  }

  /** Errors reported so far (see item). */
  private errorsReported = 0;

  /**
   * Where reading goes on after an error in the item that started at `start`: the end of the
   * statement (a newline or ';' outside the braces the item opened), or before the '}' closing the
   * enclosing block. But braces left open by the mistake (`tcp dport { 22, 25 accept`, an
   * `elements = { ...` never closed) would swallow the rest of the file: so a line that starts an
   * item of this block or of an enclosing one (a rule, `type ... hook`, `chain x {`, `set x {`,
   * `table ...`) ends the skip there, and when it belongs to an enclosing block, the blocks in
   * between end unclosed (unwind; their missing '}' is not reported again). True when the failed
   * item itself is such a line: the error is then the block's missing '}'. `level`: the innermost
   * block the item is in.
   */
  private resync(start: number, errorToken: IToken | undefined, level: BlockLevel): boolean {
    const toks = this.tokensAt();
    // The parser may have read past the token it failed on (a balanced skip): go back to it.
    let i = this.pos;
    const at = errorToken === undefined ? -1 : toks.indexOf(errorToken, start);
    if (at >= start && at < i) i = at;
    // The line the error is on, when it began after the item did, may itself start an item.
    let line = i;
    while (line > start && toks[line - 1]!.tokenType !== Newline) line--;
    const first = this.syncLevel(line);
    if (first !== undefined && fits(first, level) && (line > start || first !== level)) {
      this.resumeAt(line, first, level);
      return line === start;
    }
    let depth = 0;
    for (let k = start; k < i && k < toks.length; k++) {
      const tt = toks[k]!.tokenType;
      if (tt === LCurly) depth++;
      else if (tt === RCurly && depth > 0) depth--;
    }
    for (; i < toks.length; i++) {
      const tt = toks[i]!.tokenType;
      if (tt === EOF) break;
      if (tt === LCurly) depth++;
      else if (tt === RCurly) {
        if (depth === 0) break;
        depth--;
      } else if (tt === Newline || tt === Semi) {
        if (depth === 0) {
          i++;
          break;
        }
        const next = tt === Newline ? this.syncLevel(i + 1) : undefined;
        if (next !== undefined && fits(next, level)) {
          this.resumeAt(i + 1, next, level);
          return false;
        }
      }
    }
    this.pos = i;
    return false;
  }

  private resumeAt(i: number, itemLevel: BlockLevel, level: BlockLevel): void {
    this.pos = i;
    if (itemLevel !== level) this.unwind = itemLevel;
  }

  /** The block whose item the line starting at token `i` begins, if it clearly begins one. */
  private syncLevel(i: number): BlockLevel | undefined {
    const toks = this.tokensAt();
    const t = toks[i];
    if (t === undefined) return undefined;
    const n = toks[i + 1];
    const tt = t.tokenType;
    if (tt === TableKw) return "document";
    if (tokenMatcher(t, VerbKw) && n !== undefined && COMMAND_OBJECTS.has(n.image)) return "document";
    const named = n !== undefined && (tokenMatcher(n, Word) || n.tokenType === Str);
    const after = toks[i + 2]?.tokenType;
    if (tt === ChainKw && named && (after === LCurly || after === Newline || after === Semi)) return "table";
    if ((tt === SetKw || tt === MapKw) && named && after === LCurly) return "table";
    if (tt === TypeKw && named && toks[i + 2]?.image === "hook") return "chain";
    if (tt === PolicyKw) return "chain";
    // A rule: a statement keyword not followed by what only a set element has after it.
    if (n === undefined || n.tokenType === Comma || n.tokenType === Colon || n.tokenType === Dot || n.tokenType === RCurly) return undefined;
    if (isActionKeyword(t) || tokenMatcher(t, NatKw)) return "chain";
    if (tokenMatcher(t, ExprHead) && tokenMatcher(n, Word)) return "chain";
    return undefined;
  }

  /** Whether the item loop of a `level` block goes on: not while unwinding to an enclosing block. */
  private inBlock(level: BlockLevel): boolean {
    if (this.unwind === undefined) return true;
    if (this.unwind !== level) return false;
    this.unwind = undefined;
    return true;
  }

  /** Reads the '}' closing a block, unless the block is being unwound (its error is reported). */
  private close(idx: number, what: string): void {
    if (!this.RECORDING_PHASE && this.unwind !== undefined) return;
    this.need(idx, RCurly, what);
  }

  private rawPayload(t: IToken): Expr {
    const len = Number(t.image.split(",")[2]);
    if (len === 0 || len > 128) this.report(`a raw payload expression reads 1 to 128 bits, found ${len} in '${t.image}'`, t);
    return { kind: "opaque", name: "payload", text: t.image, span: this.span(t) };
  }

  private checkShift(op: IToken, right: Expr): void {
    const shift = op.tokenType === Shl || op.tokenType === Shr || op.image === "lshift" || op.image === "rshift";
    if (shift && right.kind === "value" && /^\d+$/.test(right.text) && Number(right.text) > 128) {
      this.report(`a shift by ${right.text} bits: nft shifts by at most 128`, op);
    }
  }

  private tokenAtSpan(span: SourceSpan): IToken {
    return { image: "", startLine: span.line, startColumn: span.column, tokenType: Word, file: span.file === this.ctx.file ? undefined : span.file } as unknown as IToken;
  }

  private atBinop(): boolean {
    const t = this.LA(1).tokenType;
    return t === Amp || t === Pipe || t === Caret || t === Shl || t === Shr || (t === WordTok && BINOP_WORDS[this.LA(1).image] !== undefined);
  }

  private emit(c: Command): void {
    this.commands.push(c);
  }

  private familyOf(t: IToken | undefined): NftFamily {
    if (t === undefined) return "ip";
    return t.image as NftFamily;
  }

  // -------------------------------------------------------------------------------------------
  // Document and commands

  public document = this.RULE("document", () => {
    this.MANY({
      // Unwinding ends here whatever block it was for: the item is read as a command.
      GATE: () => ((this.unwind = undefined), true),
      // (a stray brace is reported where it is)
      DEF: () => this.item(() => this.SUBRULE(this.topItem), (first) => first.tokenType !== RCurly && first.tokenType !== LCurly),
    });
  });

  private topItem = this.RULE("topItem", () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.CONSUME(Newline) },
        { ALT: () => this.CONSUME(Semi) },
        { ALT: () => this.SUBRULE(this.command) },
        {
          ALT: () => {
            const t = this.CONSUME(RCurly);
            this.ACTION(() => this.report("unexpected '}': no block is open here", t));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(LCurly);
            this.SUBRULE(this.balanced);
            this.OPTION(() => this.CONSUME2(RCurly));
            this.ACTION(() => this.report("unexpected '{': expected a command", t));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(Plain);
            this.ACTION(() => {
              throw new Fail(`expected a command (table, chain, add, insert, delete, flush, define, include...), found ${describeToken(t)}`, t);
            });
          },
        },
      ],
    });
  });

  private command = this.RULE("command", () => {
    this.OR([
      {
        ALT: () => {
          const v = this.CONSUME(InfoVerbKw);
          this.SUBRULE(this.restOfStatement);
          this.ACTION(() => this.emit({ object: "other", what: this.textFrom(this.tokensAt().indexOf(v)), span: this.span(v) }));
        },
      },
      {
        ALT: () => {
          let verb: IToken | undefined;
          this.OPTION(() => {
            verb = this.CONSUME(VerbKw);
          });
          this.OR2({
            IGNORE_AMBIGUITIES: true,
            ERR_MSG: "an object (table, chain, rule, set, map, element, ruleset, flowtable, counter, ...)",
            DEF: [
              { ALT: () => this.SUBRULE(this.tableCmd, { ARGS: [verb] }) },
              { ALT: () => this.SUBRULE(this.chainCmd, { ARGS: [verb] }) },
              { ALT: () => this.SUBRULE(this.setCmd, { ARGS: [verb] }) },
              { GATE: () => this.LA(1).image === "rule", ALT: () => this.SUBRULE(this.ruleCmd, { ARGS: [verb] }) },
              { GATE: () => this.LA(1).image === "element", ALT: () => this.SUBRULE(this.elementCmd, { ARGS: [verb] }) },
              { GATE: () => this.LA(1).image === "ruleset", ALT: () => this.SUBRULE(this.rulesetCmd, { ARGS: [verb] }) },
              { GATE: () => OBJECTS.has(this.LA(1).image), ALT: () => this.SUBRULE(this.objectCmd, { ARGS: [verb] }) },
            ],
          });
        },
      },
    ]);
  });

  /** The verb as an op, checked against what the object accepts. */
  private opOf<T extends string>(verb: IToken | undefined, allowed: readonly T[], object: string): T {
    const v = (verb?.image ?? "add") as T;
    if (!allowed.includes(v)) {
      this.report(`'${verb!.image} ${object}' is not an nftables command (expected ${allowed.join(", ")})`, verb);
      return allowed[0]!;
    }
    return v;
  }

  private tableRef = this.RULE("tableRef", (): TableRef => {
    let fam: IToken | undefined;
    this.OPTION({
      GATE: () => FAMILIES.has(this.LA(1).image) && (tokenMatcher(this.LA(2), Word) || this.LA(2).tokenType === Str),
      DEF: () => {
        fam = this.CONSUME(Word);
      },
    });
    const name = this.SUBRULE(this.name, { ARGS: ["a table name"] });
    return this.ACTION(() => ({ family: this.familyOf(fam), name }));
  });

  private tableCmd = this.RULE("tableCmd", (verb?: IToken) => {
    const kw = this.CONSUME(TableKw);
    const ref = this.SUBRULE(this.tableRef);
    let cmd: Extract<Command, { object: "table" }> | undefined;
    this.ACTION(() => {
      const op = this.opOf(verb, ["add", "create", "delete", "destroy", "flush"] as const, "table");
      cmd = { object: "table", op, table: ref, span: this.span(verb ?? kw) };
      this.emit(cmd);
    });
    this.OPTION(() => {
      this.CONSUME(LCurly);
      this.ACTION(() => {
        this.blocks.push("table");
        this.objectsAt = this.commands.length;
      });
      this.MANY({ GATE: () => this.inBlock("table"), DEF: () => this.item(() => this.SUBRULE(this.tableItem, { ARGS: [ref, cmd] })) });
      this.close(2, "'}' closing the table");
      this.ACTION(() => {
        this.blocks.pop();
        this.objectsAt = undefined;
      });
    });
  });

  /**
   * Where the table block being read puts its sets, maps and named objects among the commands:
   * before its chains and rules, wherever the block declares them - nft creates them first, so
   * the block's rules may name one declared below them (a later block or command may not).
   */
  private objectsAt: number | undefined;

  /** A set, map or named object declared in a table block (see objectsAt), or by a command. */
  private emitDeclaration(c: Command): void {
    if (this.objectsAt === undefined) this.emit(c);
    else this.commands.splice(this.objectsAt++, 0, c);
  }

  private tableItem = this.RULE("tableItem", (ref?: TableRef, cmd?: Extract<Command, { object: "table" }>) => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.CONSUME(Newline) },
        { ALT: () => this.CONSUME(Semi) },
        { ALT: () => this.SUBRULE(this.chainDecl, { ARGS: [ref] }) },
        { ALT: () => this.SUBRULE(this.setDecl, { ARGS: [ref] }) },
        {
          ALT: () => {
            this.CONSUME(FlagsKw);
            const flags = [this.need(1, Word, "a table flag (dormant, owner, persist)")];
            this.MANY(() => {
              this.CONSUME(Comma);
              flags.push(this.need(2, Word, "a table flag"));
            });
            this.ACTION(() => {
              for (const f of flags) if (!TABLE_FLAGS.has(f.image)) this.report(`expected a table flag (${[...TABLE_FLAGS].join(", ")}), found '${f.image}' (nft: "unknown table option")`, f);
              // `flags dormant`, `flags owner, persist`: a dormant table's chains do not run.
              if (cmd) cmd.flags = flags.map((f) => f.image);
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(CommentKw);
            this.SUBRULE(this.commentText);
          },
        },
        { GATE: () => OBJECTS.has(this.LA(1).image), ALT: () => this.SUBRULE(this.objectDecl, { ARGS: [ref] }) },
        {
          ALT: () => {
            const t = this.CONSUME(Plain);
            this.ACTION(() => {
              throw new Fail(`expected a chain, set, map, flowtable or object declaration, found ${describeToken(t)}`, t);
            });
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(LCurly);
            this.ACTION(() => {
              throw new Fail("expected a chain, set, map, flowtable or object declaration, found '{'", t);
            });
          },
        },
      ],
    });
  });

  private chainDecl = this.RULE("chainDecl", (ref?: TableRef) => {
    const kw = this.CONSUME(ChainKw);
    const name = this.SUBRULE(this.name, { ARGS: ["a chain name"] });
    let cmd: Command | undefined;
    this.ACTION(() => {
      cmd = { object: "chain", op: "add", table: ref!, chain: name, span: this.span(kw) };
      this.emit(cmd);
    });
    // (inside a table block a chain has a body: `chain c;` is refused, as `add chain t c` is not)
    this.ACTION(() => {
      if (!tokenMatcher(this.LA(1), LCurly)) this.fail("'{' opening the chain");
    });
    this.SUBRULE(this.chainBody, { ARGS: [cmd] });
  });

  private chainCmd = this.RULE("chainCmd", (verb?: IToken) => {
    const kw = this.CONSUME(ChainKw);
    const ref = this.SUBRULE(this.tableRef);
    const name = this.SUBRULE(this.name, { ARGS: ["a chain name"] });
    let cmd: Command | undefined;
    this.ACTION(() => {
      const op = this.opOf(verb, ["add", "create", "delete", "destroy", "flush"] as const, "chain");
      cmd = { object: "chain", op, table: ref, chain: name, span: this.span(verb ?? kw) };
      this.emit(cmd);
    });
    this.OPTION(() => this.SUBRULE(this.chainBody, { ARGS: [cmd] }));
    // `delete chain inet t c handle 5` names the chain twice; the handle adds nothing.
    this.OPTION2({ GATE: () => this.LA(1).image === "handle", DEF: () => this.SUBRULE(this.restOfStatement) });
  });

  /**
   * A table, chain, set or device name: a word, or a quoted string - which nft takes for a device
   * (`quotedOk`) and refuses for the others (refuseQuoted: they are still read).
   */
  private name = this.RULE("name", (what?: string, quotedOk?: boolean): string => {
    let t: IToken | undefined;
    this.ACTION(() => {
      if (!tokenMatcher(this.LA(1), Word) && this.LA(1).tokenType !== Str) this.fail(what ?? "a name");
    });
    this.OR([{ ALT: () => (t = this.CONSUME(Word)) }, { ALT: () => (t = this.CONSUME(Str)) }]);
    return this.ACTION(() => {
      const v = t!.tokenType === Str ? t!.image.slice(1, -1) : t!.image;
      if (v.length > MAX_NAME) this.report(`${what ?? "a name"} is longer than ${MAX_NAME} characters`, t);
      if (v.length === 0) this.report(`${what ?? "a name"} is empty`, t);
      if (t!.tokenType !== Str) this.refuseKeyword(t!, what ?? "a name");
      else if (!quotedOk && v.length > 0) this.refuseQuoted(t!, v, what ?? "a name");
      return v;
    });
  });

  /** A comment's text: a quoted string, or one word as nft takes it too (`comment ssh`, not a keyword or number). */
  private commentText = this.RULE("commentText", (): IToken => {
    this.ACTION(() => {
      if (!tokenMatcher(this.LA(1), Str) && !tokenMatcher(this.LA(1), Word)) this.fail("a quoted comment");
    });
    const t = this.OR([{ ALT: () => this.CONSUME(Str) }, { ALT: () => this.CONSUME(Word) }]);
    this.ACTION(() => {
      if (t.tokenType !== Str) this.refuseKeyword(t, "a comment");
    });
    return t;
  });

  private chainBody = this.RULE("chainBody", (cmd?: Command) => {
    this.CONSUME(LCurly);
    this.ACTION(() => (this.curChain = cmd));
    this.ACTION(() => this.blocks.push("chain"));
    this.MANY({ GATE: () => this.inBlock("chain"), DEF: () => this.item(() => this.SUBRULE(this.chainItem)) });
    this.close(1, "'}' closing the chain");
    this.ACTION(() => this.blocks.pop());
    // (a policy in a chain with no 'type ... hook ...' here may be a base chain's declared before: the mapper tells)
  });

  /** The chain whose body is being read (chains do not nest). */
  private curChain: Command | undefined;

  private chainItem = this.RULE("chainItem", () => {
    this.OR(this.chainItemOr);
  });

  private readonly chainItemOr = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
        { ALT: () => this.CONSUME(Newline) },
        { ALT: () => this.CONSUME(Semi) },
        {
          ALT: () => {
            const cmd = this.curChain;
            const spec = this.SUBRULE(this.baseSpec);
            this.ACTION(() => {
              if (cmd?.object !== "chain") return;
              const pending = this.pendingDevices.get(cmd);
              if (pending && !spec.devices) spec.devices = pending;
              cmd.base = spec;
            });
          },
        },
        {
          ALT: () => {
            const cmd = this.curChain;
            const kw = this.CONSUME(PolicyKw);
            const v = this.need(1, Word, "'accept' or 'drop'");
            this.ACTION(() => {
              if (cmd?.object !== "chain") return;
              if (cmd.policy) this.report(`chain ${cmd.chain}: a second 'policy' in one block (nft: "you cannot set chain policy twice")`, kw);
              if (v.image === "accept" || v.image === "drop") {
                cmd.policy = { verdict: v.image, span: this.span(kw) };
                return;
              }
              // Kept as invalid rather than dropped: a chain without a policy would accept.
              this.report(`expected 'accept' or 'drop' after 'policy', found '${v.image}'`, v);
              cmd.policy = { verdict: "invalid", text: v.image, span: this.span(kw) };
            });
          },
        },
        {
          ALT: () => {
            const cmd = this.curChain;
            const devs = this.SUBRULE(this.devicesSpec);
            this.ACTION(() => {
              if (cmd?.object !== "chain") return;
              // `devices = { ... }` on a line of its own: it belongs to the base chain spec, before or after it.
              if (cmd.base) cmd.base.devices = devs;
              else this.pendingDevices.set(cmd, devs);
            });
          },
        },
        {
          GATE: () => (tokenMatcher(this.LA(2), Str) || tokenMatcher(this.LA(2), Word)) && isEnd(this.LA(3)),
          ALT: () => {
            const cmd = this.curChain;
            this.CONSUME(CommentKw);
            this.SUBRULE(this.commentText);
          },
        },
        {
          ALT: () => {
            // a chain's one flag: `flags offload` (nft: "expecting offload")
            this.CONSUME(FlagsKw);
            this.needWord(2, "offload", "'offload'");
          },
        },
        {
          ALT: () => {
            const cmd = this.curChain;
            const rule = this.SUBRULE(this.rule);
            this.ACTION(() => {
              if (cmd?.object === "chain") this.emit({ object: "rule", op: "add", table: cmd.table, chain: cmd.chain, rule, span: rule.span });
            });
          },
        },
        {
          ALT: () => {
            const cmd = this.curChain;
            const t = this.CONSUME(Plain);
            this.ACTION(() => {
              throw new Fail(`expected a rule, 'type ... hook ... priority ...' or 'policy', found ${describeToken(t)}`, t);
            });
          },
        },
        {
          ALT: () => {
            const cmd = this.curChain;
            const t = this.CONSUME(LCurly);
            this.ACTION(() => {
              throw new Fail("expected a rule, found '{'", t);
            });
          },
        },
      ],
  };


  private devicesSpec = this.RULE("devicesSpec", (): string[] => {
    this.CONSUME(DevicesKw);
    this.need(1, Equals, "'='");
    const out: string[] = [];
    this.OR([
      {
        ALT: () => {
          const s = this.SUBRULE(this.setExpr);
          this.ACTION(() => {
            for (const e of s.elements) {
              // (a device is a name: nft's grammar takes no set reference, range or other expression there)
              if (e.key.kind === "value") out.push(e.key.text);
              else this.report(`expected a device name in 'devices = { ... }', found '${exprText(e.key)}'`, this.tokenAtSpan(e.span));
            }
          });
        },
      },
      { ALT: () => out.push(this.SUBRULE(this.name, { ARGS: ["a device name", true] })) },
    ]);
    return out;
  });

  private baseSpec = this.RULE("baseSpec", (): BaseChainSpec => {
    const kw = this.CONSUME(TypeKw);
    const type = this.need(1, Word, "a chain type (filter, nat, route)");
    this.needWord(2, "hook", "'hook'");
    const hook = this.need(3, Word, "a hook name (prerouting, input, forward, output, postrouting, ingress, egress)");
    const devices: string[] = [];
    this.OPTION({
      GATE: () => this.LA(1).image === "device",
      DEF: () => {
        this.CONSUME4(Word);
        devices.push(this.SUBRULE(this.name, { ARGS: ["a device name", true] }));
      },
    });
    this.OPTION2(() => {
      const list = this.SUBRULE(this.devicesSpec);
      this.ACTION(() => devices.push(...list));
    });
    let priority: Priority | undefined;
    this.OPTION3({
      GATE: () => this.LA(1).image === "priority",
      DEF: () => {
        priority = this.SUBRULE(this.priority);
      },
    });
    return this.ACTION(() => {
      const spec: BaseChainSpec = {
        type: type.image,
        hook: hook.image,
        priority: priority ?? { base: 0, offset: 0, span: this.span(kw) },
        span: this.span(kw),
      };
      if (priority === undefined) this.report(`expected 'priority' in the base chain declaration, found ${describeToken(this.LA(1))}`, this.LA(1));
      if (!CHAIN_TYPES.has(type.image)) this.report(`expected a chain type (filter, nat, route), found '${type.image}'`, type);
      if (!HOOK_NAMES.has(hook.image)) this.report(`expected a hook (prerouting, input, forward, output, postrouting, ingress, egress), found '${hook.image}'`, hook);
      if (devices.length > 0) spec.devices = devices;
      return spec;
    });
  });

  private priority = this.RULE("priority", (): Priority => {
    const kw = this.CONSUME(Word);
    const base = this.need(1, Word, "a priority (a number or raw, mangle, dstnat, filter, security, srcnat, out)");
    let sign = 1;
    let off: IToken | undefined;
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(Plus);
            off = this.need(2, Word, "a number");
          },
        },
        {
          GATE: () => this.LA(1).image === "-",
          ALT: () => {
            this.CONSUME3(Word);
            sign = -1;
            off = this.need(4, Word, "a number");
          },
        },
        {
          GATE: () => /^[+-]\d+$/.test(this.LA(1).image),
          ALT: () => {
            off = this.CONSUME5(Word);
          },
        },
      ]);
    });
    return this.ACTION(() => {
      let b = base.image;
      let offset = 0;
      const glued = /^([a-z]+)([+-]\d+)$/.exec(b);
      if (glued) {
        b = glued[1]!;
        offset = Number(glued[2]);
      }
      if (off !== undefined) {
        const n = Number(off.image);
        if (!Number.isInteger(n)) this.report(`expected a number as priority offset, found '${off.image}'`, off);
        else offset = sign * n;
      }
      const num = Number(b);
      const isNum = /^-?\d+$/.test(b) && Number.isSafeInteger(num);
      if (!isNum && !/^[a-z]+$/.test(b)) this.report(`expected a priority (a number or a name like filter), found '${base.image}'`, base);
      return { base: isNum ? num : b, offset, span: this.span(kw) };
    });
  });

  private ruleCmd = this.RULE("ruleCmd", (verb?: IToken) => {
    const kw = this.CONSUME(Word);
    const ref = this.SUBRULE(this.tableRef);
    const chain = this.SUBRULE(this.name, { ARGS: ["a chain name"] });
    let where: { key: string; value: number } | undefined;
    this.OPTION({
      GATE: () => ["position", "handle", "index"].includes(this.LA(1).image),
      DEF: () => {
        const k = this.CONSUME2(Word);
        const v = this.need(3, Word, "a number");
        this.ACTION(() => {
          const n = Number(v.image);
          if (!Number.isInteger(n) || n < 0) this.report(`expected a number after '${k.image}', found '${v.image}'`, v);
          where = { key: k.image, value: n };
        });
      },
    });
    let rule: RuleNode | undefined;
    this.OPTION2(() => {
      rule = this.SUBRULE(this.rule);
    });
    this.ACTION(() => {
      const op = this.opOf(verb, ["add", "insert", "replace", "delete", "destroy"] as const, "rule");
      const c: Extract<Command, { object: "rule" }> = { object: "rule", op, table: ref, chain, span: this.span(verb ?? kw) };
      if (where?.key === "index") c.index = where.value;
      else if (where) c.handle = where.value;
      if (rule) c.rule = rule;
      if ((op === "add" || op === "insert" || op === "replace") && !rule) {
        this.report(`expected the rule's statements after '${verb?.image ?? "add"} rule ${ref.family} ${ref.name} ${chain}', found ${describeToken(this.LA(1))}`, this.LA(1));
      }
      if ((op === "delete" || op === "replace") && c.handle === undefined) {
        this.report(`'${op} rule' needs 'handle N'`, verb ?? kw);
      }
      this.emit(c);
    });
  });

  private setCmd = this.RULE("setCmd", (verb?: IToken) => {
    let kw: IToken | undefined;
    this.OR([{ ALT: () => (kw = this.CONSUME(SetKw)) }, { ALT: () => (kw = this.CONSUME(MapKw)) }]);
    const ref = this.SUBRULE(this.tableRef);
    const name = this.SUBRULE(this.name, { ARGS: [`a ${kw?.image ?? "set"} name`] });
    let def: SetDefinition | undefined;
    this.ACTION(() => {
      def = { kind: kw!.image as "set" | "map", name, keyType: [], flags: [], elements: [], options: {}, span: this.span(kw!) };
    });
    this.OPTION(() => this.SUBRULE(this.setBody, { ARGS: [def] }));
    this.OPTION2({ GATE: () => this.LA(1).image === "handle", DEF: () => this.SUBRULE(this.restOfStatement) });
    this.ACTION(() => {
      const op = this.opOf(verb, ["add", "create", "delete", "destroy", "flush"] as const, kw!.image);
      const c: Extract<Command, { object: "set" }> = { object: "set", op, table: ref, name, span: this.span(verb ?? kw!) };
      if (op === "add" || op === "create") c.definition = def!;
      this.emit(c);
    });
  });

  private setDecl = this.RULE("setDecl", (ref?: TableRef) => {
    let kw: IToken | undefined;
    this.OR([{ ALT: () => (kw = this.CONSUME(SetKw)) }, { ALT: () => (kw = this.CONSUME(MapKw)) }]);
    const name = this.SUBRULE(this.name, { ARGS: [`a ${kw?.image ?? "set"} name`] });
    let def: SetDefinition | undefined;
    this.ACTION(() => {
      def = { kind: kw!.image as "set" | "map", name, keyType: [], flags: [], elements: [], options: {}, span: this.span(kw!) };
    });
    this.SUBRULE(this.setBody, { ARGS: [def] });
    this.ACTION(() => this.emitDeclaration({ object: "set", op: "add", table: ref!, name, definition: def!, span: this.span(kw!) }));
  });

  private setBody = this.RULE("setBody", (def?: SetDefinition) => {
    this.need(1, LCurly, "'{' opening the set declaration");
    this.ACTION(() => this.blocks.push("set"));
    // (`elements = { ... }` and `auto-merge` need no separator)
    this.MANY({ GATE: () => this.inBlock("set"), DEF: () => this.item(() => this.SUBRULE(this.setItem, { ARGS: [def] }), (first) => first.image !== "elements" && first.image !== "auto-merge") });
    this.close(2, "'}' closing the set declaration");
    this.ACTION(() => this.blocks.pop());
    this.ACTION(() => {
      if (def && def.keyType.length === 0 && def.keyTypeof === undefined) {
        this.report(`set '${def.name}' has no 'type' or 'typeof'`, this.LA(0));
      }
    });
  });

  /** `ipv4_addr . inet_service`: the type names' tokens (their text and where each stands). */
  private typeList = this.RULE("typeList", (): IToken[] => {
    const out: IToken[] = [this.need(1, Word, "a data type (ipv4_addr, inet_service, ...)")];
    this.MANY(() => {
      this.CONSUME(Dot);
      out.push(this.need(2, Word, "a data type"));
    });
    return out;
  });

  private setItem = this.RULE("setItem", (def?: SetDefinition) => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.CONSUME(Newline) },
        { ALT: () => this.CONSUME(Semi) },
        {
          ALT: () => {
            this.CONSUME(TypeKw);
            const key = this.SUBRULE(this.typeList);
            let data: IToken[] | undefined;
            this.OPTION(() => {
              const colon = this.CONSUME(Colon);
              this.ACTION(() => this.setHasNoData(def!, colon));
              this.OPTION2({ GATE: () => this.LA(1).image === "interval", DEF: () => this.CONSUME(Word) });
              data = this.SUBRULE2(this.typeList);
            });
            this.ACTION(() => {
              def!.keyType = key.map((t) => t.image);
              def!.typeSpans = [...key, ...(data ?? [])].map((t) => this.span(t));
              if (data) def!.dataType = data.map((t) => t.image);
              if (def!.kind === "map" && !data) this.report(`expected ':' and the data type of map '${def!.name}', found ${describeToken(this.LA(1))}`, this.LA(1));
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(TypeofKw);
            const key = this.SUBRULE(this.concatExpr, { ARGS: [true] });
            let data: Expr | undefined;
            this.OPTION3(() => {
              const colon = this.CONSUME2(Colon);
              this.ACTION(() => this.setHasNoData(def!, colon));
              this.OPTION4({ GATE: () => this.LA(1).image === "interval", DEF: () => this.CONSUME2(Word) });
              data = this.SUBRULE(this.typeofData);
            });
            this.ACTION(() => {
              this.typeofExpressions(key);
              if (def!.kind === "map" && !data) throw new Fail(`expected ':' and the data of map '${def!.name}' ('typeof ... : meta mark', ': verdict'), found ${describeToken(this.LA(1))}`, this.LA(1));
              def!.keyTypeof = key.kind === "concat" ? key.parts : [key];
              if (data) def!.dataTypeof = data.kind === "concat" ? data.parts : [data];
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(FlagsKw);
            const first = this.need(1, Word, "a set flag (constant, interval, timeout, dynamic)");
            const flags = [first];
            this.MANY(() => {
              this.CONSUME(Comma);
              flags.push(this.need(2, Word, "a set flag"));
            });
            this.ACTION(() => {
              const bad = flags.find((f) => !SET_FLAGS.has(f.image));
              if (bad) throw new Fail(`expected a set flag (${[...SET_FLAGS].join(", ")}), found '${bad.image}'`, bad);
              def!.flags.push(...flags.map((f) => f.image));
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(ElementsKw);
            this.need(3, Equals, "'='");
            const s = this.SUBRULE(this.setExpr);
            this.ACTION(() => {
              // (`elements = { $P }` with `define P = 22,80`: one value of bits, unless the type is a bitmask)
              const types = def!.keyTypeof ? def!.keyTypeof.map(exprText) : def!.keyType;
              if (s.listDefine !== undefined && types.length > 0 && !isBitmaskSet(def!)) this.report(listDefineError(s.listDefine, `set ${def!.name} of ${types.join(" . ")}`), this.tokenAtSpan(s.span));
              for (const e of s.elements) {
                if (def!.kind === "map" && e.data === undefined) this.report("a map element needs data: expected 'key : value'", this.tokenAtSpan(e.span));
                def!.elements.push(e);
              }
            });
          },
        },
        {
          // `counter`, `quota 500 bytes`, `limit rate 1/second counter`, `comment "x"`: the
          // statements every element gets, and the comment, read as an element's are
          GATE: () => SET_STATEFUL_PROPERTIES.has(this.LA(1).image),
          ALT: () => {
            this.AT_LEAST_ONE({
              GATE: () => SET_STATEFUL_PROPERTIES.has(this.LA(1).image),
              DEF: () => {
                const o = this.SUBRULE(this.elementOption, { ARGS: ["the end of the line"] });
                this.ACTION(() => (def!.options[o[0]] = o[1]));
              },
            });
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(Word);
            const from = this.pos;
            this.SUBRULE(this.restOfStatement);
            this.ACTION(() => {
              if (!SET_OPTIONS.has(t.image)) {
                throw new Fail(`expected a set property (type, typeof, flags, elements, timeout, size, policy, counter, comment...), found '${t.image}'`, t);
              }
              // (nft: "syntax error, unexpected auto-merge" in a map)
              if (def!.kind === "map" && t.image === "auto-merge") throw new Fail(`'auto-merge' is a property of sets, not of map ${def!.name}`, t);
              const value = this.textFrom(from);
              const check = SET_OPTION_VALUES[t.image];
              if (check && !check.test(value)) throw new Fail(`expected ${check.what} after '${t.image}', found ${value === "" ? describeToken(this.LA(1)) : `'${value}'`}`, this.tokensAt()[from] ?? this.LA(1));
              def!.options[t.image] = value;
            });
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(Plain);
            this.ACTION(() => {
              throw new Fail(`expected a set property (type, typeof, flags, elements, ...), found ${describeToken(t)}`, t);
            });
          },
        },
      ],
    });
  });

  /** A ':' in a set's `type` or `typeof`: only a map has data (nft: "syntax error, unexpected colon"). */
  private setHasNoData(def: SetDefinition, colon: IToken): void {
    if (def.kind === "set") throw new Fail(`expected the end of set '${def.name}'s type, found ':': data after the key belongs to a map ('map ${def.name} { type ... : ... }')`, colon);
  }

  /** Map data in `typeof`: an expression, or a data kind (`verdict`, `queue`, `limit`, `counter`, `quota`). */
  private typeofData = this.RULE("typeofData", (): Expr => {
    return this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => isActionKeyword(this.LA(1)),
          ALT: () => {
            const t = this.CONSUME(Word);
            return this.ACTION(() => ({ kind: "value" as const, text: t.image, span: this.span(t) }));
          },
        },
        {
          ALT: () => {
            const data = this.SUBRULE(this.concatExpr, { ARGS: [true] });
            this.ACTION(() => {
              if (!(data.kind === "value" && data.text === "verdict")) this.typeofExpressions(data);
            });
            return data;
          },
        },
      ],
    });
  });

  /**
   * A `typeof` key or data is made of expressions (`typeof ip saddr . tcp dport : meta mark`): a
   * constant there names no type (nft: "can not use variable sized data types (invalid) in concat
   * expressions", or a syntax error). (Data that is a verdict or an object - `: verdict`, `: limit`
   * - is read before this.)
   */
  private typeofExpressions(e: Expr): void {
    for (const part of e.kind === "concat" ? e.parts : [e]) {
      if (part.kind === "value" || part.kind === "range" || part.kind === "prefix" || part.kind === "set" || part.kind === "list") {
        throw new Fail(`expected an expression (ip saddr, tcp dport, meta mark ...) in a 'typeof', found ${part.kind === "value" ? `'${part.text}'` : "a constant"}: a set's type is named by what it is looked up with`, this.tokenAtSpan(part.span));
      }
    }
  }

  private elementCmd = this.RULE("elementCmd", (verb?: IToken) => {
    const kw = this.CONSUME(Word);
    const ref = this.SUBRULE(this.tableRef);
    const set = this.SUBRULE(this.name, { ARGS: ["a set name"] });
    const s = this.SUBRULE(this.setExpr);
    this.ACTION(() => {
      const op = this.opOf(verb, ["add", "create", "delete", "destroy"] as const, "element");
      this.emit({ object: "element", op, table: ref, set, elements: s.elements, span: this.span(verb ?? kw) });
    });
  });

  private rulesetCmd = this.RULE("rulesetCmd", (verb?: IToken) => {
    const kw = this.CONSUME(Word);
    let fam: IToken | undefined;
    this.OPTION({ GATE: () => FAMILIES.has(this.LA(1).image), DEF: () => (fam = this.CONSUME2(Word)) });
    this.ACTION(() => {
      if (verb?.image !== "flush") {
        this.report(`expected 'flush' before 'ruleset', found ${describeToken(verb ?? kw)}`, verb ?? kw);
        return;
      }
      const c: Extract<Command, { object: "ruleset" }> = { object: "ruleset", op: "flush", span: this.span(verb) };
      if (fam) c.family = this.familyOf(fam);
      this.emit(c);
    });
  });

  private objectCmd = this.RULE("objectCmd", (verb?: IToken) => {
    const kw = this.CONSUME(Word);
    const from = this.pos;
    this.SUBRULE(this.restOfStatement);
    this.ACTION(() => {
      const start = this.tokensAt().indexOf(verb ?? kw);
      // `add counter inet t c { ... }`, `delete ct helper ip t h`: the object's type, table and name
      const words = this.tokensAt().slice(from, this.pos).filter((t) => t.tokenType !== Newline).map((t) => t.image);
      const type = kw.image === "ct" && words[0] !== undefined ? `ct ${words.shift()}` : kw.image;
      const family = words[0] !== undefined && FAMILIES.has(words[0]) ? words.shift()! : "ip";
      const op = verb?.image ?? "add";
      const obj = words.length >= 2 && words[1] !== "handle" ? declaredObject([...type.split(" "), words[1]!]) : undefined;
      if (obj && words[0] !== "{" && (op === "add" || op === "create" || op === "delete" || op === "destroy")) {
        this.emit({ object: "obj", op, table: { family: family as NftFamily, name: words[0]! }, type: obj.type, name: obj.name, span: this.span(verb ?? kw) });
        return;
      }
      this.emit({ object: "other", what: this.textFrom(start), span: this.span(verb ?? kw) });
    });
  });

  private objectDecl = this.RULE("objectDecl", (ref?: TableRef) => {
    const kw = this.CONSUME(Word);
    const from = this.pos - 1;
    this.MANY(() => this.CONSUME(Plain));
    this.need(1, LCurly, `'{' opening the ${kw.image} declaration`);
    const bodyFrom = this.pos;
    this.SUBRULE(this.balanced);
    const bodyTo = this.pos;
    this.need(2, RCurly, `'}' closing the ${kw.image} declaration`);
    this.ACTION(() => {
      const heads = this.tokensAt().slice(from, bodyFrom - 1);
      const named = heads[heads.length - 1]!;
      const ct = kw.image === "ct";
      if (ct && !CT_OBJECTS.has(heads[1]?.image ?? "")) throw new Fail(`expected 'helper', 'timeout' or 'expectation' after 'ct', found ${describeToken(heads[1] ?? this.tokensAt()[bodyFrom - 1]!)}`, heads[1] ?? this.tokensAt()[bodyFrom - 1]!);
      if (heads.length < (ct ? 3 : 2)) throw new Fail(`expected a name for the ${heads.map((t) => t.image).join(" ")}, found '{'`, this.tokensAt()[bodyFrom - 1]!);
      const what = `a ${heads.slice(0, -1).map((t) => t.image).join(" ")} name`;
      if (named.tokenType === Str) this.refuseQuoted(named, named.image.slice(1, -1), what);
      else this.refuseKeyword(named, what);
      const obj = declaredObject(heads.map((t) => t.image));
      const misfit = obj ? objectBodyMisfit(obj.type, ref!.family, this.tokensAt().slice(bodyFrom, bodyTo), this.tokensAt()[bodyTo] ?? this.LA(0), kw) : undefined;
      if (misfit) this.report(misfit.message, misfit.at);
      if (obj) {
        this.emitDeclaration({ object: "obj", op: "add", table: ref!, type: obj.type, name: obj.name, span: this.span(kw) });
        return;
      }
      const head = heads.map((t) => t.image).join(" ");
      const body = this.tokensAt().slice(bodyFrom, bodyTo).filter((t) => t.tokenType !== Newline).map((t) => t.image).join(" ");
      this.emit({ object: "other", what: `${head} in table ${ref!.family} ${ref!.name} { ${body} }`, span: this.span(kw) });
    });
  });

  /** The rest of a statement: everything up to a newline or ';' outside braces. */
  private restOfStatement = this.RULE("restOfStatement", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(Plain) },
        {
          ALT: () => {
            this.CONSUME(LCurly);
            this.SUBRULE(this.balanced);
            this.need(1, RCurly, "'}'");
          },
        },
      ]);
    });
  });

  /** Anything with balanced braces (newlines included). */
  private balanced = this.RULE("balanced", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(NotBrace) },
        {
          ALT: () => {
            this.CONSUME(LCurly);
            this.SUBRULE(this.balanced);
            this.need(1, RCurly, "'}'");
          },
        },
      ]);
    });
  });

  // -------------------------------------------------------------------------------------------
  // Rules and statements

  private rule = this.RULE("rule", (): RuleNode => {
    const first = this.LA(1);
    const stmts: Stmt[] = [];
    const starts: IToken[] = [];
    this.AT_LEAST_ONE({
      DEF: () => {
        const at = this.LA(1);
        const s = this.SUBRULE(this.stmt);
        this.ACTION(() => {
          stmts.push(s);
          starts.push(at);
        });
      },
      ERR_MSG: "a statement",
    });
    return this.ACTION(() => {
      const next = this.LA(1);
      if (!isEnd(next)) {
        throw new Fail(`expected a statement or the end of the rule${after(this.LA(0))}, found ${describeToken(next)}`, next);
      }
      // a rule's comment ends it: nft reads nothing after it (`tcp dport 22 comment "ssh" accept`)
      const c = stmts.findIndex((x) => x.kind === "comment");
      if (c !== -1 && c < stmts.length - 1) {
        const t = starts[c + 1]!;
        this.report(`'${t.image}' after the rule's comment: nft reads the comment as the end of the rule ("syntax error, unexpected ${t.image}"), so the file does not load; move the comment to the end`, t);
      }
      const span = this.span(first);
      const node: RuleNode = { stmts, span };
      for (const s of stmts) if (s.kind === "comment") node.comment = s.text;
      const last = this.LA(0);
      const h = this.ctx.handles.get((last as SourcedToken).file ?? this.ctx.file)?.get(last.startLine!);
      if (h !== undefined) node.handle = h;
      return node;
    });
  });

  private stmt = this.RULE("stmt", (): Stmt => {
    return this.OR({ IGNORE_AMBIGUITIES: true, ERR_MSG: "a statement", DEF: this.stmtAlts });
  });

  private readonly stmtAlts = [
        { ALT: () => this.SUBRULE(this.exprStmt) },
        { ALT: () => this.SUBRULE(this.verdictStmt) },
        { ALT: () => this.SUBRULE(this.rejectStmt) },
        { ALT: () => this.SUBRULE(this.natStmt) },
        { ALT: () => this.SUBRULE(this.effectStmt) },
        { ALT: () => this.SUBRULE(this.meterStmt) },
        { ALT: () => this.SUBRULE(this.flowStmt) },
        // (no GATEs in this hot alternation: the first token decides)
        { ALT: () => this.SUBRULE(this.setopStmt) },
        {
          // `reset tcp option fastopen`
          ALT: () => {
            const kw = this.CONSUME(InfoVerbKw);
            const from = this.pos - 1;
            this.SUBRULE(this.lhsExpr);
            return this.ACTION(() => ({ kind: "effect" as const, name: "reset", text: this.textFrom(from), filters: false, span: this.span(kw) }));
          },
        },
        { ALT: () => this.SUBRULE(this.oldSetStmt) },
        {
          ALT: () => {
            const kw = this.CONSUME(CommentKw);
            const s = this.SUBRULE(this.commentText);
            return this.ACTION(() => ({ kind: "comment" as const, text: s.tokenType === Str ? s.image.slice(1, -1) : s.image, span: this.span(kw) }));
          },
        },
      ];


  /** The statement being read by exprStmt: its first token, start index and left-hand side. */
  private exprFrames: { first: IToken; from: number; left: Expr }[] = [];

  private exprStmt = this.RULE("exprStmt", (): Stmt => {
    const first = this.LA(1);
    const from = this.pos;
    const left = this.SUBRULE(this.lhsExpr);
    this.ACTION(() => this.exprFrames.push({ first, from, left }));
    const stmt = this.OR(this.exprStmtOr);
    this.ACTION(() => this.exprFrames.pop());
    return stmt;
  });

  private readonly exprStmtOr = {
    IGNORE_AMBIGUITIES: true,
    ERR_MSG: "a value, a comparison, 'vmap' or 'set'",
    DEF: [
        {
          ALT: () => {
            const { first, from, left } = this.exprFrames[this.exprFrames.length - 1] ?? RECORDING_FRAME;
            this.CONSUME(VmapKw);
            const map = this.SUBRULE(this.mapTarget);
            return this.ACTION(() => ({ kind: "vmap" as const, key: left, map, span: this.span(first) }));
          },
        },
        {
          ALT: () => {
            const { first, from, left } = this.exprFrames[this.exprFrames.length - 1] ?? RECORDING_FRAME;
            const set = this.CONSUME(SetKw);
            this.ACTION(() => {
              // (`ct mark & 0xff set 1`: nft writes a field whole, the bits are computed on the right)
              if (left.kind === "binop" || left.kind === "concat") throw new Fail(`expected a comparison or a value after '${exprText(left)}', found 'set': only a field itself is set ('${exprText(left.kind === "binop" ? leftmost(left) : left.parts[0]!)} set ...'), with any bits computed on the right`, set);
            });
            const value = this.SUBRULE(this.rhsExpr, { ARGS: [true] });
            return this.ACTION(() => {
              const object = assignedObject(left, value);
              return { kind: "effect" as const, name: first.image, text: this.textFrom(from), filters: false, assign: { key: left, value }, ...(object ? { object } : {}), span: this.span(first) };
            });
          },
        },
        {
          // `ct count [over] N`: a connection-count limit, not a match on a field.
          GATE: () => {
            const left = this.exprFrames[this.exprFrames.length - 1]?.left;
            return left?.kind === "ct" && left.key === "count";
          },
          ALT: () => {
            const { first, from, left } = this.exprFrames[this.exprFrames.length - 1] ?? RECORDING_FRAME;
            this.OPTION({ GATE: () => this.LA(1).image === "over", DEF: () => this.CONSUME(Word) });
            this.need(1, Word, "a connection count");
            return this.ACTION(() => ({ kind: "effect" as const, name: "ct", text: this.textFrom(from), filters: true, span: this.span(first) }));
          },
        },
        {
          ALT: () => {
            const { first, from, left } = this.exprFrames[this.exprFrames.length - 1] ?? RECORDING_FRAME;
            const op = this.SUBRULE(this.relOp);
            const right = this.SUBRULE2(this.maskedRhs);
            return this.ACTION(() => this.match(left, op, right, first));
          },
        },
        {
          ALT: () => {
            const { first, from, left } = this.exprFrames[this.exprFrames.length - 1] ?? RECORDING_FRAME;
            const right = this.SUBRULE3(this.maskedRhs);
            return this.ACTION(() => this.match(left, "implicit", right, first));
          },
        },
      ],
  };


  private match(left: Expr, op: MatchOp | "!", right: { value: Expr; mask?: Expr }, first: IToken): Stmt {
    const span = this.span(first);
    if (right.value.kind === "set" && right.value.elements.length === 0) {
      throw new Fail("expected at least one element in the anonymous set, found '{ }'", first);
    }
    if (op === "!") {
      const refused = negationRefusal(left, right.value, right.mask !== undefined);
      if (refused) throw new Fail(refused, first);
      return noneOfMatch(left, right.value, span);
    }
    if (right.mask === undefined) return { kind: "match", left, op, right: right.value, span };
    // `tcp flags syn / syn,ack` means `tcp flags & (syn|ack) == syn`.
    return { kind: "match", left: { kind: "binop", op: "&", left, right: right.mask, span }, op: op === "implicit" ? "==" : op, right: right.value, span };
  }

  private relOp = this.RULE("relOp", (): MatchOp | "!" => {
    let t: IToken | undefined;
    this.OR([
      { ALT: () => (t = this.CONSUME(Bang)) },
      { ALT: () => (t = this.CONSUME(EqEq)) },
      { ALT: () => (t = this.CONSUME(NotEq)) },
      { ALT: () => (t = this.CONSUME(Le)) },
      { ALT: () => (t = this.CONSUME(Ge)) },
      { ALT: () => (t = this.CONSUME(Lt)) },
      { ALT: () => (t = this.CONSUME(Gt)) },
      { ALT: () => (t = this.CONSUME(RelWordKw)) },
    ]);
    return this.ACTION(() => REL_WORDS[t!.image] ?? (t!.image as MatchOp | "!"));
  });

  private maskedRhs = this.RULE("maskedRhs", (): { value: Expr; mask?: Expr } => {
    return this.OR({ IGNORE_AMBIGUITIES: true, ERR_MSG: "a value", DEF: this.rhsAlts });
  });

  /** Right-hand sides: one plain word or string before the next statement (the common case) skips the expression rules. */
  private readonly rhsAlts = [
    {
      GATE: () => {
        const t = this.LA(1).tokenType;
        return (t === WordTok || t === Str) && simpleFollow(this.LA(2)) && this.LA(2).image !== "-";
      },
      ALT: () => {
        const t = this.CONSUME(Plain);
        return this.ACTION(() => {
          refuseLoneSlash(t);
          const span = this.span(t);
          return { value: t.tokenType === Str ? { kind: "value" as const, text: t.image.slice(1, -1), quoted: true, span } : valueOf(t.image, span) };
        });
      },
    },
    {
      ALT: () => {
        const value = this.SUBRULE(this.rhsExpr, { ARGS: [false] });
        let mask: Expr | undefined;
        this.OPTION({
          GATE: () => this.LA(1).image === "/",
          DEF: () => {
            this.CONSUME(Word);
            mask = this.SUBRULE2(this.rhsExpr, { ARGS: [false] });
          },
        });
        return this.ACTION(() => (mask ? { value, mask } : { value }));
      },
    },
  ];


  /** A right-hand side: a comma list of concatenations. */
  private rhsExpr = this.RULE("rhsExpr", (exprOk?: boolean): Expr => {
    const items: Expr[] = [this.SUBRULE(this.concatExpr, { ARGS: [exprOk] })];
    this.MANY(() => {
      this.CONSUME(Comma);
      items.push(this.SUBRULE2(this.concatExpr, { ARGS: [exprOk] }));
    });
    return this.ACTION(() => (items.length === 1 ? items[0]! : { kind: "list" as const, items, span: items[0]!.span }));
  });

  private concatExpr = this.RULE("concatExpr", (exprOk?: boolean): Expr => {
    const parts: Expr[] = [this.SUBRULE(this.binopExpr, { ARGS: [exprOk] })];
    this.MANY(() => {
      this.CONSUME(Dot);
      parts.push(this.SUBRULE2(this.binopExpr, { ARGS: [exprOk] }));
    });
    let map: SetExpr | SetRefExpr | undefined;
    this.OPTION(() => {
      this.CONSUME(MapKw);
      map = this.SUBRULE(this.mapTarget);
    });
    return this.ACTION(() => {
      const key: Expr = parts.length === 1 ? parts[0]! : { kind: "concat", parts, span: parts[0]!.span };
      return map ? { kind: "map" as const, key, map, span: key.span } : key;
    });
  });

  /** The left-hand side of a statement: like concatExpr, but it must start with an expression head. */
  private lhsExpr = this.RULE("lhsExpr", (): Expr => {
    const head = this.SUBRULE(this.headExpr);
    const parts: Expr[] = [this.SUBRULE(this.binopTail, { ARGS: [head, true] })];
    this.MANY2(() => {
      this.CONSUME(Dot);
      parts.push(this.SUBRULE(this.binopExpr, { ARGS: [true] }));
    });
    return this.ACTION(() => (parts.length === 1 ? parts[0]! : { kind: "concat" as const, parts, span: parts[0]!.span }));
  });

  private headExpr = this.RULE("headExpr", (): Expr => {
    return this.OR({ ERR_MSG: "an expression (ip saddr, tcp dport, meta ..., ct ...)", DEF: this.headAlts });
  });

  private readonly headAlts = [
        { ALT: () => this.SUBRULE(this.payloadExpr) },
        { ALT: () => this.SUBRULE(this.metaExpr) },
        { ALT: () => this.SUBRULE(this.bareMetaExpr) },
        { ALT: () => this.SUBRULE(this.ctExpr) },
        { ALT: () => this.SUBRULE(this.fibExpr) },
        { ALT: () => this.SUBRULE(this.opaqueExpr) },
        {
          ALT: () => {
            const t = this.CONSUME(RawPayload);
            return this.ACTION(() => this.rawPayload(t));
          },
        },
        {
          ALT: () => {
            this.CONSUME(LParen);
            const e = this.SUBRULE(this.concatExpr, { ARGS: [true] });
            this.need(1, RParen, "')'");
            return e;
          },
        },
      ];


  private binopExpr = this.RULE("binopExpr", (exprOk?: boolean): Expr => {
    const first = this.SUBRULE(this.primary, { ARGS: [exprOk] });
    return this.SUBRULE(this.binopTail, { ARGS: [first, exprOk] });
  });

  /** `left` followed by `& | ^ << >>` (or their words) and operands, left-associative. */
  private binopTail = this.RULE("binopTail", (first: Expr, exprOk?: boolean): Expr => {
    let left = first;
    let operators = 0;
    this.MANY({ GATE: () => this.atBinop(), DEF: () => {
      let op: IToken | undefined;
      this.OR([
        { ALT: () => (op = this.CONSUME(Amp)) },
        { ALT: () => (op = this.CONSUME(Pipe)) },
        { ALT: () => (op = this.CONSUME(Caret)) },
        { ALT: () => (op = this.CONSUME(Shl)) },
        { ALT: () => (op = this.CONSUME(Shr)) },
        { GATE: () => BINOP_WORDS[this.LA(1).image] !== undefined, ALT: () => (op = this.CONSUME(Word)) },
      ]);
      const right = this.SUBRULE(this.primary, { ARGS: [exprOk] });
      this.ACTION(() => {
        this.checkShift(op!, right);
        checkOperators(++operators, op!);
        left = { kind: "binop", op: BINOP_WORDS[op!.image] ?? (op!.image as "&"), left, right, span: left.span };
      });
    } });
    return left;
  });

  private exprOk = false;

  private primary = this.RULE("primary", (exprOk?: boolean): Expr => {
    this.exprOk = exprOk === true;
    return this.OR({ IGNORE_AMBIGUITIES: true, ERR_MSG: "a value", DEF: this.primaryAlts });
  });

  private readonly primaryAlts = [
        {
          GATE: () => this.exprOk || PAYLOAD_FIELDS[this.LA(1).image]?.has(this.LA(2).image) === true,
          ALT: () => this.SUBRULE(this.payloadExpr),
        },
        { ALT: () => this.SUBRULE(this.metaExpr) },
        { GATE: () => this.exprOk, ALT: () => this.SUBRULE(this.bareMetaExpr) },
        { ALT: () => this.SUBRULE(this.ctExpr) },
        { ALT: () => this.SUBRULE(this.fibExpr) },
        { GATE: () => this.exprOk, ALT: () => this.SUBRULE(this.opaqueExpr) },
        {
          ALT: () => {
            const t = this.CONSUME(RawPayload);
            return this.ACTION(() => this.rawPayload(t));
          },
        },
        {
          ALT: () => {
            const ok = this.exprOk;
            this.CONSUME(LParen);
            const e = this.SUBRULE(this.concatExpr, { ARGS: [ok] });
            this.need(1, RParen, "')'");
            return e;
          },
        },
        { ALT: () => this.SUBRULE(this.setExpr) },
        {
          ALT: () => {
            const t = this.CONSUME(SetRef);
            return this.ACTION(() => ({ kind: "setref" as const, name: this.setRefName(t), span: this.span(t) }));
          },
        },
        { ALT: () => this.SUBRULE(this.stringExpr) },
        { GATE: () => !isActionKeyword(this.LA(1)), ALT: () => this.SUBRULE(this.valueExpr) },
      ];


  /** A quoted value, or a range of them (`meta time "2022-05-30 21:51:23"-"2022-06-01 23:51:23"`). */
  private stringExpr = this.RULE("stringExpr", (): Expr => {
    const t = this.CONSUME(Str);
    let hi: IToken | undefined;
    this.OPTION({
      GATE: () => this.LA(1).image === "-" && this.LA(2).tokenType === Str,
      DEF: () => {
        this.CONSUME(Word);
        hi = this.CONSUME2(Str);
      },
    });
    return this.ACTION(() => {
      const low = { kind: "value" as const, text: t.image.slice(1, -1), quoted: true, span: this.span(t) };
      if (hi === undefined) return low;
      return { kind: "range" as const, low, high: { kind: "value" as const, text: hi.image.slice(1, -1), quoted: true, span: this.span(hi) }, span: low.span };
    });
  });

  /** A value word, or a range written with a blank around '-' (`1024 - 2048`). */
  private valueExpr = this.RULE("valueExpr", (): Expr => {
    const t = this.CONSUME(Word);
    let hi: IToken | undefined;
    this.OPTION({
      GATE: () => this.LA(1).image === "-",
      DEF: () => {
        this.CONSUME2(Word);
        hi = this.need(1, Word, "the upper end of the range");
      },
    });
    return this.ACTION(() => {
      refuseLoneSlash(t);
      const span = this.span(t);
      if (hi === undefined) return valueOf(t.image, span);
      return { kind: "range" as const, low: valueOf(t.image, span), high: valueOf(hi.image, this.span(hi)), span };
    });
  });

  private payloadExpr = this.RULE("payloadExpr", (): Expr => {
    const head = this.CONSUME(PayloadHead);
    let inner: Expr | undefined;
    let field: IToken | undefined;
    const extra: IToken[] = [];
    this.OR({
      IGNORE_AMBIGUITIES: true,
      ERR_MSG: "a header field",
      DEF: [
        {
          // `vxlan ip saddr`: a field of the encapsulated packet
          GATE: () => TUNNEL_HEADERS.has(head.image) && tokenMatcher(this.LA(1), PayloadHead) && PAYLOAD_FIELDS[this.LA(1).image]?.has(this.LA(2).image) === true,
          ALT: () => {
            inner = this.SUBRULE(this.payloadExpr);
          },
        },
        {
          ALT: () => {
            field = this.need(1, Word, `a field of '${head.image}'`);
            this.OPTION({
              // `arp saddr ip`, `arp daddr ether`
              GATE: () => head.image === "arp" && (field!.image === "saddr" || field!.image === "daddr") && (this.LA(1).image === "ip" || this.LA(1).image === "ether"),
              DEF: () => extra.push(this.CONSUME2(Word)),
            });
            this.OPTION2({
              // `tcp option maxseg size`, `ip option ra`, `sctp chunk data flags`
              GATE: () => PAYLOAD_SUBOBJECT[head.image] === field!.image,
              DEF: () => {
                extra.push(this.need(3, Plain, `a ${field!.image} name`));
                this.OPTION3({ GATE: () => SUBOBJECT_FIELDS.has(this.LA(1).image), DEF: () => extra.push(this.CONSUME4(Word)) });
              },
            });
          },
        },
      ],
    });
    return this.ACTION(() => {
      const span = this.span(head);
      if (inner !== undefined) {
        const innerText = inner.kind === "payload" ? `${inner.protocol} ${inner.field}` : inner.kind === "opaque" ? inner.text : "";
        return { kind: "opaque" as const, name: head.image, text: `${head.image} ${innerText}`, span };
      }
      const f = field!;
      if (PAYLOAD_SUBOBJECT[head.image] === f.image) {
        const name = extra[0]!;
        const names = SUBOBJECT_NAMES[head.image]!;
        // (a tcp option may be a number, or raw: `tcp option @30,0,8`)
        if (!names.has(name.image) && !(head.image === "tcp" && (nftNumber(name.image, 255) !== null || /^@\d+,\d+,\d+$/.test(name.image)))) {
          throw new Fail(`expected ${head.image === "ip" ? "an" : "a"} ${head.image} ${f.image} (${[...names].join(", ")}${head.image === "tcp" ? ", a number, or @kind,offset,length" : ""}), found ${describeToken(name)}`, name);
        }
        return { kind: "opaque" as const, name: `${head.image} ${f.image}`, text: [head, f, ...extra].map((t) => t.image).join(" "), span };
      }
      const known = PAYLOAD_FIELDS[head.image];
      if (known && !known.has(f.image)) {
        throw new Fail(`expected a field of '${head.image}' (${[...known].join(", ")}), found '${f.image}'`, f);
      }
      return { kind: "payload" as const, protocol: head.image, field: [f, ...extra].map((t) => t.image).join(" "), span };
    });
  });


  private metaExpr = this.RULE("metaExpr", (): Expr => {
    const kw = this.CONSUME(MetaKw);
    const key = this.need(1, Word, "a meta key (l4proto, iifname, mark, ...)");
    return this.ACTION(() => {
      if (!META_KEYS.has(key.image)) throw new Fail(`expected a meta key (l4proto, nfproto, iifname, oifname, mark, pkttype, ...), found '${key.image}'`, key);
      return { kind: "meta" as const, key: key.image, span: this.span(kw) };
    });
  });

  private bareMetaExpr = this.RULE("bareMetaExpr", (): Expr => {
    const key = this.CONSUME(MetaBareHead);
    return this.ACTION(() => ({ kind: "meta" as const, key: key.image, span: this.span(key) }));
  });

  private ctExpr = this.RULE("ctExpr", (): Expr => {
    const kw = this.CONSUME(CtKw);
    let dir: IToken | undefined;
    let fam: IToken | undefined;
    this.OPTION({ GATE: () => this.LA(1).image === "original" || this.LA(1).image === "reply", DEF: () => (dir = this.CONSUME(Word)) });
    this.OPTION2({
      GATE: () => (this.LA(1).image === "ip" || this.LA(1).image === "ip6") && tokenMatcher(this.LA(2), Word),
      DEF: () => (fam = this.CONSUME2(Word)),
    });
    const key = this.need(3, Word, "a ct key (state, status, mark, saddr, ...)");
    return this.ACTION(() => {
      if (!CT_KEYS.has(key.image)) throw new Fail(`expected a ct key (state, status, mark, direction, saddr, daddr, ...), found '${key.image}'`, key);
      const e: Expr = { kind: "ct", key: key.image, span: this.span(kw) };
      if (dir) e.direction = dir.image as "original" | "reply";
      if (fam) e.family = fam.image as "ip" | "ip6";
      return e;
    });
  });

  private fibExpr = this.RULE("fibExpr", (): Expr => {
    const kw = this.CONSUME(FibKw);
    const flags = [this.needWord(1, FIB_FLAGS, "a fib input (saddr, daddr, mark, iif, oif)")];
    this.MANY(() => {
      this.CONSUME(Dot);
      flags.push(this.needWord(2, FIB_FLAGS, "a fib input"));
    });
    const result = this.needWord(3, FIB_RESULTS, "a fib result (oif, oifname, type)");
    return this.ACTION(() => ({ kind: "fib" as const, flags: flags.map((f) => f.image), result: result.image, span: this.span(kw) }));
  });

  private opaqueExpr = this.RULE("opaqueExpr", (): Expr => {
    const kw = this.CONSUME(OpaqueHead);
    const from = this.pos - 1;
    let spec: OpaqueSpec = { main: false };
    this.ACTION(() => {
      spec = OPAQUE[kw.image] ?? { main: true };
    });
    this.MANY({ GATE: () => spec.pre?.has(this.LA(1).image) === true, DEF: () => {
      this.CONSUME(Word);
      this.need(1, Word, "a value");
    } });
    this.OPTION({ GATE: () => spec.familyFirst === true && (this.LA(1).image === "ip" || this.LA(1).image === "ip6"), DEF: () => this.CONSUME2(Word) });
    this.OPTION2({ GATE: () => spec.expr === true, DEF: () => this.SUBRULE(this.concatExpr, { ARGS: [true] }) });
    this.OPTION3({ GATE: () => spec.main, DEF: () => this.need(3, Word, `an argument of '${kw.image}'`) });
    this.MANY2({ GATE: () => spec.post?.has(this.LA(1).image) === true, DEF: () => {
      this.CONSUME4(Word);
      this.need(5, Word, "a value");
    } });
    this.OPTION4({ GATE: () => spec.familyAfter === true && (this.LA(1).image === "ip" || this.LA(1).image === "ip6"), DEF: () => this.CONSUME6(Word) });
    this.OPTION5({ GATE: () => spec.fields?.has(this.LA(1).image) === true, DEF: () => this.CONSUME7(Word) });
    return this.ACTION(() => {
      const misfit = OPAQUE_MISFITS[kw.image]?.(this.tokensAt().slice(from + 1, this.pos), this.LA(1));
      if (misfit) throw new Fail(misfit.message, misfit.at);
      return { kind: "opaque" as const, name: kw.image, text: this.textFrom(from), span: this.span(kw) };
    });
  });

  private mapTarget = this.RULE("mapTarget", (): SetExpr | SetRefExpr => {
    return this.OR({
      ERR_MSG: "a map ('{ key : value, ... }' or '@name')",
      DEF: [
        { ALT: () => this.SUBRULE(this.setExpr) },
        {
          ALT: () => {
            const t = this.CONSUME(SetRef);
            return this.ACTION(() => ({ kind: "setref" as const, name: this.setRefName(t), span: this.span(t) }));
          },
        },
      ],
    });
  });

  /** Open anonymous sets (nested while parsing `{ { 1, 2 }, 3 }`). */
  private setFrames: SetFrame[] = [];

  /**
   * Set elements. Hot path: sets of 200k elements are common, so the alternatives are built once
   * and a plain element (one word before ',' or '}') skips the expression rules.
   */
  private setExpr = this.RULE("setExpr", (): SetExpr => {
    const open = this.CONSUME(LCurly);
    const frame: SetFrame = { elements: [], needComma: false };
    this.ACTION(() => {
      this.setFrames.push(frame);
      this.plainElements(frame);
    });
    this.MANY(() => this.OR(this.setAlts));
    this.ACTION(() => this.setFrames.pop());
    this.need(1, RCurly, "',' or '}' in the set");
    return this.ACTION(() => ({ kind: "set" as const, elements: frame.elements, span: this.span(open), ...(frame.listDefine !== undefined ? { listDefine: frame.listDefine } : {}) }));
  });

  private readonly setAlts = [
    { ALT: () => this.CONSUME(Newline) },
    {
      // a run plainElements did not take: one after an element with no comma between
      ALT: () => {
        const t = this.CONSUME(ElementRun);
        if (!this.RECORDING_PHASE) {
          const frame = this.setFrames[this.setFrames.length - 1]!;
          needNoComma(frame, t);
          this.addRun(t as ElementRunToken, frame);
        }
      },
    },
    {
      ALT: () => {
        const comma = this.CONSUME(Comma);
        this.ACTION(() => {
          const frame = this.setFrames[this.setFrames.length - 1]!;
          this.takeComma(frame, comma);
          this.plainElements(frame);
        });
      },
    },
    {
      GATE: () => {
        const t = this.LA(1);
        if (t.tokenType !== WordTok) return false;
        const n = this.LA(2).tokenType;
        return n === Comma || n === RCurly || n === Newline;
      },
      ALT: () => {
        const t = this.CONSUME(WordTok);
        if (!this.RECORDING_PHASE) {
          // (no ACTION closure here: this runs once per element of sets with 100k+ elements)
          const span = this.span(t);
          this.addElement(t, { key: valueOf(t.image, span), span });
        }
      },
    },
    {
      ALT: () => {
        const first = this.LA(1);
        const e = this.SUBRULE(this.element);
        this.ACTION(() => this.addElement(first, e));
      },
    },
  ];

  /** A ',' between a set's elements. nft takes ', ,' between elements and one before '}', not one before the first. */
  private takeComma(frame: SetFrame, comma: IToken): void {
    if (frame.elements.length === 0 && !frame.needComma) this.report("expected an element after '{', found ','", comma);
    frame.needComma = false;
    frame.listDefine ??= (comma as SourcedToken).listOf;
  }

  /**
   * Reads a run of plain elements (`1.2.3.4,` `10.0.0.0/8,` newlines) straight from the token
   * vector - the bulk of large sets - and leaves anything else to the grammar.
   */
  private plainElements(frame: SetFrame): void {
    const toks = this.tokensAt();
    let i = this.pos;
    const n = toks.length;
    while (i < n) {
      const t = toks[i]!;
      const tt = t.tokenType;
      if (tt === Newline) {
        i++;
        continue;
      }
      if (tt === Comma) {
        this.takeComma(frame, t);
        i++;
        continue;
      }
      if (tt === ElementRun && !frame.needComma) {
        this.addRun(t as ElementRunToken, frame);
        i++;
        continue;
      }
      if (tt !== WordTok || frame.needComma) break;
      const next = i + 1 < n ? toks[i + 1]!.tokenType : EOF;
      if (next !== Comma && next !== RCurly && next !== Newline) break;
      const span = this.span(t);
      frame.elements.push({ key: valueOf(t.image, span), span });
      frame.needComma = true;
      i++;
    }
    this.pos = i;
  }

  /** The elements of a run of plain elements (scan.ts), as plainElements reads them from their tokens. */
  private addRun(run: ElementRunToken, frame: { elements: SetElement[]; needComma: boolean }): void {
    // the run's span is its first element's; the others differ in their column only
    const first = this.span(run);
    const { spans, source, lineStart } = run;
    for (let k = 0; k < spans.length; k += 2) {
      const span: SourceSpan = k === 0 ? first : { ...first, column: spans[k]! - lineStart + 1 };
      frame.elements.push({ key: valueOf(source.slice(spans[k]!, spans[k + 1]!), span), span });
    }
    frame.needComma = !run.trailingComma;
  }

  private addElement(first: IToken, e: SetElement): void {
    const frame = this.setFrames[this.setFrames.length - 1]!;
    needNoComma(frame, first);
    frame.needComma = true;
    // Nested anonymous sets (`{ $a, 3 }` with `define a = { 1, 2 }`) are flattened, as nft does.
    if (e.key.kind === "set" && e.data === undefined && e.options === undefined) frame.elements.push(...e.key.elements);
    else frame.elements.push(e);
  }


  private element = this.RULE("element", (): SetElement => {
    const key = this.SUBRULE(this.concatExpr, { ARGS: [false] });
    let options: Record<string, string> | undefined;
    const opt = (o: [string, string]) => {
      options ??= {};
      options[o[0]] = o[1];
    };
    this.MANY({
      GATE: () => ELEMENT_OPTIONS.has(this.LA(1).image),
      DEF: () => {
        const o = this.SUBRULE(this.elementOption);
        this.ACTION(() => opt(o));
      },
    });
    let data: Expr | undefined;
    this.OPTION(() => {
      this.CONSUME(Colon);
      data = this.SUBRULE(this.elementData);
      this.MANY2({
        GATE: () => ELEMENT_OPTIONS.has(this.LA(1).image),
        DEF: () => {
          const o = this.SUBRULE2(this.elementOption);
          this.ACTION(() => opt(o));
        },
      });
    });
    return this.ACTION(() => {
      const e: SetElement = { key, span: key.span };
      if (data) e.data = data;
      if (options) e.options = options;
      return e;
    });
  });

  /** An element's option or statement (`timeout 1m`, `counter packets 0 bytes 0`); `end`: what may follow it (for messages). */
  private elementOption = this.RULE("elementOption", (end: string = "',' or '}'"): [string, string] => {
    const kw = this.CONSUME(Word);
    const from = this.pos;
    this.ACTION(() => {
      if (!ELEMENT_OPTIONS.has(kw.image)) this.fail("',' or '}'");
    });
    this.MANY({
      GATE: () => {
        const t = this.LA(1);
        return t.tokenType !== Comma && t.tokenType !== Colon && !ELEMENT_OPTIONS.has(t.image);
      },
      DEF: () => this.CONSUME(Plain),
    });
    return this.ACTION(() => {
      // `1.2.3.4 counter packets 0 x bytes 0`, `timeout 10s junk`: nft's grammar has no place for the word
      const words = this.tokensAt().slice(from, this.pos);
      // (a string with no closing quote is told as such: unterminatedStrings)
      if (kw.image === "comment" && words.length === 1 && words[0]!.tokenType !== Str && words[0]!.tokenType !== Unterminated) this.refuseKeyword(words[0]!, "a comment");
      if ((kw.image === "timeout" || kw.image === "expires") && words.length === 1 && !nftTime(words[0]!.image)) {
        throw new Fail(`expected a time (1h30m, 500ms, 1d) after '${kw.image}', found ${describeToken(words[0]!)}`, words[0]!);
      }
      // `ct count [over] N`: the one ct statement an element takes
      const ctMisfit = kw.image === "ct" ? strayOption("ct", words) : -1;
      if (ctMisfit >= 0) {
        const at = words[ctMisfit] ?? this.LA(1);
        throw new Fail(`expected 'count [over] N' after 'ct' (the connections of the element, at most N), found ${describeToken(at)}`, at);
      }
      if (kw.image === "limit" && (words[0]?.image !== "rate" || !limitRate(words.slice(1).map((t) => t.image).join(" ")))) {
        throw new Fail(`expected a rate after 'limit rate' as nft writes it ([over] N/second [burst N packets], [over] N mbytes/second ...), found '${words.map((t) => t.image).join(" ")}'`, words[0] ?? this.LA(1));
      }
      const misfit = kw.image === "counter" || kw.image === "quota" ? strayOption(kw.image, words) : ONE_VALUE_OPTIONS.has(kw.image) ? (words.length === 1 ? -1 : 1) : -1;
      if (misfit >= 0) {
        const t = words[misfit] ?? this.LA(1);
        const what = OPTION_GRAMMAR[kw.image] ?? (kw.image === "comment" ? "a quoted comment" : "a time (1h30m, 500ms, 1d)");
        throw new Fail(`expected ${what}${misfit < words.length ? ` and then ${end}` : ""} after '${kw.image}', found ${describeToken(t)}`, t);
      }
      return [kw.image, this.textFrom(from)];
    });
  });

  private elementData = this.RULE("elementData", (): Expr => {
    return this.OR({
      IGNORE_AMBIGUITIES: true,
      ERR_MSG: "a value or verdict after ':'",
      DEF: [
        {
          GATE: () => tokenMatcher(this.LA(1), SimpleVerdict) || tokenMatcher(this.LA(1), JumpKw) || tokenMatcher(this.LA(1), QueueKw),
          ALT: () => {
            const first = this.LA(1);
            const v = this.SUBRULE(this.verdict);
            return this.ACTION(() => ({ kind: "verdict" as const, verdict: v, span: this.span(first) }));
          },
        },
        { ALT: () => this.SUBRULE(this.concatExpr, { ARGS: [false] }) },
      ],
    });
  });

  private verdict = this.RULE("verdict", (): Verdict => {
    return this.OR({
      ERR_MSG: "a verdict",
      DEF: [
        {
          ALT: () => {
            const t = this.CONSUME(SimpleVerdict);
            return this.ACTION(() => ({ kind: t.image as "accept" }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(QueueKw);
            const from = this.pos - 1;
            this.MANY(() => {
              this.OR2({
                IGNORE_AMBIGUITIES: true,
                DEF: [
                  {
                    // `queue to ip saddr . tcp dport map @m`
                    GATE: () => this.LA(1).image === "to" && tokenMatcher(this.LA(2), ExprHead),
                    ALT: () => {
                      this.CONSUME(Word);
                      this.SUBRULE(this.concatExpr, { ARGS: [true] });
                    },
                  },
                  {
                    GATE: () => {
                      const n = this.LA(1);
                      if (n.tokenType === Comma) return ["bypass", "fanout"].includes(this.LA(2).image) && this.LA(0).image !== "queue";
                      return tokenMatcher(n, Word) && !isStmtStart(n, this.LA(2));
                    },
                    ALT: () => this.CONSUME(Plain),
                  },
                ],
              });
            });
            return this.ACTION(() => {
              const text = this.textFrom(from);
              const opts = EFFECT_OPTIONS["queue"]!;
              const words = text.split(/[\s,]+/).slice(1);
              if (words.length > 0 && !opts.has(words[0]!)) this.report(`expected a queue option (num, bypass, fanout, flags, to) after 'queue', found '${words[0]}'`, t);
              const last = words[words.length - 1];
              if (last === "num" || last === "to" || last === "flags") this.report(`expected a value after '${last}', found ${describeToken(this.LA(1))}`, this.LA(1));
              // queue numbers are 16 bits (`num 70000`, `to 1-65536`)
              for (const [i, w] of words.entries()) {
                if (words[i - 1] !== "num" && words[i - 1] !== "to") continue;
                const big = w.split("-").find((x) => /^\d+$/.test(x) && Number(x) > 65535);
                if (big !== undefined) this.report(`queue number ${big} is over 16 bits: a queue is 0 to 65535 (nft: "Value ${big} exceeds valid range 0-65535")`, t);
              }
              // a range of queues runs upwards, and fanout spreads packets over one: a single queue is refused
              const queues = words.find((_, i) => words[i - 1] === "num" || words[i - 1] === "to");
              const [lo, hi] = (queues ?? "").split("-").map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
              if (hi !== undefined && lo! > hi) this.report(`queue range ${queues} runs downwards: write the lower number first (nft: "Range has zero or negative size")`, t);
              else if (queues !== undefined && hi === undefined && !Number.isNaN(lo) && words.includes("fanout")) {
                this.report(`'fanout' spreads packets over a range of queues, and this names one queue (${queues}): give a range such as ${lo}-${lo! + 1}, or leave out fanout (nft: "fanout requires a range to be specified")`, t);
              }
              return { kind: "queue" as const, text };
            });
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(JumpKw);
            return this.OR3({
              ERR_MSG: "a chain name",
              DEF: [
                {
                  ALT: () => {
                    const name = this.SUBRULE(this.name, { ARGS: ["a chain name"] });
                    return this.ACTION(() => ({ kind: t.image as "jump", target: name }));
                  },
                },
                {
                  ALT: () => {
                    const rules = this.SUBRULE(this.anonymousChain);
                    return this.ACTION(() => ({ kind: t.image as "jump", target: "", anonymous: rules }));
                  },
                },
              ],
            });
          },
        },
      ],
    });
  });

  private anonymousChain = this.RULE("anonymousChain", (): RuleNode[] => {
    this.CONSUME(LCurly);
    const rules: RuleNode[] = [];
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(Newline) },
        { ALT: () => this.CONSUME(Semi) },
        {
          ALT: () => {
            const start = this.pos;
            rules.push(this.SUBRULE(this.rule));
            this.ACTION(() => this.separated(start));
          },
        },
      ]);
    });
    this.need(1, RCurly, "'}' closing the anonymous chain");
    return rules;
  });

  private verdictStmt = this.RULE("verdictStmt", (): Stmt => {
    const first = this.LA(1);
    const v = this.SUBRULE(this.verdict);
    return this.ACTION(() => ({ kind: "verdict" as const, verdict: v, span: this.span(first) }));
  });

  private rejectStmt = this.RULE("rejectStmt", (): Stmt => {
    const kw = this.CONSUME(RejectKw);
    const from = this.pos;
    this.OPTION({
      GATE: () => this.LA(1).image === "with",
      DEF: () => {
        this.CONSUME(Word);
        const kind = this.needWord(1, new Set(["icmp", "icmpv6", "icmpx", "tcp"]), "icmp, icmpv6, icmpx or tcp");
        this.OPTION2({ GATE: () => this.LA(1).image === "type", DEF: () => this.CONSUME3(Word) });
        const code = this.need(4, Word, "a reject type (tcp reset, icmp port-unreachable, icmpx admin-prohibited, ...)");
        this.ACTION(() => {
          if (/^\d+$/.test(code.image) && Number(code.image) > 255) this.report(`a reject code is 0 to 255, found ${code.image}`, code);
          else if (kind.image === "tcp" && code.image !== "reset") this.report(`expected 'reset' after 'reject with tcp', found ${describeToken(code)}`, code);
          else if (kind.image !== "tcp" && !NFT_NUMBER.test(code.image) && !REJECT_CODES[kind.image]!.has(code.image)) {
            this.report(`expected an ${kind.image} code (${[...REJECT_CODES[kind.image]!].join(", ")}) or a number after 'reject with ${kind.image}', found ${describeToken(code)} (nft: "Could not parse ${kind.image} code")`, code);
          }
        });
      },
    });
    return this.ACTION(() => {
      const s: Stmt = { kind: "reject", span: this.span(kw) };
      if (this.pos > from) s.with = this.textFrom(from + 1);
      return s;
    });
  });

  private natStmt = this.RULE("natStmt", (): Stmt => {
    const kw = this.CONSUME(NatKw);
    let family: IToken | undefined;
    let addr: Expr | undefined;
    let port: Expr | undefined;
    const flags: string[] = [];
    this.OPTION({
      GATE: () => (this.LA(1).image === "ip" || this.LA(1).image === "ip6") && ["to", "prefix", "addr"].includes(this.LA(2).image),
      DEF: () => (family = this.CONSUME(Word)),
    });
    this.OPTION2({
      GATE: () => this.LA(1).image === "addr" && this.LA(2).tokenType === Dot,
      DEF: () => {
        this.CONSUME2(Word);
        this.CONSUME(Dot);
        this.needWord(1, "port", "'port'");
      },
    });
    this.OPTION3({ GATE: () => this.LA(1).image === "prefix", DEF: () => flags.push(this.CONSUME3(Word).image) });
    this.OPTION4({
      GATE: () => {
        const n = this.LA(1);
        if (n.image === "to") return true;
        if (kw.image !== "dnat" && kw.image !== "snat") return false;
        // (`to` may be left out: nothing follows a NAT statement, so an expression here is its address -
        // `snat ip saddr map { ... }`)
        return !isEnd(n) && n.image !== "comment" && !NAT_FLAGS.has(n.image);
      },
      DEF: () => {
        this.OPTION5({ GATE: () => this.LA(1).image === "to", DEF: () => this.CONSUME4(Word) });
        this.OR({ ERR_MSG: "an address or ':port'", DEF: [
          {
            ALT: () => {
              this.CONSUME(Colon);
              port = this.SUBRULE(this.concatExpr, { ARGS: [true] });
            },
          },
          {
            ALT: () => {
              addr = this.SUBRULE2(this.concatExpr, { ARGS: [true] });
              this.OPTION6(() => {
                this.CONSUME2(Colon);
                port = this.SUBRULE3(this.concatExpr, { ARGS: [true] });
              });
            },
          },
        ] });
      },
    });
    this.MANY({
      GATE: () => NAT_FLAGS.has(this.LA(1).image) || (this.LA(1).tokenType === Comma && NAT_FLAGS.has(this.LA(2).image)),
      DEF: () => {
        const t = this.CONSUME(Plain);
        this.ACTION(() => {
          if (t.tokenType !== Comma) flags.push(t.image);
        });
      },
    });
    return this.ACTION(() => {
      const s: Extract<Stmt, { kind: "nat" }> = { kind: "nat", type: kw.image as "dnat", span: this.span(kw) };
      if (family) s.family = family.image as "ip" | "ip6";
      if (addr) {
        const split = splitAddrPort(addr);
        s.addr = split.addr;
        if (split.port && !port) port = split.port;
      }
      // `redirect to 8080`, `masquerade to 1024-2048`: these rewrite only the port.
      if ((kw.image === "redirect" || kw.image === "masquerade") && s.addr && !port) {
        port = s.addr;
        delete s.addr;
      }
      if (port) s.port = port;
      if (flags.length > 0) s.flags = flags;
      if ((kw.image === "dnat" || kw.image === "snat") && !addr && !port) {
        throw new Fail(`expected 'to' and an address after '${kw.image}', found ${describeToken(this.LA(1))}`, this.LA(1));
      }
      return s;
    });
  });

  private effectStmt = this.RULE("effectStmt", (): Stmt => {
    const kw = this.OR([
      { ALT: () => this.CONSUME(EffectKw) },
      { ALT: () => this.CONSUME(DupKw) },
      { ALT: () => this.CONSUME(SynproxyKw) },
    ]);
    const from = this.pos - 1;
    this.ACTION(() => (this.effectName = kw.image));
    // `counter name ip saddr map { ... }`, `quota name "q"`: a named object chosen by an expression.
    let chooser: Expr | undefined;
    this.OPTION({
      GATE: () => this.LA(1).image === "name" && tokenMatcher(this.LA(2), ExprHead),
      DEF: () => {
        this.CONSUME(Word);
        chooser = this.SUBRULE(this.concatExpr, { ARGS: [true] });
      },
    });
    this.MANY({
      GATE: () => {
        const n = this.LA(1);
        if (!tokenMatcher(n, Plain)) return false;
        if (!isStmtStart(n, this.LA(2))) return true;
        const prev = this.LA(0).image;
        // `log flags tcp sequence`, `tproxy ip to ...`, `fwd ip to ...`
        if (prev === "flags" && this.effectName === "log") return true;
        return prev === this.effectName && DUP_LIKE.has(prev) && (n.image === "ip" || n.image === "ip6");
      },
      DEF: () => this.CONSUME(Plain),
    });
    return this.ACTION(() => {
      const name = kw.image;
      const text = this.textFrom(from);
      const toks = this.tokensAt();
      const firstArg = this.pos > from + 1 ? toks[from + 1]! : undefined;
      const opts = EFFECT_OPTIONS[name];
      // `quota 25 mbytes`: the amount may come first.
      const amount = name === "quota" && firstArg !== undefined && /^\d/.test(firstArg.image);
      if (firstArg && opts && !opts.has(firstArg.image) && !amount) {
        const hint = opts.size > 0 ? `a ${name} option (${[...opts].join(", ")}) or the next statement` : "the next statement";
        throw new Fail(`expected ${hint} after '${name}', found ${describeToken(firstArg)}`, firstArg);
      }
      if ((name === "limit" || name === "dup" || name === "tproxy") && !firstArg) {
        throw new Fail(`expected ${name === "limit" ? "'rate'" : "'to'"} after '${name}', found ${describeToken(this.LA(1))}`, this.LA(1));
      }
      if (name === "limit" && firstArg?.image === "rate") {
        const v = this.pos > from + 2 ? toks[from + 2]! : undefined;
        if (v === undefined || !/^(\d|over$|until$)/.test(v.image)) throw new Fail(`expected a rate (10/second, over 1 mbytes/second) after 'rate', found ${describeToken(v ?? this.LA(1))}`, v ?? this.LA(1));
        const written = text.slice(text.indexOf("rate") + 5);
        const m = limitRate(written);
        if (!m) {
          throw new Fail(
            `expected a rate after 'limit rate' as nft writes it - [over] N/second|minute|hour|day|week [burst N packets], or [over] N bytes|kbytes|mbytes/UNIT [burst N bytes|kbytes|mbytes] -, found '${written.replace(/\s*\/\s*/g, "/")}'`,
            v,
          );
        }
        if (m.packetBurst !== undefined && Number(m.packetBurst) === 0) throw new Fail("a packet limit's burst must be more than 0 (nft: \"packet limit burst must be > 0\")", v);
      }
      // Options that take a value must have one: `log prefix` alone, `limit rate burst 5` are broken.
      const valued = OPTIONS_WITH_VALUE[name];
      if (valued && opts) {
        for (let i = from + 1; i < this.pos; i++) {
          const t = toks[i]!;
          if (!valued.has(t.image) || (i > from + 1 && toks[i - 1]!.image === "flags")) continue;
          const next = i + 1 < this.pos ? toks[i + 1] : undefined;
          if (next === undefined || (opts.has(next.image) && next.image !== "over")) {
            throw new Fail(`expected a value after '${t.image}', found ${describeToken(next ?? this.LA(1))}`, next ?? this.LA(1));
          }
          if (NUMERIC_OPTIONS.has(`${name} ${t.image}`) && !NFT_NUMBER.test(next.image)) {
            throw new Fail(`expected a number after '${t.image}', found ${describeToken(next)}`, next);
          }
          if (name === "log" && t.image === "level" && !LOG_LEVELS.has(next.image)) {
            throw new Fail(`expected a log level (${[...LOG_LEVELS].join(", ")}), found ${describeToken(next)}`, next);
          }
        }
      }
      // Every word is an option or its value: `log prefix "x" levle info` is refused by nft.
      const words = toks.slice(from + 1, this.pos);
      if (firstArg?.image === "name" && words.length > 2 && !tokenMatcher(words[1]!, ExprHead)) {
        throw new Fail(`expected the next statement after '${name} name ${words[1]!.image}', found ${describeToken(words[2]!)}`, words[2]!);
      }
      const given = new Set<string>();
      const misfit = firstArg?.image === "name" ? -1 : strayOption(name, words, given);
      if (misfit >= 0) {
        const t = words[misfit] ?? this.LA(1);
        throw new Fail(`expected ${OPTION_GRAMMAR[name]}${misfit < words.length ? " or the next statement" : ""} after '${name}', found ${describeToken(t)}`, t);
      }
      const conflict = name === "log" ? logConflict(words, given) : undefined;
      if (conflict) throw new Fail(conflict, kw);
      // `counter name "c"`, `quota name q`: the object by a literal name (a map lookup picks one per packet)
      const named = firstArg?.image === "name" && this.pos === from + 3 ? toks[from + 2]! : undefined;
      const object = named && (tokenMatcher(named, Word) || named.tokenType === Str) ? declaredObject([name, named.image]) : undefined;
      return { kind: "effect" as const, name, text, filters: FILTERING_EFFECTS.has(name), ...(object ? { object } : {}), ...(chooser ? { chooser } : {}), span: this.span(kw) };
    });
  });

  /**
   * `meter m size 128 { ip saddr timeout 10s limit rate over 10/second }`: as nft's grammar has
   * it, a name, an optional size, then the key with its options (timeout, expires) and one
   * stateful statement (counter, limit, quota, ct count: "meter statement must be stateful").
   */
  private meterStmt = this.RULE("meterStmt", (): Stmt => {
    const kw = this.CONSUME(MeterKw);
    const from = this.pos - 1;
    this.need(1, Word, "a meter name");
    this.OPTION({
      GATE: () => this.LA(1).image === "size",
      DEF: () => {
        this.CONSUME2(Word);
        const size = this.need(3, Word, "a size");
        this.ACTION(() => {
          if (!NFT_NUMBER.test(size.image)) this.report(`expected a number (the most elements the meter holds) after 'size', found ${describeToken(size)}`, size);
        });
      },
    });
    this.need(4, LCurly, "'{'");
    this.MANY(() => this.CONSUME(Newline));
    const key = this.SUBRULE(this.concatExpr, { ARGS: [true] });
    this.MANY2({ GATE: () => ELEMENT_NON_STATEMENTS.has(this.LA(1).image), DEF: () => this.SUBRULE(this.elementOption) });
    this.ACTION(() => {
      if (!ELEMENT_STATEMENTS.has(this.LA(1).image)) this.fail("timeout, expires, or the statement the meter runs on the element: counter, limit, quota or ct count (nft: \"meter statement must be stateful\")");
    });
    this.SUBRULE2(this.elementOption);
    this.MANY3(() => this.CONSUME2(Newline));
    this.need(5, RCurly, "'}' closing the meter");
    return this.ACTION(() => ({ kind: "effect" as const, name: "meter", text: this.textFrom(from), filters: true, key, span: this.span(kw) }));
  });

  private flowStmt = this.RULE("flowStmt", (): Stmt => {
    const kw = this.CONSUME(FlowKw);
    const from = this.pos - 1;
    this.needWord(1, new Set(["add", "offload"]), "'add' or 'offload'");
    const ft = this.need(2, SetRef, "a flowtable (@name)");
    return this.ACTION(() => ({ kind: "effect" as const, name: "flow", text: this.textFrom(from), filters: false, object: { type: "flowtable" as const, name: ft.image.replace(/^@/, "") }, span: this.span(kw) }));
  });

  /**
   * `add @s { ip saddr }`, `update @s { ip saddr timeout 10s limit rate 10/second }`, `delete @s { ... }`,
   * and for a map `update @m { ip saddr : tcp dport }`: as nft's grammar has it, the key, its
   * options (timeout, expires), the statements that run on the element (ELEMENT_STATEMENTS),
   * then for a map ':' and the data with its options.
   */
  private setopStmt = this.RULE("setopStmt", (): Stmt => {
    const op = this.OR([{ ALT: () => this.CONSUME(AddKw) }, { ALT: () => this.CONSUME(UpdateKw) }, { ALT: () => this.CONSUME(DeleteKw) }]);
    const set = this.CONSUME(SetRef);
    this.need(1, LCurly, "'{'");
    this.MANY(() => this.CONSUME(Newline));
    const elem = this.SUBRULE(this.concatExpr, { ARGS: [true] });
    const keyOptions: { kw: IToken; text: string }[] = [];
    const statements: { kw: IToken; text: string }[] = [];
    const dataOptions: { kw: IToken; text: string }[] = [];
    const option = (idx: number, gate: ReadonlySet<string>, into: { kw: IToken; text: string }[]) =>
      this.many(idx, {
        GATE: () => gate.has(this.LA(1).image),
        DEF: () => {
          const kw = this.LA(1);
          const o = this.subrule(idx, this.elementOption);
          this.ACTION(() => into.push({ kw, text: o[1] }));
        },
      });
    option(2, ELEMENT_NON_STATEMENTS, keyOptions);
    option(3, ELEMENT_STATEMENTS, statements);
    let data: Expr | undefined;
    this.OPTION(() => {
      this.CONSUME(Colon);
      data = this.SUBRULE2(this.concatExpr, { ARGS: [true] });
      option(4, ELEMENT_NON_STATEMENTS, dataOptions);
    });
    this.MANY5(() => this.CONSUME2(Newline));
    this.need(2, RCurly, data === undefined ? "':', '}', or what nft takes on the element: timeout, expires, then counter, limit, quota or ct count" : "'}' or 'expires'");
    return this.ACTION(() => {
      const s: Extract<Stmt, { kind: "setop" }> = { kind: "setop", op: op.image as "add", set: this.setRefName(set), elem, span: this.span(op) };
      if (data) s.data = data;
      // (nft 1.0.6: "Key expression comments are not supported", "Data expression timeouts are not supported")
      for (const o of keyOptions) if (o.kw.image === "comment") this.report(`a set statement's element takes no comment (nft: "Key expression comments are not supported")`, o.kw);
      for (const o of dataOptions) {
        if (o.kw.image !== "expires") this.report(`a ${o.kw.image} after a map statement's data is not taken: write it after the key (nft: "Data expression ${o.kw.image}s are not supported")`, o.kw);
      }
      // (`ct count over 2` is a connection limit: it filters like `limit`.)
      const effects = statements.map((o): EffectStmt => ({ kind: "effect", name: o.kw.image, text: o.text === "" ? o.kw.image : `${o.kw.image} ${o.text}`, filters: FILTERING_EFFECTS.has(o.kw.image) || o.kw.image === "ct", span: this.span(o.kw) }));
      if (effects.length > 0) s.effects = effects;
      const timeout = keyOptions.find((o) => o.kw.image === "timeout");
      if (timeout) s.timeout = this.span(timeout.kw);
      return s;
    });
  });

  /** The older `set add ip saddr @s` / `set update ip saddr timeout 1m @s`. */
  private oldSetStmt = this.RULE("oldSetStmt", (): Stmt => {
    const kw = this.CONSUME(SetKw);
    const op = this.needWord(1, new Set(["add", "update", "delete"]), "'add', 'update' or 'delete'");
    const elem = this.SUBRULE(this.concatExpr, { ARGS: [true] });
    this.MANY({ GATE: () => this.LA(1).tokenType !== SetRef, DEF: () => this.CONSUME(Plain) });
    const set = this.need(2, SetRef, "a set (@name)");
    return this.ACTION(() => ({ kind: "setop" as const, op: op.image as "add", set: this.setRefName(set), elem, span: this.span(kw) }));
  });
}

const V4_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}(?:-\d{1,3}(?:\.\d{1,3}){3})?):([0-9a-z\-]+)$/i;
const V6_PORT = /^\[([0-9a-fA-F:.]+)\](?:-\[([0-9a-fA-F:.]+)\])?(?::([0-9a-z\-]+))?$/i;

/**
 * `10.0.0.1:80` and `[2001:db8::1]:80` written as one word: address and port apart. A word with
 * one dash was read as a range of two sides that only look like addresses (`10.0.0.2:9000-9010`,
 * `10.0.0.2-10.0.0.3:8080`, as `nft list ruleset` prints them): it is taken whole again.
 */
function splitAddrPort(e: Expr): { addr: Expr; port?: Expr } {
  const word = e.kind === "value" && !e.quoted ? e.text : e.kind === "range" && e.low.kind === "value" && e.high.kind === "value" && !e.low.quoted && !e.high.quoted ? `${e.low.text}-${e.high.text}` : undefined;
  if (word === undefined) return { addr: e };
  const m4 = V4_PORT.exec(word);
  if (m4) return { addr: valueOf(m4[1]!, e.span), port: valueOf(m4[2]!, e.span) };
  if (e.kind !== "value") return { addr: e };
  const m6 = V6_PORT.exec(e.text);
  if (m6) {
    const addr: Expr = m6[2] !== undefined
      ? { kind: "range", low: { kind: "value", text: m6[1]!, span: e.span }, high: { kind: "value", text: m6[2], span: e.span }, span: e.span }
      : valueOf(m6[1]!, e.span);
    return m6[3] !== undefined ? { addr, port: valueOf(m6[3], e.span) } : { addr };
  }
  return { addr: e };
}

let instance: NftTextParser | undefined;

/** The parser, built on first use (self-analysis takes a moment; CLI start-up matters). */
export function nftTextParser(): NftTextParser {
  instance ??= new NftTextParser();
  return instance;
}
