/**
 * The JSON Schemas of the vendor JSON formats (rules/schema/NAME.schema.json). In the built CLI a
 * document is first checked by the schema's standalone validator, compiled at build time
 * (dist/vendor/schemas.cjs, src/build/build.mjs): a valid one costs neither loading ajv nor
 * compiling. Only to place complaints is the schema compiled with ajv (once per process, from the
 * lazily loaded yaml/ajv bundle), its complaints put at their line and column in the text.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ValidateFunction } from "ajv";
import { RulePackError, packageRoot, validateWithSchema, yamlLibs } from "../src/engine/rule-pack.js";
import { type Json, positionedJson } from "./json-text.js";

const compiled = new Map<string, ValidateFunction>();

/** Set by the build: where the standalone validators are, relative to the package root. */
declare const __FWLINT_SCHEMAS__: string | undefined;
let standalone: Record<string, ((data: unknown) => boolean) | undefined> | undefined;

/** The quickest validator of a schema: the build's standalone one, else the compiled one. */
function quickValidator(name: string): (data: unknown) => boolean {
  if (typeof __FWLINT_SCHEMAS__ === "string") {
    standalone ??= createRequire(import.meta.url)(join(packageRoot(), __FWLINT_SCHEMAS__)) as Record<string, (data: unknown) => boolean>;
    const v = standalone[name];
    if (v) return v;
  }
  return vendorSchema(name);
}

/** The validator of rules/schema/NAME.schema.json, compiled on first use. */
export function vendorSchema(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (v === undefined) {
    const ajv = new (yamlLibs().Ajv)({ allErrors: true, allowUnionTypes: true, strict: true, verbose: true });
    v = ajv.compile(JSON.parse(readFileSync(join(packageRoot(), "rules", "schema", `${name}.schema.json`), "utf8")) as object);
    compiled.set(name, v);
  }
  return v;
}

export interface SchemaIssue {
  line: number;
  column: number;
  /** Where in the document, `SecurityGroups[2].IpPermissions`; "" for the document itself. */
  path: string;
  expected: string;
}

/** What schema `name` finds wrong with `data` (read from `text`), each at its place; empty when it fits. */
export function schemaIssues(text: string, file: string, data: Json, name: string): SchemaIssue[] {
  if (quickValidator(name)(data)) return [];
  try {
    // the yaml library's positioned tree places the schema's complaints; built only for them
    validateWithSchema(positionedJson(text, file, data), vendorSchema(name));
  } catch (e) {
    if (!(e instanceof RulePackError)) throw e;
    return e.issues;
  }
  return [];
}
