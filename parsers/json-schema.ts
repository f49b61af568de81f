/**
 * The JSON Schemas of the vendor JSON formats (rules/schema/NAME.schema.json): each compiled once
 * per process, with ajv from the lazily loaded yaml/ajv bundle, and its complaints about a
 * document placed at their line and column in the text.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ValidateFunction } from "ajv";
import { RulePackError, packageRoot, validateWithSchema, yamlLibs } from "../src/engine/rule-pack.js";
import { type Json, positionedJson } from "./json-text.js";

const compiled = new Map<string, ValidateFunction>();

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

/** What `validate` finds wrong with `data` (read from `text`), each at its place; empty when it fits. */
export function schemaIssues(text: string, file: string, data: Json, validate: ValidateFunction): SchemaIssue[] {
  if (validate(data)) return [];
  try {
    // the yaml library's positioned tree places the schema's complaints; built only for them
    validateWithSchema(positionedJson(text, file, data), validate);
  } catch (e) {
    if (!(e instanceof RulePackError)) throw e;
    return e.issues;
  }
  return [];
}
