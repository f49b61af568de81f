/**
 * Aerleon's YAML policy files (`filters: - header: {targets: {PLATFORM: OPTIONS}} terms: [...]`)
 * and their YAML include files (`terms: [...]`, `filters_include_only: [...]`), read into the same
 * filters as a .pol file (policy.ts). A value is a word, a space-separated list of words or a YAML
 * list of them; `- include: FILE.yaml` in a list of terms or filters is replaced by the file's,
 * taken relative to the base folder (aerleon's docs/reference/yaml_reference.md).
 */
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from "yaml";
import { readYaml } from "./yaml-doc.js";
import type { Diagnostic } from "../../src/model/types.js";
import { readInclude, type FilterAst, type IncludeContext, type Item, type PolicyAst, type Pos, type TermAst, type Word } from "./policy.js";

type Say = (severity: Diagnostic["severity"], pos: Pos, message: string, extra?: Partial<Diagnostic>) => void;

interface Doc {
  top: YAMLMap;
  place: (n: unknown) => Pos;
}

function readDoc(text: string, file: string, say: Say): Doc | undefined {
  const yaml = readYaml(text, file, say);
  if (!yaml) return undefined;
  if (!isMap(yaml.contents)) {
    say("error", { file, line: 1, column: 1 }, "expected a mapping with 'filters:' (a policy) or 'terms:' (an include file)");
    return undefined;
  }
  return { top: yaml.contents, place: yaml.place };
}

/** A value as words: a scalar split at blanks, or a list of scalars. */
function wordsOf(n: unknown, place: (n: unknown) => Pos): Word[] {
  if (isScalar(n)) {
    if (n.value === null) return [];
    const text = String(n.value);
    const pos = place(n);
    // (a multi-line scalar's words all take its place)
    return text.split(/\s+/).filter(Boolean).map((w) => ({ text: w, pos }));
  }
  if (isSeq(n)) return n.items.flatMap((i) => wordsOf(i, place));
  return [];
}

export function parsePolicyYaml(text: string, file: string, inc: IncludeContext | undefined, say: Say): PolicyAst {
  const included = new Map<string, string[]>();

  const include = (value: unknown, at: Doc, depth: number): Doc | undefined => {
    const file = readInclude(isScalar(value) ? String(value.value) : "", ".yaml", at.place(value), inc, depth, say, included);
    return file && readDoc(file.text, file.shown, say);
  };

  const termsOf = (list: unknown, at: Doc, depth: number): TermAst[] => {
    if (!isSeq(list)) {
      say("error", at.place(list), "terms: expected a list");
      return [];
    }
    const out: TermAst[] = [];
    for (const t of list.items) {
      if (!isMap(t)) {
        say("error", at.place(t), "expected a term (a mapping with 'name:')");
        continue;
      }
      if (t.has("include")) {
        const d = include(t.get("include", true), at, depth);
        if (d) out.push(...termsOf(d.top.get("terms", true), d, depth + 1));
        continue;
      }
      const nameNode = t.get("name", true);
      if (!isScalar(nameNode)) {
        say("error", at.place(t), "a term needs 'name:'");
        continue;
      }
      const items: Item[] = [];
      for (const pair of t.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        if (key === "name") continue;
        const pos = at.place(pair.key);
        if (key === "verbatim" && isMap(pair.value)) {
          // target: text
          for (const v of pair.value.items) {
            items.push({ key, values: [{ text: String(isScalar(v.key) ? v.key.value : ""), pos: at.place(v.key) }, { text: String(isScalar(v.value) ? v.value.value : ""), pos: at.place(v.value), quoted: true }], pos });
          }
          continue;
        }
        if (key === "comment") {
          items.push({ key, values: isScalar(pair.value) ? [{ text: String(pair.value.value), pos: at.place(pair.value), quoted: true }] : [], pos });
          continue;
        }
        items.push({ key, values: wordsOf(pair.value, at.place), pos });
      }
      out.push({ name: String(nameNode.value), items, pos: at.place(t) });
    }
    return out;
  };

  const filtersOf = (list: unknown, at: Doc, depth: number): FilterAst[] => {
    if (!isSeq(list)) {
      say("error", at.place(list), "filters: expected a list");
      return [];
    }
    const out: FilterAst[] = [];
    for (const f of list.items) {
      if (!isMap(f)) {
        say("error", at.place(f), "expected a filter (a mapping with 'header:' and 'terms:')");
        continue;
      }
      if (f.has("include")) {
        const d = include(f.get("include", true), at, depth);
        if (d) out.push(...filtersOf(d.top.get("filters_include_only", true) ?? d.top.get("filters", true), d, depth + 1));
        continue;
      }
      const header = f.get("header", true) as Node | undefined;
      const items: Item[] = [];
      if (isMap(header)) {
        for (const pair of header.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : "";
          const pos = at.place(pair.key);
          if (key === "targets") {
            if (!isMap(pair.value)) {
              say("error", at.place(pair.value ?? pair.key), "targets: expected a mapping of platforms to options");
              continue;
            }
            for (const t of pair.value.items) {
              const platform = isScalar(t.key) ? String(t.key.value) : "";
              items.push({ key: "target", values: [{ text: platform, pos: at.place(t.key) }, ...wordsOf(t.value, at.place)], pos: at.place(t.key) });
            }
            continue;
          }
          items.push({ key, values: wordsOf(pair.value, at.place), pos });
        }
      } else say("error", at.place(f), "a filter needs 'header:' with 'targets:'");
      out.push({ header: { items, pos: at.place(header ?? f) }, terms: termsOf(f.get("terms", true), at, depth) });
    }
    return out;
  };

  const doc = readDoc(text, file, say);
  if (!doc) return { filters: [], included };
  if (doc.top.has("filters")) return { filters: filtersOf(doc.top.get("filters", true), doc, 0), included };
  if (doc.top.has("filters_include_only")) return { filters: filtersOf(doc.top.get("filters_include_only", true), doc, 0), included };
  if (doc.top.has("terms")) return { filters: [{ header: undefined, terms: termsOf(doc.top.get("terms", true), doc, 0) }], included };
  say("error", doc.place(doc.top), "expected 'filters:' (a policy) or 'terms:' (an include file)");
  return { filters: [], included };
}
