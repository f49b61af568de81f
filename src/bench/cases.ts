/**
 * Benchmark cases for input formats other than iptables-save: each makes a large file of its
 * format and names the native tool that checks the same file, run in a fresh network namespace
 * in the same bench run, as the reference (when there is one).
 */
import { generateAsaConfig, generateAsaFqdnConfig } from "./asa.js";
import { generateAwsSecurityGroups } from "./aws.js";
import { generateNftRuleset } from "./nft.js";

export interface BenchCaseFile {
  text: string;
  /** Rules as the format counts them. */
  rules: number;
  /** What else the file holds, for the table (e.g. "200,000 set elements"). */
  note: string;
}

export interface BenchCase {
  /** Short name used by `--cases` and in the table. */
  id: string;
  fileName: string;
  /** Time goal for the CLI, end to end, in ms (from the issue that asked for the case). */
  goalMs?: number;
  generate(seed: number): BenchCaseFile;
  /**
   * The native tool's check of the same file: `test` (a dry run, the ratio's reference) and `load`
   * (a real load, for context), argv with the file path appended, run in a fresh namespace.
   */
  reference?: { tool: string; test: string[]; load?: string[] };
}

export const BENCH_CASES: BenchCase[] = [
  {
    id: "nft",
    fileName: "nft-20k-200k.nft",
    goalMs: 3000,
    generate(seed) {
      const r = generateNftRuleset({ rules: 20000, elements: 200000 }, seed);
      return { text: r.text, rules: r.rules, note: `${r.elements.toLocaleString("en-US")} set elements` };
    },
    reference: { tool: "nft", test: ["-c", "-f"], load: ["-f"] },
  },
  {
    // the same rules in one long chain (no verdict map, small sets; no goal set): a generated
    // ruleset's shape, where each rule's flow carries every earlier rule's decisions
    id: "nft-chain",
    fileName: "nft-10k-one-chain.nft",
    generate(seed) {
      const r = generateNftRuleset({ rules: 10000, elements: 1000, oneChain: true }, seed);
      return { text: r.text, rules: r.rules, note: `one chain, ${r.elements.toLocaleString("en-US")} set elements` };
    },
    reference: { tool: "nft", test: ["-c", "-f"], load: ["-f"] },
  },
  {
    // issue 5: an ASA config with 20k ACEs over 2k nested object-groups, checked in under 3 s
    id: "asa",
    fileName: "asa-20k-aces.cfg",
    goalMs: 3000,
    generate(seed) {
      const r = generateAsaConfig({ aces: 20000, groups: 2000 }, seed);
      return { text: r.text, rules: r.aces, note: `${r.groups.toLocaleString("en-US")} nested object-groups` };
    },
  },
  {
    // an ASA ACL whose every entry names an object-group holding an fqdn object (no goal set):
    // what fwlint cannot judge must not make the rest slow
    id: "asa-fqdn",
    fileName: "asa-5k-fqdn.cfg",
    generate(seed) {
      const r = generateAsaFqdnConfig(5000, seed);
      return { text: r.text, rules: r.aces, note: `${r.groups} object-groups with an fqdn object` };
    },
  },
  {
    // a large AWS account: 1,000 security groups (no native tool to compare with, no goal set)
    id: "aws",
    fileName: "aws-1000-groups.json",
    generate(seed) {
      const r = generateAwsSecurityGroups(1000, seed);
      return { text: r.text, rules: r.rules, note: `${r.groups.toLocaleString("en-US")} security groups` };
    },
  },
];
