/**
 * What nft's grammar (1.0.6, parser_bison.y) takes after a statement's keyword and inside an
 * object's body, word by word, where fwlint's reader takes the words as they come: the options of
 * `counter`, `log`, `quota` and of a set element, and the items of a named object's body
 * (`counter c { packets 0 bytes 0 }`, `ct helper h { type "ftp" protocol tcp; }`). The reader
 * reports the first word that has no place there: nft refuses the whole file.
 */
import type { IToken } from "chevrotain";
import type { NftFamily, ObjectType } from "./ast.js";
import { NFT_FAMILIES } from "./ast.js";
import { NFT_NUMBER } from "./datatypes.js";
import { NFT_KEYWORDS } from "./keywords.js";
import { describeToken } from "./preprocess.js";
import { LCurly, Newline, RCurly, Semi, Str } from "./tokens.js";
import { nameTable } from "../../src/model/name-table.js";

/**
 * A word nft's scanner takes whole as a string that starts with a digit: a time in the order
 * d, h, m, s, ms, each unit at most once (its `timestring`: `1h30m`, `500ms`; `30m1h` is two
 * words), or digits with a leading 0 and an 8 or 9 after it (`08`, `0099`: no octal number).
 */
export const TIME = /^(?=\d)(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$|^0\d*[89]\d*$/;

/**
 * A word starting with a digit that nft's scanner reads as a number, not a string (`65536`,
 * `0x10`, `1abc`, `1.2`, `1-2`): nft refuses it as a name. An address, a time (`10m`, and `08`,
 * which is no octal number) or anything with a ':' (`10.0.0.1`, `::1`) it scans as a string, and takes.
 */
export function scannedAsNumber(word: string): boolean {
  return /^\d/.test(word) && !word.includes(":") && !/^\d{1,3}(?:\.\d{1,3}){3}$/.test(word) && !TIME.test(word);
}

/** A word nft's scanner reads as one string: a letter, '_' or '.', then letters, digits, '/', '-', '_' and '.'. */
export const NFT_STRING = /^[A-Za-z_.][A-Za-z0-9/\-_.]*$/;

/**
 * Does nft (1.0.6, time_parse) read `word` as a time? A word that starts with a digit must be
 * one TIME scans whole. Then nft's time reader takes digits and the units d, h, m, s, and ms at
 * the end, in any order, each unit once, a unit with no digits before it counting 0 (`h45s` is
 * 45 s) and digits with no unit after them left out (`45s1` is 45 s); a run of more than 8
 * digits is "value too large", any other character "wrong time format". A word that starts with
 * a letter must be a string to the scanner, not a keyword (`mh`).
 */
export function nftTime(word: string): boolean {
  if (/^\d/.test(word) ? !TIME.test(word) : !NFT_STRING.test(word) || NFT_KEYWORDS.has(word)) return false;
  const units = new Set<string>();
  let digits = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (c >= "0" && c <= "9") {
      if (digits++ >= 8) return false;
      continue;
    }
    let unit = c;
    if (c === "m" && i === word.length - 2 && word[i + 1] === "s") {
      unit = "ms";
      i++;
    } else if (!"dhms".includes(c)) return false;
    if (units.has(unit)) return false;
    units.add(unit);
    digits = 0;
  }
  return true;
}
/** What nft 1.0.6 takes after `limit rate`: packets per time unit with a burst in packets, or bytes per time unit with a burst in bytes (group 1: a packet burst). */
const LIMIT_RATE = /^(?:over )?(?:(?:\d+|0x[0-9a-f]+)\/(?:second|minute|hour|day|week)(?: burst (\d+) packets)?|\d+ (?:bytes|kbytes|mbytes)\/(?:second|minute|hour|day|week)(?: burst \d+ (?:bytes|kbytes|mbytes))?)$/;
/**
 * The words after `limit rate` (`over 10 / second burst 5 packets`) read as nft reads a rate
 * (LIMIT_RATE, blanks around '/' dropped), with the rate as written then; null when nft refuses it.
 */
