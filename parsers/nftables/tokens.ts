/**
 * The token vocabulary of nftables text (chevrotain token types) and the keyword table.
 *
 * scan.ts produces these tokens in one forward scan; the grammar (text-parser.ts) is a chevrotain
 * parser over them. Keywords are found by one Map lookup per word. Every keyword token type has
 * `Word` among its categories, so wherever the grammar wants a name (`chain input`, `tcp dport`),
 * any word - keyword or not - is accepted: nftables keywords are contextual.
 *
 * Word shape: letters, digits and `_ - / * % ~ [ ]` (and any non-ASCII character); a `.` or `:`
 * inside a word belongs to it (10.0.0.1, fe80::1, aa:bb:cc:dd:ee:ff, 10.0.0.1:80) but a
 * standalone `.` is the concatenation operator and a `:` followed by a blank is the map separator
 * (`22 : accept`). A word may start with `::` (IPv6). `#` starts a comment to the end of the line
 * (kept apart for `# handle N`); `\` before a newline joins lines. Anything else is a
 * one-character `Unexpected` token, so scanning never fails and the parser reports the character
 * in context.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

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
// Concrete tokens (produced by scan.ts)

const tok = (name: string, categories: TokenType[] = []): TokenType => createToken({ name, pattern: Lexer.NA, categories });

export const Newline = tok("Newline", [NotBrace]);
export const Str = tok("Str", [Plain]);
/**
 * Plain elements of a set's `elements = { ... }` list on one line (`1.2.3.4, 10.0.0.0/8, 22-25,`):
 * one token for the run instead of one per element and comma (scan.ts, ElementRunToken). Its image
 * and position are its first element's.
 */
export const ElementRun = tok("ElementRun", [Plain]);
/** A double quote never closed on its line: the rest of the line. */
export const Unterminated = tok("Unterminated", [Plain]);
export const LCurly = tok("LCurly");
export const RCurly = tok("RCurly");
export const LParen = tok("LParen", [Plain]);
export const RParen = tok("RParen", [Plain]);
export const Semi = tok("Semi", [NotBrace]);
export const Comma = tok("Comma", [Plain]);
export const EqEq = tok("EqEq", [Plain]);
export const NotEq = tok("NotEq", [Plain]);
export const Le = tok("Le", [Plain]);
export const Ge = tok("Ge", [Plain]);
export const Shl = tok("Shl", [Plain]);
export const Shr = tok("Shr", [Plain]);
export const Lt = tok("Lt", [Plain]);
export const Gt = tok("Gt", [Plain]);
export const Equals = tok("Equals", [Plain]);
export const Amp = tok("Amp", [Plain]);
export const Pipe = tok("Pipe", [Plain]);
export const Caret = tok("Caret", [Plain]);
export const Plus = tok("Plus", [Plain]);
export const Dot = tok("Dot", [Plain]);
/** `!` alone: the negation of a bitmask (`tcp flags ! fin,syn`, as `nft list ruleset` writes it). */
export const Bang = tok("Bang", [Plain]);
export const Colon = tok("Colon", [Plain]);
/** `$NAME` (replaced by the define's value before parsing). */
export const Variable = tok("Variable", [Plain]);
/** Raw payload expressions `@nh,16,8`, `@th,0,16`, and raw options `tcp option @30,0,8`. */
export const RawPayload = tok("RawPayload", [ExprHead]);
export const SetRef = tok("SetRef", [Plain]);
/** A word that is not a keyword. */
export const WordTok = tok("WordTok", [Word]);
/** Any other character (`!`, `'`, control characters). */
export const Unexpected = tok("Unexpected", [Plain]);

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
  Newline, Str, ElementRun, Unterminated, LCurly, RCurly, LParen, RParen, Semi, Comma, EqEq, NotEq, Le, Ge, Shl, Shr, Lt, Gt, Equals, Amp,
  Pipe, Caret, Plus, Dot, Bang, Colon, Variable, RawPayload, SetRef, WordTok, Unexpected,
  NotBrace, Plain, Word, ExprHead, PayloadHead, MetaBareHead, OpaqueHead, SimpleVerdict, JumpKw, NatKw, EffectKw, VerbKw,
  ...allKeywordTypes,
];

/** The keyword token type of a word, if it is one. */
export function keywordType(image: string): TokenType | undefined {
  return keywordTypes.get(image);
}
