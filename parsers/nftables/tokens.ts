/**
 * Tokens of nftables text (chevrotain lexer) and the keyword classification that follows it.
 *
 * The lexer only knows the shape of words; keywords are found afterwards by one Map lookup per
 * word (`classifyKeywords`), which is much faster than one regex per keyword. Every keyword token
 * type has `Word` among its categories, so wherever the grammar wants a name (`chain input`,
 * `tcp dport`), any word - keyword or not - is accepted: nftables keywords are contextual.
 *
 * Word shape: letters, digits and `_ - / * % ~ [ ]`; a `.` or `:` inside a word belongs to it
 * (10.0.0.1, fe80::1, aa:bb:cc:dd:ee:ff, 10.0.0.1:80) but a standalone `.` is the concatenation
 * operator and a `:` followed by a blank is the map separator (`22 : accept`). A word may start
 * with `::` (IPv6). `#` starts a comment to the end of the line (kept in the `comments` group for
 * `# handle N`); `\` before a newline joins lines.
 *
 * Anything else is a one-character `Unexpected` token, so the lexer itself never fails and the
 * parser reports the character in context.
 */
import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";

// ---------------------------------------------------------------------------------------------
// Categories

/** Every token but braces and EOF: what a balanced skip may step over. */
export const NotBrace = createToken({ name: "NotBrace", pattern: Lexer.NA });
/** Every token but braces, newlines, `;` and EOF: what may appear inside one statement. */
export const Plain = createToken({ name: "Plain", pattern: Lexer.NA, categories: [NotBrace] });
/** Any word: names, values, and all keywords. */
export const Word = createToken({ name: "Word", pattern: Lexer.NA, categories: [Plain] });

/** Heads of expressions that read a packet field (a statement starting with one is a match). */
export const ExprHead = createToken({ name: "ExprHead", pattern: Lexer.NA, categories: [Word] });
export const PayloadHead = createToken({ name: "PayloadHead", pattern: Lexer.NA, categories: [ExprHead] });
export const MetaBareHead = createToken({ name: "MetaBareHead", pattern: Lexer.NA, categories: [ExprHead] });
export const OpaqueHead = createToken({ name: "OpaqueHead", pattern: Lexer.NA, categories: [ExprHead] });
/** accept, drop, continue, return. */
export const SimpleVerdict = createToken({ name: "SimpleVerdict", pattern: Lexer.NA, categories: [Word] });
export const JumpKw = createToken({ name: "JumpKw", pattern: Lexer.NA, categories: [Word] });
export const NatKw = createToken({ name: "NatKw", pattern: Lexer.NA, categories: [Word] });
/** Statements whose options are plain words: counter, log, limit, quota, notrack, last, xt. */
export const EffectKw = createToken({ name: "EffectKw", pattern: Lexer.NA, categories: [Word] });
/** Command verbs at statement start: add, create, insert, replace, delete, destroy, flush, ... */
export const VerbKw = createToken({ name: "VerbKw", pattern: Lexer.NA, categories: [Word] });

// ---------------------------------------------------------------------------------------------
// Concrete tokens produced by the lexer

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\f]+/, group: Lexer.SKIPPED });
export const LineJoin = createToken({ name: "LineJoin", pattern: /\\\r?\n/, group: Lexer.SKIPPED, line_breaks: true });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: "comments" });
export const Newline = createToken({ name: "Newline", pattern: /\n/, line_breaks: true, categories: [NotBrace] });
export const Str = createToken({ name: "Str", pattern: /"[^"\n]*"/, categories: [Plain] });
export const Unterminated = createToken({ name: "Unterminated", pattern: /"[^\n]*/, categories: [Plain] });
export const LCurly = createToken({ name: "LCurly", pattern: /{/ });
export const RCurly = createToken({ name: "RCurly", pattern: /}/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/, categories: [Plain] });
export const RParen = createToken({ name: "RParen", pattern: /\)/, categories: [Plain] });
export const Semi = createToken({ name: "Semi", pattern: /;/, categories: [NotBrace] });
export const Comma = createToken({ name: "Comma", pattern: /,/, categories: [Plain] });
export const EqEq = createToken({ name: "EqEq", pattern: /==/, categories: [Plain] });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/, categories: [Plain] });
export const Le = createToken({ name: "Le", pattern: /<=/, categories: [Plain] });
export const Ge = createToken({ name: "Ge", pattern: />=/, categories: [Plain] });
export const Shl = createToken({ name: "Shl", pattern: /<</, categories: [Plain] });
export const Shr = createToken({ name: "Shr", pattern: />>/, categories: [Plain] });
export const Lt = createToken({ name: "Lt", pattern: /</, categories: [Plain] });
export const Gt = createToken({ name: "Gt", pattern: />/, categories: [Plain] });
export const Equals = createToken({ name: "Equals", pattern: /=/, categories: [Plain] });
export const Amp = createToken({ name: "Amp", pattern: /&/, categories: [Plain] });
export const Pipe = createToken({ name: "Pipe", pattern: /\|/, categories: [Plain] });
export const Caret = createToken({ name: "Caret", pattern: /\^/, categories: [Plain] });
export const Plus = createToken({ name: "Plus", pattern: /\+/, categories: [Plain] });
export const Dot = createToken({ name: "Dot", pattern: /\./, categories: [Plain] });
export const Colon = createToken({ name: "Colon", pattern: /:/, categories: [Plain] });
export const Variable = createToken({ name: "Variable", pattern: /\$[A-Za-z_][A-Za-z0-9_]*/, categories: [Plain] });
/** Raw payload expressions `@nh,16,8`, `@th,0,16`. */
export const RawPayload = createToken({ name: "RawPayload", pattern: /@(?:ll|nh|th|ih),\d+,\d+/, categories: [ExprHead] });
export const SetRef = createToken({ name: "SetRef", pattern: /@[A-Za-z0-9_][A-Za-z0-9_.\-/]*/, categories: [Plain] });

function isWordChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
    c === 95 /* _ */ || c === 45 /* - */ || c === 47 /* / */ || c === 42 /* * */ || c === 37 /* % */ ||
    c === 126 /* ~ */ || c === 91 /* [ */ || c === 93 /* ] */ || c > 127
  );
}

/** A word (see the module comment). Linear: one forward scan. */
function matchWord(text: string, offset: number): RegExpExecArray | null {
  const n = text.length;
  let i = offset;
  const c0 = text.charCodeAt(i);
  if (c0 === 58 /* : */) {
    if (text.charCodeAt(i + 1) !== 58) return null; // a lone ':' is the Colon token
    i += 2;
  } else if (isWordChar(c0)) i++;
  else return null;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isWordChar(c)) {
      i++;
      continue;
    }
    if (c === 46 /* . */) {
      const d = text.charCodeAt(i + 1);
      if (isWordChar(d)) {
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
  const m = [text.slice(offset, i)] as unknown as RegExpExecArray;
  m.index = offset;
  return m;
}

const WORD_START: string[] = [":"];
for (let c = 0; c < 65536; c++) if (isWordChar(c)) WORD_START.push(String.fromCharCode(c));

export const WordTok = createToken({
  name: "WordTok",
  pattern: { exec: matchWord },
  line_breaks: false,
  start_chars_hint: WORD_START,
  categories: [Word],
});
function matchOne(text: string, offset: number): RegExpExecArray | null {
  const m = [text.charAt(offset)] as unknown as RegExpExecArray;
  m.index = offset;
  return m;
}
const ANY_START: string[] = [];
for (let c = 33; c < 128; c++) ANY_START.push(String.fromCharCode(c));
/** Any other character (`!`, `'`, control characters): the parser reports it where it stands. */
export const Unexpected = createToken({
  name: "Unexpected",
  pattern: { exec: matchOne },
  line_breaks: false,
  start_chars_hint: ANY_START,
  categories: [Plain],
});

// ---------------------------------------------------------------------------------------------
// Keywords (assigned after lexing by classifyKeywords)

const keywordTypes = new Map<string, TokenType>();
const allKeywordTypes: TokenType[] = [];

function kw(name: string, words: string[], categories: TokenType[] = [Word]): TokenType {
  const t = createToken({ name, pattern: Lexer.NA, categories });
  for (const w of words) keywordTypes.set(w, t);
  allKeywordTypes.push(t);
  return t;
}

export const TableKw = kw("TableKw", ["table"]);
export const ChainKw = kw("ChainKw", ["chain"]);
export const SetKw = kw("SetKw", ["set"]);
export const MapKw = kw("MapKw", ["map"]);
export const VmapKw = kw("VmapKw", ["vmap"]);
export const TypeKw = kw("TypeKw", ["type"]);
export const TypeofKw = kw("TypeofKw", ["typeof"]);
export const PolicyKw = kw("PolicyKw", ["policy"]);
export const DevicesKw = kw("DevicesKw", ["devices"]);
export const FlagsKw = kw("FlagsKw", ["flags"]);
export const ElementsKw = kw("ElementsKw", ["elements"]);
export const CommentKw = kw("CommentKw", ["comment"]);
export const DefineKw = kw("DefineKw", ["define", "redefine"]);
export const UndefineKw = kw("UndefineKw", ["undefine"]);
export const IncludeKw = kw("IncludeKw", ["include"]);
export const AddKw = kw("AddKw", ["add"], [VerbKw]);
export const DeleteKw = kw("DeleteKw", ["delete"], [VerbKw]);
export const UpdateKw = kw("UpdateKw", ["update"]);
export const OtherVerbKw = kw("OtherVerbKw", ["create", "insert", "replace", "destroy", "flush"], [VerbKw]);
/** Commands that change nothing fwlint analyses (or that it cannot follow): read as `other`. */
export const InfoVerbKw = kw("InfoVerbKw", ["list", "reset", "rename", "monitor", "describe", "export", "import", "get"]);
export const MetaKw = kw("MetaKw", ["meta"], [ExprHead]);
export const CtKw = kw("CtKw", ["ct"], [ExprHead]);
export const FibKw = kw("FibKw", ["fib"], [ExprHead]);
export const PayloadKw = kw("PayloadKw", [
  "ip", "ip6", "tcp", "udp", "udplite", "sctp", "dccp", "th", "icmp", "icmpv6", "igmp", "ah", "esp", "comp", "ether", "vlan",
  "arp", "gre", "gretap", "geneve", "vxlan", "ipip", "ip6ip",
], [PayloadHead]);
export const MetaBareKw = kw("MetaBareKw", [
  "iif", "iifname", "iiftype", "oif", "oifname", "oiftype", "skuid", "skgid", "nftrace", "rtclassid", "ibriport", "obriport",
  "ibrname", "obrname", "pkttype", "cpu", "iifgroup", "oifgroup", "cgroup", "mark",
], [MetaBareHead]);
export const OpaqueKw = kw("OpaqueKw", [
  "rt", "rt0", "rt2", "rt4", "exthdr", "frag", "hbh", "dst", "mh", "srh", "osf", "socket", "numgen", "jhash", "symhash", "ipsec", "tunnel",
], [OpaqueHead]);
export const SimpleVerdictKw = kw("SimpleVerdictKw", ["accept", "drop", "continue", "return"], [SimpleVerdict]);
export const QueueKw = kw("QueueKw", ["queue"]);
export const JumpGotoKw = kw("JumpGotoKw", ["jump", "goto"], [JumpKw]);
export const RejectKw = kw("RejectKw", ["reject"]);
export const NatWordKw = kw("NatWordKw", ["dnat", "snat", "masquerade", "redirect"], [NatKw]);
export const CounterKw = kw("CounterKw", ["counter"], [EffectKw]);
export const QuotaKw = kw("QuotaKw", ["quota"], [EffectKw]);
export const LimitKw = kw("LimitKw", ["limit"], [EffectKw]);
export const OtherEffectKw = kw("OtherEffectKw", ["log", "notrack", "last", "xt"], [EffectKw]);
export const MeterKw = kw("MeterKw", ["meter"]);
export const DupKw = kw("DupKw", ["dup", "fwd", "tproxy"]);
export const SynproxyKw = kw("SynproxyKw", ["synproxy"]);
export const FlowKw = kw("FlowKw", ["flow"]);
export const RelWordKw = kw("RelWordKw", ["eq", "ne", "lt", "gt", "le", "ge"]);

export const allTokens: TokenType[] = [
  WhiteSpace, LineJoin, Comment, Newline, Str, Unterminated, LCurly, RCurly, LParen, RParen, Semi, Comma,
  EqEq, NotEq, Le, Ge, Shl, Shr, Lt, Gt, Equals, Amp, Pipe, Caret, Plus, Dot, Variable, RawPayload, SetRef,
  WordTok, Colon, Unexpected,
  // Categories and keywords never match text; listed so both lexer and parser know them.
  NotBrace, Plain, Word, ExprHead, PayloadHead, MetaBareHead, OpaqueHead, SimpleVerdict, JumpKw, NatKw, EffectKw, VerbKw,
  ...allKeywordTypes,
];

let lexer: Lexer | undefined;

/** The chevrotain lexer, built on first use (not at module load: CLI start-up matters). */
export function nftLexer(): Lexer {
  lexer ??= new Lexer(allTokens, { positionTracking: "onlyStart", ensureOptimizations: true, skipValidations: true });
  return lexer;
}

/** Turns words that are keywords into their keyword token type, in place. */
export function classifyKeywords(tokens: IToken[]): void {
  for (const t of tokens) {
    if (t.tokenType !== WordTok) continue;
    const k = keywordTypes.get(t.image);
    if (k !== undefined) {
      t.tokenType = k;
      t.tokenTypeIdx = k.tokenTypeIdx!;
    }
  }
}

export interface LexedText {
  tokens: IToken[];
  /** `#` comments, for `# handle N`. */
  comments: IToken[];
}

export function lexNft(text: string): LexedText {
  const r = nftLexer().tokenize(text);
  classifyKeywords(r.tokens);
  return { tokens: r.tokens, comments: r.groups["comments"] ?? [] };
}