export function limitRate(text: string): { rate: string; packetBurst?: string } | null {
  const rate = text.replace(/\s*\/\s*/g, "/");
  const m = LIMIT_RATE.exec(rate);
  return m ? { rate, ...(m[1] !== undefined ? { packetBurst: m[1] } : {}) } : null;
}

/** What may follow `counter`, `log`, `quota` (nft 1.0.6's grammar), for the message on a word that is none of it. */
export const OPTION_GRAMMAR: Readonly<Record<string, string>> = nameTable({
  counter: "'packets N', 'bytes N'",
  log: "a log option (prefix, level, group, snaplen, queue-threshold, flags)",
  quota: "[over|until] N bytes|kbytes|mbytes [used N bytes|kbytes|mbytes]",
});
/** Element options that take one value (a time, a quoted comment). */
export const ONE_VALUE_OPTIONS: ReadonlySet<string> = new Set(["timeout", "expires", "comment"]);
const LOG_VALUED: ReadonlySet<string> = new Set(["prefix", "level", "group", "snaplen", "queue-threshold"]);
const QUOTA_UNITS: ReadonlySet<string> = new Set(["bytes", "kbytes", "mbytes"]);
const FAMILIES: ReadonlySet<string> = new Set<NftFamily>(NFT_FAMILIES);
const SYNPROXY_WORDS: ReadonlySet<string> = new Set(["mss", "wscale", "timestamp", "sack-perm"]);

/**
 * Where the words after a `counter`, `log` or `quota` statement's keyword (or an element's `ct`)
 * stop fitting nft's grammar: the index of the first word with no place there (words.length when
 * one is missing at the end), or -1 when all fit (and for other statements). `counter` takes
 * `packets N` and `bytes N` pairs; `log` its options with a value each, and `flags` with `all`,
 * `skuid`, `ether`, `ip options` or `tcp` and a comma list of `sequence`/`options`; `quota` an
 * amount and unit and a `used` amount; `ct` `count [over] N`. Values are checked for their form elsewhere (the reader's OPTIONS_WITH_VALUE).
 * The option words stepped over are added to `options`.
 */
export function strayOption(name: string, words: readonly { image: string }[], options = new Set<string>()): number {
  const at = (i: number) => words[i]?.image;
  let i = 0;
  switch (name) {
    case "counter":
      while (i < words.length && (at(i) === "packets" || at(i) === "bytes")) {
        if (!NFT_NUMBER.test(at(i + 1) ?? "")) return i + 1;
        i += 2;
      }
      return i < words.length ? i : -1;
    case "log":
      while (i < words.length) {
        const w = at(i)!;
        options.add(w);
        if (LOG_VALUED.has(w)) i += 2;
        else if (w !== "flags") return i;
        else if (at(i + 1) === "all" || at(i + 1) === "skuid" || at(i + 1) === "ether") i += 2;
        else if (at(i + 1) === "ip" && at(i + 2) === "options") i += 3;
        else if (at(i + 1) === "tcp" && (at(i + 2) === "sequence" || at(i + 2) === "options")) {
          i += 3;
          while (at(i) === "," && (at(i + 1) === "sequence" || at(i + 1) === "options")) i += 2;
        } else return i + 1;
      }
      return -1;
    case "quota":
      if (at(0) === "over" || at(0) === "until") i++;
      if (!NFT_NUMBER.test(at(i) ?? "")) return i;
      if (!QUOTA_UNITS.has(at(i + 1) ?? "")) return i + 1;
      i += 2;
      if (at(i) === "used") {
        if (!NFT_NUMBER.test(at(i + 1) ?? "")) return i + 1;
        if (!QUOTA_UNITS.has(at(i + 2) ?? "")) return i + 2;
        i += 3;
      }
      return i < words.length ? i : -1;
    case "ct":
      if (at(0) !== "count") return 0;
      i = at(1) === "over" ? 2 : 1;
      if (!NFT_NUMBER.test(at(i) ?? "")) return i;
      return i + 1 < words.length ? i + 1 : -1;
    default:
      return -1;
  }
}

