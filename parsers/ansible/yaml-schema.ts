/**
 * YAML as Ansible reads it: PyYAML's YAML 1.1 resolution, not YAML 1.2's. `enabled: yes`,
 * `state: on` and `no` are booleans (but not `y`/`n`, which PyYAML leaves as text), 0644 is octal,
 * 22:30 is a base-60 integer; a float needs its dot (1e3 and 1.0e3 stay text, 1.0e+3 is a
 * number); a date is left as its text (Ansible writes a date as that text again).
 */
import type { DocumentOptions, ParseOptions, SchemaOptions, ScalarTag } from "yaml";

const BOOL = "tag:yaml.org,2002:bool";
const FLOAT = "tag:yaml.org,2002:float";
const TIMESTAMP = "tag:yaml.org,2002:timestamp";

const pyBool: ScalarTag = {
  identify: (v) => typeof v === "boolean",
  default: true,
  tag: BOOL,
  test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  resolve: (s) => /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(s),
};

/** PyYAML's float resolver (its regex), base 60 included. */
const pyFloat: ScalarTag = {
  identify: (v) => typeof v === "number" && !Number.isInteger(v),
  default: true,
  tag: FLOAT,
  test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  resolve: (s) => {
    const t = s.replace(/_/g, "");
    if (/\.(?:nan|NaN|NAN)$/.test(t)) return NaN;
    if (/\.(?:inf|Inf|INF)$/.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
    if (t.includes(":")) {
      const sign = t.startsWith("-") ? -1 : 1;
      return sign * t.replace(/^[-+]/, "").split(":").reduce((acc, part) => acc * 60 + Number(part), 0);
    }
    return Number(t);
  },
};

/** Options for the yaml library's parse functions that read a file as Ansible does. */
export const ANSIBLE_YAML: ParseOptions & DocumentOptions & SchemaOptions = {
  version: "1.1",
  customTags: (tags) => [...tags.filter((t) => typeof t === "string" || ![BOOL, FLOAT, TIMESTAMP].includes(t.tag)), pyBool, pyFloat],
};
