/**
 * JSON documents as the vendor readers take them (nft JSON, AWS, GCP, Azure): parsed with a
 * precise place for a syntax error, lines of the text by offset, and the positioned tree of the
 * same text (JSON is YAML 1.2) for placing schema errors and the parts the readers keep.
 */
import { yamlLibs, type ParsedYaml } from "../src/engine/rule-pack.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Deepest nesting of arrays and objects the cloud readers take (AWS, GCP, Azure). Their documents
 * nest a few dozen levels; the readers, the schema validator and jsonPlaces walk a document
 * recursively, and one nested tens of thousands deep would overflow the stack. (The nft JSON reader
 * walks iteratively and refuses a too deep expression at its rule, reading the others.)
 */
export const MAX_JSON_DEPTH = 1000;

/**
 * The document, or where and why it is not JSON ("expected valid JSON (...)") or nests deeper
 * than `maxDepth`.
 */
export function parseJsonText(text: string, maxDepth = Infinity): { ok: true; data: Json } | { ok: false; line: number; column: number; message: string } {
  try {
    const data = JSON.parse(text) as Json;
    const deep = maxDepth === Infinity ? -1 : tooDeepAt(text, maxDepth);
    if (deep >= 0) {
      const pos = new Lines(text).at(deep);
      return { ok: false, line: pos.line, column: pos.column, message: `expected JSON nested at most ${maxDepth} levels deep (arrays and objects in one another), not deeper from here: not read` };
    }
    return { ok: true, data };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(msg);
    const lc = /line (\d+) column (\d+)/.exec(msg);
    const pos = lc ? { line: Number(lc[1]), column: Number(lc[2]) } : at ? new Lines(text).at(Number(at[1])) : syntaxErrorAt(text);
    return { ok: false, line: pos.line, column: pos.column, message: `expected valid JSON (${msg.replace(/^JSON\.parse: /, "")})` };
  }
}

/** The offset of the bracket that opens level maxDepth + 1 of a valid JSON text, or -1. */
function tooDeepAt(text: string, maxDepth: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: skip to its closing quote (escapes skipped with what they escape)
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 91 || c === 123) {
      if (++depth > maxDepth) return i;
    } else if (c === 93 || c === 125) depth--;
  }
  return -1;
}

/** A path into a JSON document as jsonPlaces keys it: `["a"][0]` - a member's name quoted, an index bare. */
export function pathKey(path: readonly (string | number)[]): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : `[${JSON.stringify(seg)}]`;
  return out;
}

/**
 * Where each value of a valid JSON text starts, and each object member's key, by path (pathKey):
 * one pass over the text, for readers that place every part they keep (a thousand security
 * groups: the yaml library's positioned tree took a second, this a few milliseconds).
 */
export function jsonPlaces(text: string): { value: Map<string, number>; key: Map<string, number> } {
  const value = new Map<string, number>();
  const key = new Map<string, number>();
  let i = 0;
  const ws = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  };
  /** Past the string literal at i (its quotes and escapes). */
  const skipString = (): void => {
    for (i++; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) i++;
      else if (c === 34) break;
    }
    i++;
  };
  const walk = (path: string): void => {
    ws();
    value.set(path, i);
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      for (let n = 0; text[i] !== close && i < text.length; n++) {
        let inner: string;
        if (c === "{") {
          const at = i;
          skipString();
          const raw = text.slice(at, i);
          // the name as pathKey quotes it: JSON's own quoting, unless the text escapes more than it would
          inner = `${path}[${/\\/.test(raw) ? JSON.stringify(JSON.parse(raw) as string) : raw}]`;
          key.set(inner, at);
          ws();
          i++; // ':'
        } else inner = `${path}[${n}]`;
        walk(inner);
        ws();
        if (text[i] === ",") i++;
        ws();
      }
      i++;
    } else if (c === '"') skipString();
    else while (i < text.length && !",}] \t\r\n".includes(text[i]!)) i++;
  };
  walk("");
  return { value, key };
}

export class Lines {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }
  at(offset: number): { line: number; column: number; text: string } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const start = this.starts[lo]!;
    const end = this.text.indexOf("\n", start);
    const line = this.text.slice(start, end < 0 ? undefined : end).replace(/\r$/, "");
    // `nft -j` prints everything on one line: keep the object's own text, not the whole line.
    const col = offset - start;
    const shown = line.length > 160 ? line.slice(col, col + 160) : line;
    return { line: lo + 1, column: col + 1, text: shown };
  }
}

/** Where JSON.parse failed, when its message does not say: the offset where a JSON scan stops. */
function syntaxErrorAt(text: string): { line: number; column: number } {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (depth: number): void => {
    if (depth > 10000) fail();
    ws();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      if (text[i] === close) return void i++;
      for (;;) {
        if (c === "{") {
          ws();
          if (text[i] !== '"') fail();
          value(depth + 1);
          ws();
          if (text[i] !== ":") fail();
          i++;
        }
        value(depth + 1);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === close) return void i++;
        else fail();
      }
    }
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      if (i >= text.length) fail();
      return void i++;
    }
    const m = /^(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail();
  } catch (e) {
    if (typeof e !== "number") throw e;
  }
  return new Lines(text).at(Math.min(i, text.length));
}

/** The YAML library's positioned tree of the same text (JSON is YAML 1.2): only built to place schema errors. */
export function positionedJson(text: string, file: string, data: Json): ParsedYaml {
  const { LineCounter, parseDocument } = yamlLibs().yaml;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  return { file, data, root: doc.errors.length === 0 ? ((doc.contents ?? null) as ParsedYaml["root"]) : null, lines };
}