/**
 * What nft refuses in a `log` statement's options that fit its grammar (its evaluation of a log
 * statement): group, snaplen and queue-threshold log to a netlink group, level and flags to the
 * kernel log - not both -; `level audit` takes nothing else. `words` fit strayOption, and `given`
 * holds the option words it stepped over.
 */
export function logConflict(words: readonly IToken[], given: ReadonlySet<string>): string | undefined {
  const group = given.has("group") || given.has("snaplen") || given.has("queue-threshold");
  if (group && given.has("level")) return `a log to a netlink group ('group', 'snaplen', 'queue-threshold') takes no 'level' (nft: "level and group are mutually exclusive")`;
  if (group && given.has("flags")) return `a log to a netlink group ('group', 'snaplen', 'queue-threshold') takes no 'flags' (nft: "flags and group are mutually exclusive")`;
  const level = words.findIndex((w) => w.image === "level");
  if (given.has("level") && words[level + 1]?.image === "audit" && words.length > 2) return `'log level audit' takes no other option (nft: "log level audit doesn't support any further options")`;
  return undefined;
}

/** The connection states a `ct timeout` policy names, per protocol (nft 1.0.6: "invalid state for this protocol"). */
const TIMEOUT_STATES: Readonly<Record<string, ReadonlySet<string>>> = nameTable({
  tcp: new Set(["syn_sent", "syn_recv", "established", "fin_wait", "close_wait", "last_ack", "time_wait", "close", "syn_sent2", "retrans", "unack"]),
  udp: new Set(["unreplied", "replied"]),
});

/** The items an object's body takes besides `comment`, for the message. */
const BODY_ITEMS: Partial<Record<ObjectType, string>> = nameTable({
  counter: "'packets N bytes N'",
  quota: OPTION_GRAMMAR.quota!,
  limit: "'rate N/second ...'",
  "ct helper": "'type \"NAME\" protocol tcp|udp', 'l3proto FAMILY'",
  "ct timeout": "'protocol tcp|udp', 'policy = { STATE: N, ... }', 'l3proto FAMILY'",
  "ct expectation": "'protocol tcp|udp', 'dport N', 'timeout TIME', 'size N', 'l3proto FAMILY'",
  synproxy: "'mss N', 'wscale N', 'timestamp', 'sack-perm'",
});

/** What is wrong in an object's body: where, and the message. */
export interface BodyMisfit {
  at: IToken;
  message: string;
}

/**
 * The first thing in a named object's body (the tokens between its braces, `close` the closing
 * one) nft refuses, for the objects whose bodies nft's grammar fixes: each line or ';'-separated
 * item is a `comment`, or for a counter `packets N bytes N` (both, in that order), for a quota one
 * or more amounts, for a limit a rate, for a ct helper `type "NAME" protocol tcp|udp` or
 * `l3proto FAMILY`, for a ct timeout `protocol`, `l3proto` or a `policy = { STATE: N, ... }` of
 * the protocol's states (N seconds, or a time as newer nft writes it), for a ct expectation `protocol`, `dport N`, `timeout TIME`, `size N`,
 * `l3proto` - the first four all given ("missing options"), and `l3proto` in an inet table (the
 * kernel: "Address family not supported by protocol") -, for a synproxy `mss N wscale N
 * [timestamp] [sack-perm]` in that order. A ct object's items each end with a newline or ';',
 * also the last. Undefined for other objects, or when all fit.
 */
