/**
 * nftables rulesets -> the common model. Two readers build one syntax tree (ast.ts): grammar.ts for
 * the text language (`nft list ruleset` output, hand-written files, command files, with includes and
 * defines resolved), json.ts for nft JSON (`nft -j list ruleset`, JSON command batches). mapper.ts
 * runs the commands as nft does and maps the result, so both forms mean the same. Never throws.
 */
import type { Ruleset } from "../../src/model/types.js";
import type { NftDocument } from "./ast.js";
import { readNftText, type NftTextOptions } from "./grammar.js";
import { readNftJson } from "./json.js";
import { mapNft } from "./mapper.js";
import { internalErrorRuleset } from "../internal-error.js";

export { detectNft, detectNftJson } from "./detect.js";
export { mapNft } from "./mapper.js";
export { readNftJson } from "./json.js";
export { readNftText, type NftTextOptions } from "./grammar.js";

function mapped(read: () => NftDocument, file: string, what: string): Ruleset {
  try {
    return mapNft(read(), file);
  } catch (e) {
    return internalErrorRuleset(`${what} reader`, { format: "nft", file, families: [4, 6] }, [], e);
  }
}

/** nftables text -> the model. */
export function parseNft(text: string, file: string, opts?: NftTextOptions): Ruleset {
  return mapped(() => readNftText(text, file, opts), file, "nftables");
}

/** nft JSON -> the model. */
export function parseNftJson(text: string, file: string): Ruleset {
  return mapped(() => readNftJson(text, file), file, "nft JSON");
}