export function objectBodyMisfit(type: ObjectType, family: NftFamily, body: readonly IToken[], close: IToken, declared: IToken): BodyMisfit | undefined {
  const expected = BODY_ITEMS[type];
  if (expected === undefined) return undefined;
  const misfit = (at: IToken | undefined, what = `${expected} or 'comment "..."'`): BodyMisfit => ({ at: at ?? close, message: `expected ${what} in the ${type} declaration, found ${describeToken(at ?? close)}` });
  const given = new Map<string, IToken>();
  const states: IToken[] = [];
  const synproxy: IToken[] = [];
  let item: IToken[] = [];
  let depth = 0;
  let lastSeparated = true;
  for (const t of [...body, undefined]) {
    if (t !== undefined) {
      if (t.tokenType === LCurly) depth++;
      if (t.tokenType === RCurly) depth--;
      if (depth > 0 || (t.tokenType !== Newline && t.tokenType !== Semi)) {
        item.push(t);
        lastSeparated = false;
        continue;
      }
      lastSeparated = true;
    }
    if (item.length === 0) continue;
    const w = item.map((x) => x.image);
    // (a comment is a quoted string or a word that is no nft keyword: `comment meta` is refused)
    const bad = w[0] === "comment" ? (item.length !== 2 ? 2 : NFT_KEYWORDS.has(w[1]!) && item[1]!.tokenType !== Str ? 1 : -1) : itemMisfit(type, w);
    if (bad >= 0) return misfit(item[bad] ?? t);
    if (w[0] !== "comment") given.set(w[0]!, item[0]!);
    if (type === "ct timeout" && w[0] === "policy") for (let i = 3; i < item.length; i += 4) states.push(item[i]!);
    if (type === "synproxy" && w[0] !== "comment") synproxy.push(...item);
    item = [];
  }
  if (type.startsWith("ct ") && !lastSeparated) return misfit(close, "a newline or ';' after the last item (nft ends each one with it)");
  if (type === "ct timeout" && states.length > 0) {
    const protocolAt = given.get("protocol");
    const protocol = protocolAt ? itemValue(body, protocolAt) : undefined;
    const known = TIMEOUT_STATES[protocol ?? ""];
    const wrong = states.find((s) => !known?.has(s.image));
    if (wrong) return { at: wrong, message: `expected a ${protocol ?? "tcp"} connection state (${[...(known ?? TIMEOUT_STATES.tcp!)].join(", ")}) in the ct timeout policy, found '${wrong.image}' (nft: "invalid state for this protocol")` };
  }
  const l3At = given.get("l3proto");
  const l3 = l3At ? itemValue(body, l3At) : undefined;
  // (a bridge table's connection tracking is a module of its own, which a host may lack: not told)
  if ((type.startsWith("ct ") || type === "synproxy") && (family === "netdev" || family === "arp")) {
    return { at: declared, message: `a ${type} cannot be declared in ${tableOf(family)}: the kernel tracks connections of ip, ip6 and inet tables ("Protocol error")` };
  }
  if (type === "ct helper" && l3 !== undefined && (family === "ip" || family === "ip6") && (l3 === "ip" || l3 === "ip6") && l3 !== family) {
    return { at: l3At!, message: `'l3proto ${l3}' in ${tableOf(family)}: the kernel takes a helper of the table's family (or inet) only ("Invalid argument")` };
  }
  if (type === "ct expectation") {
    const missing = ["protocol", "dport", "timeout", "size"].filter((k) => !given.has(k));
    if (missing.length > 0) return { at: declared, message: `a ct expectation needs ${missing.map((k) => `'${k}'`).join(", ")} too (nft: "missing options")` };
    if (l3 !== undefined && l3 !== "ip" && l3 !== "ip6") return { at: l3At!, message: `a ct expectation's 'l3proto' is ip or ip6, found '${l3}' (the kernel: "Address family not supported by protocol")` };
    if (l3 !== undefined && (family === "ip" || family === "ip6") && l3 !== family) return { at: l3At!, message: `'l3proto ${l3}' in ${tableOf(family)}: the kernel takes an expectation of the table's family only ("Invalid argument")` };
    if (family === "inet" && l3 === undefined) return { at: declared, message: `a ct expectation in an inet table needs 'l3proto ip' or 'l3proto ip6' (the kernel: "Address family not supported by protocol")` };
  }
  if (type === "synproxy" && synproxy.length > 0) {
    const order = ["mss", "N", "wscale", "N", "timestamp?", "sack-perm?"];
    let i = 0;
    for (const want of order) {
      const word = synproxy[i]?.image;
      if (want === "N") {
        if (!NFT_NUMBER.test(word ?? "")) return misfit(synproxy[i]);
      } else if (want.endsWith("?")) {
        if (word !== want.slice(0, -1)) continue;
      } else if (word !== want) return misfit(synproxy[i], "'mss N wscale N [timestamp] [sack-perm]', in that order,");
      i++;
    }
    if (i < synproxy.length) return misfit(synproxy[i]);
  }
  return undefined;
}

/** "an ip table", "a netdev table". */
function tableOf(family: NftFamily): string {
  return `${family === "netdev" || family === "bridge" ? "a" : "an"} ${family} table`;
}

/** The value of an item (`protocol tcp`, `l3proto ip`) whose first token is `at`. */
function itemValue(body: readonly IToken[], at: IToken): string | undefined {
  return body[body.indexOf(at) + 1]?.image;
}

/** Where one item of an object's body stops fitting (see objectBodyMisfit): an index into `w`, w.length when one is missing, or -1. */
function itemMisfit(type: ObjectType, w: readonly string[]): number {
  const seq = (want: readonly (string | ((x: string) => boolean))[]): number => {
    const bad = want.findIndex((p, i) => (typeof p === "string" ? w[i] !== p : w[i] === undefined || !p(w[i]!)));
    if (bad >= 0) return bad;
    return w.length > want.length ? want.length : -1;
  };
  const num = (x: string) => NFT_NUMBER.test(x);
  const l4 = (x: string) => x === "tcp" || x === "udp";
  const family = (x: string) => FAMILIES.has(x);
  switch (type) {
    case "counter":
      return seq(["packets", num, "bytes", num]);
    case "quota": {
      for (let rest = w; rest.length > 0; ) {
        const k = strayOption("quota", rest.map((image) => ({ image })));
        if (k < 0) return -1;
        const next = rest[k];
        if (k === 0 || next === undefined || (!NFT_NUMBER.test(next) && next !== "over" && next !== "until")) return w.length - rest.length + k;
        rest = rest.slice(k);
      }
      return -1;
    }
    case "limit":
      if (w[0] !== "rate") return 0;
      return limitRate(w.slice(1).join(" ")) ? -1 : 1;
    case "ct helper":
      return w[0] === "l3proto" ? seq(["l3proto", family]) : seq(["type", (x) => x.startsWith('"'), "protocol", l4]);
    case "ct timeout":
      if (w[0] === "protocol") return seq(["protocol", l4]);
      if (w[0] === "l3proto") return seq(["l3proto", family]);
      if (w[0] !== "policy") return 0;
      // policy = { established: 120, close: 10 }
      if (w[1] !== "=") return 1;
      if (w[2] !== "{") return 2;
      for (let i = 3; ; i += 4) {
        if (w[i] === undefined || w[i] === "}" || w[i + 1] !== ":") return w[i + 1] === undefined ? i : i + 1;
        // (a number of seconds; nft newer than 1.0.6 writes a time, `established: 2m3s`)
        if (!NFT_NUMBER.test(w[i + 2] ?? "") && !nftTime(w[i + 2] ?? "")) return i + 2;
        if (w[i + 3] === "}") return w.length > i + 4 ? i + 4 : -1;
        if (w[i + 3] !== ",") return i + 3;
      }
    case "ct expectation": {
      const value: Readonly<Record<string, (x: string) => boolean>> = nameTable({ protocol: l4, dport: num, timeout: nftTime, size: num, l3proto: family });
      const check = value[w[0]!];
      return check ? seq([w[0]!, check]) : 0;
    }
    case "synproxy":
      // the order across items is checked over the whole body
      return w.findIndex((x) => !SYNPROXY_WORDS.has(x) && !NFT_NUMBER.test(x));
    default:
      return -1;
  }
}

