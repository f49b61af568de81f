/**
 * Templates of firewall files against the real Ansible, Jinja and the kernel: the fixture projects'
 * playbooks are run by ansible-playbook (ansible-core's template module, on the local host, every
 * destination moved into the test's own folder; the nftables template's task validates its file
 * with `nft -c`), and each file Ansible writes must be, byte for byte, what fwlint renders for the
 * template with the variables it finds (role parameters, group_vars, defaults, play vars,
 * ansible_managed); then the kernel oracle judges packets against that file (loaded, or, for a
 * script, run by bash in a namespace) while fwlint judges them against its reading of the template. Then random templates - whitespace control, loops, conditions, set, raw,
 * comments, the #jinja2: header, and macros - are rendered by Python's Jinja2 with Ansible's settings and by
 * fwlint: every template both render must come out the same.
 *
 * Needs root (nft -c), ansible-playbook and python3's jinja2 (ansible-core's); skips with a message
 * otherwise, and FWLINT_REQUIRE_KERNEL=1 (CI, whose .ci/run installs ansible-core) turns the skip
 * into a failure.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { renderTemplate } from "../../parsers/ansible/template.js";
import { renderForWriter } from "../../parsers/ansible-template/index.js";
import { loadFormats } from "../../src/engine/formats.js";
import { parseTemplate } from "../parsers/ansible-template/registry.js";
import { ROOT, checkEnvironment, expectLoadedAgrees, inScratchNamespace, kernelSuite, which } from "./harness.js";

const base = checkEnvironment();
const jinjaMissing = () => spawnSync("python3", ["-c", "import jinja2"], { stdio: "ignore" }).status !== 0;
const env =
  base.skip === undefined && !which("ansible-playbook")
    ? { skip: "ansible-playbook is not installed (apt-get install ansible-core)", required: base.required }
    : base.skip === undefined && jinjaMissing()
      ? { skip: "python3's jinja2 is not installed", required: base.required }
      : base;
const DIR = join(ROOT, "fixtures", "ansible-template");

interface Case {
  project: string;
  playbook: string;
  group: string;
  /**
   * The project's own inventory (a path in it) and the host Ansible is limited to (fwlint reads a
   * play for the first host of its pattern); without it, an inventory of localhost in `group`.
   */
  inventory?: { path: string; host: string };
  /** Each template (in the project), where its task writes it, and how the kernel loads that: a ruleset of the oracle's format, or a script run in a namespace. */
  templates: [template: string, dest: string, loaded: "iptables" | "ip6tables" | "nft" | "script"][];
}

const CASES: Case[] = [
  {
    project: "mail-project",
    playbook: "site.yml",
    group: "mailservers",
    templates: [
      ["roles/firewall/templates/rules.v4.j2", "/etc/iptables/rules.v4", "iptables"],
      ["roles/firewall/templates/rules.v6.j2", "/etc/iptables/rules.v6", "ip6tables"],
    ],
  },
  { project: "nft-host", playbook: "playbook.yml", group: "web", templates: [["templates/nftables.conf.j2", "/etc/nftables.conf", "nft"]] },
  { project: "script-role", playbook: "site.yml", group: "web", templates: [["roles/firewall/templates/firewall.bash.j2", "/etc/firewall.bash", "script"]] },
  {
    project: "db-cluster",
    playbook: "site.yml",
    group: "db",
    inventory: { path: "inventory", host: "db1.example.net" },
    templates: [["roles/pg_firewall/templates/rules.v4.j2", "/etc/iptables/rules.v4", "iptables"]],
  },
];

/** Ansible run quietly, its temporary files in the test's folder `dir`, gathering no facts. */
function ansibleEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ANSIBLE_GATHERING: "explicit",
    ANSIBLE_NOCOLOR: "1",
    ANSIBLE_RETRY_FILES_ENABLED: "0",
    ANSIBLE_LOCALHOST_WARNING: "0",
    ANSIBLE_INVENTORY_UNPARSED_WARNING: "0",
    ANSIBLE_LOCAL_TEMP: join(dir, "tmp"),
    ANSIBLE_REMOTE_TEMP: join(dir, "tmp"),
  };
}

/** Every YAML file of a folder, recursively. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Random templates (deterministic for a seed) over a few variables, in the shapes firewall templates use. */
function randomTemplates(seed: number, count: number): string[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const ws = () => pick(["", " ", "  ", "\t", "\n", " \n", "\n  ", "\n\n", "x", "-A INPUT ", "\n  -A X"]);
  const mod = () => pick(["", "", "", "-", "+"]);
  const vmod = () => pick(["", "", "-"]);
  const gen = (depth: number): string => {
    let out = "";
    const n = 1 + Math.floor(rnd() * 5);
    for (let i = 0; i < n; i++) {
      out += ws();
      const k = rnd();
      if (k < 0.25) out += `{{${vmod()} ${pick(["a", "n", "b.c", "l[0]", "'q'", "n ~ 'x'", "a if t else n", "l | join(',')", "b['c'] | default('z')"])} ${vmod()}}}`;
      else if (k < 0.4 && depth < 3) out += `{%${mod()} for x in ${pick(["l", "[1,2]", "range(3)", "[]"])} ${mod()}%}${gen(depth + 1)}{{ x }}{% if ${pick(["loop.last", "loop.first", "x == 2"])} %}${ws()}{% endif %}${ws()}{%${mod()} endfor ${mod()}%}`;
      else if (k < 0.55 && depth < 3) out += `{%${mod()} if ${pick(["t", "f", "n == 3", "l", "z is defined", "not t", "a == 'A' and n > 2"])} ${mod()}%}${gen(depth + 1)}{%${mod()} ${pick(["else", "elif t"])} ${mod()}%}${gen(depth + 1)}{%${mod()} endif ${mod()}%}`;
      else if (k < 0.65) out += `{#${vmod()} c ${vmod()}#}`;
      else if (k < 0.72) out += `{%${mod()} set a = ${pick(["'v'", "n", "a ~ 1"])} ${mod()}%}`;
      else if (k < 0.76) out += `{%${pick(["", "-"])} raw ${pick(["", "-"])}%}${ws()}{{x}}${ws()}{%${mod()} endraw ${mod()}%}`;
      else out += pick(["COMMIT", "*filter", ":INPUT DROP [0:0]", "   ", "\n"]);
    }
    return out + ws();
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const header = rnd() < 0.2 ? pick(["#jinja2: trim_blocks: False\n", "#jinja2: lstrip_blocks: True\n", "#jinja2: trim_blocks:False, lstrip_blocks:True\n"]) : "";
    out.push(header + gen(0));
  }
  return out;
}

/** Jinja2 with Ansible's template settings (trim_blocks, the #jinja2: header, undefined an error) and its trailing newlines. */
const JINJA = `
import sys, json
from jinja2 import Environment, StrictUndefined
cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    src = c["src"]; trim, lstrip = True, False
    if src.startswith("#jinja2:"):
        line, _, src = src.partition("\\n")
        for kv in line[len("#jinja2:"):].split(","):
            k, _, v = kv.partition(":"); on = v.strip().lower() in ("true", "yes", "1")
            if k.strip() == "trim_blocks": trim = on
            if k.strip() == "lstrip_blocks": lstrip = on
    env = Environment(trim_blocks=trim, lstrip_blocks=lstrip, undefined=StrictUndefined, finalize=lambda v: "" if v is None else v)
    try:
        res = env.from_string(src).render(**c["vars"])
        # (Ansible's template module: the template's trailing newlines kept, as Templar.do_template does)
        want = len(c["src"]) - len(c["src"].rstrip("\\n"))
        have = len(res) - len(res.rstrip("\\n"))
        out.append(res + "\\n" * max(0, want - have))
    except Exception: out.append(None)
json.dump(out, open(sys.argv[2], "w"))
`;

kernelSuite("Ansible templates against the real ansible-playbook and Jinja", env.skip, env.required, () => {
  beforeAll(() => loadFormats(["ansible-template"]));
  for (const c of CASES) {
    it(`fixtures/ansible-template/${c.project}: every file ansible-playbook writes is what fwlint renders, and the kernel loads what fwlint reads`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "fwlint-template-"));
      try {
        const project = join(dir, "project");
        const out = join(dir, "out");
        cpSync(join(DIR, c.project), project, { recursive: true });
        // (the copy writes into the test's folder, and notifies no handler on this host)
        for (const f of yamlFiles(project)) writeFileSync(f, readFileSync(f, "utf8").replaceAll("dest: /etc/", `dest: ${out}/etc/`).replace(/^\s*notify:.*\n/gm, ""));
        rmSync(join(project, "roles/firewall/handlers"), { recursive: true, force: true });
        for (const [, dest] of c.templates) spawnSync("mkdir", ["-p", join(out, dest, "..")]);
        let args: string[];
        if (c.inventory) {
          // (the project's inventory, every host reached on this one, the run limited to the host fwlint reads)
          args = ["-i", join(project, c.inventory.path), "--limit", c.inventory.host, "-c", "local", "-e", "ansible_python_interpreter=/usr/bin/python3"];
        } else {
          const inventory = join(dir, "inventory");
          writeFileSync(inventory, `[${c.group}]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n`);
          args = ["-i", inventory];
        }
        const ran = spawnSync("ansible-playbook", [...args, join(project, c.playbook)], { encoding: "utf8", env: ansibleEnv(dir) });
        expect(ran.status, `${ran.stdout}${ran.stderr}`).toBe(0);
        for (const [template, dest, loaded] of c.templates) {
          const file = join(project, template);
          const text = readFileSync(file, "utf8");
          const mine = renderForWriter(text, file, { root: project });
          expect(mine.writer, `the task writing ${template}`).toBeDefined();
          expect("text" in mine.rendered ? mine.rendered.text : mine.rendered).toBe(readFileSync(join(out, dest), "utf8"));
          // the kernel judges packets against what Ansible wrote, fwlint against its reading of the template
          const ruleset = parseTemplate(text, file, { root: project });
          expect(ruleset.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
          const shown = `${c.project}/${template}`;
          if (loaded !== "script") {
            await expectLoadedAgrees({ name: shown, file: join(out, dest), format: loaded, kind: "fixture" }, ruleset, "ansible template vs kernel");
            continue;
          }
          // (a script: run by bash in a namespace of its own, what it loaded saved)
          const saved = await inScratchNamespace("template", (run) => {
            const ran = run(["bash", join(out, dest)]);
            expect(ran.status, ran.stderr).toBe(0);
            return { v4: run(["iptables-save"]).stdout, v6: run(["ip6tables-save"]).stdout };
          });
          for (const [family, rules] of [["iptables", saved.v4], ["ip6tables", saved.v6]] as const) {
            const path = join(dir, `${family}.rules`);
            writeFileSync(path, rules);
            await expectLoadedAgrees({ name: `${shown} (${family})`, file: path, format: family, kind: "fixture" }, ruleset, "ansible template vs kernel");
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 300_000);
  }

  it("the list filters render as Ansible's template module renders them", () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-filters-"));
    try {
      const vars = {
        ports: [80, 22, 80, 443],
        names: ["b", "A", "c"],
        nested: [[1, [2, 3]], 4, null, "None"],
        svcs: [
          { name: "web", port: 80, open: true, proto: "tcp" },
          { name: "dns", port: 53, open: false, proto: "udp" },
        ],
        more: [443, 25],
        strs: ["10", "9"],
        peers: { app1: { addr: "203.0.113.11", ports: [5432] }, app2: { addr: "203.0.113.12", ports: [6432] } },
        order: ["app2", "app1"],
        idx: [1, 0],
        nothing: null,
      };
      const template = [
        "{{ ports | unique | join(',') }}|{{ ports | sort | join(',') }}|{{ names | sort | join(',') }}|{{ ports | first }}|{{ ports | last }}",
        "{{ nested | flatten | join(',') }}|{{ svcs | map(attribute='port') | join(',') }}|{{ svcs | selectattr('open') | map(attribute='name') | join(',') }}",
        "{{ svcs | rejectattr('open') | map(attribute='name') | join(',') }}|{{ svcs | selectattr('proto', 'equalto', 'udp') | map(attribute='port') | join(',') }}",
        "{{ ports | union(more) | join(',') }}|{{ ports | difference(more) | join(',') }}|{{ ports | intersect(more) | join(',') }}|{{ x | d('dflt') }}",
        "{{ strs | map('int') | sort | join(',') }}|{{ svcs | sort(attribute='port') | map(attribute='name') | join(',') }}|{{ nested | flatten(levels=1) | length }}",
        "{% for s in svcs | selectattr('open') %}-A INPUT -p {{ s.proto }} --dport {{ s.port }} -j ACCEPT{% endfor %}",
        "{{ ports | union([443, 8443]) | join(',') }}|{{ ports | difference([80]) | join(',') }}|{{ svcs | selectattr('port', 'equalto', 53) | map(attribute='name') | join(',') }}|{{ ports | sort(reverse=true) | join(',') }}",
        "{{ order | map('extract', peers, 'addr') | join(',') }}|{{ order | map('extract', peers, ['ports', 0]) | join(',') }}|{{ idx | map('extract', ports) | join(',') }}",
        "{% for a in order | map('extract', peers, 'addr') | sort %}-A INPUT -s {{ a }} -j ACCEPT{% endfor %}",
        "a{{ nothing }}b|{{ 'x' ~ nothing }}|{{ nothing if true else 1 }}.",
        "",
      ].join("\n");
      writeFileSync(join(dir, "f.j2"), template);
      writeFileSync(join(dir, "vars.json"), JSON.stringify(vars));
      const ran = spawnSync("ansible", ["localhost", "-c", "local", "-m", "template", "-a", `src=${join(dir, "f.j2")} dest=${join(dir, "out")}`, "-e", `@${join(dir, "vars.json")}`], { encoding: "utf8", env: ansibleEnv(dir) });
      expect(ran.status, `${ran.stdout}${ran.stderr}`).toBe(0);
      const mine = renderTemplate(template, new Map(Object.entries(vars)));
      expect("text" in mine ? mine.text : mine).toBe(readFileSync(join(dir, "out"), "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("random templates render as Python's Jinja2 renders them with Ansible's settings", () => {
    const dir = mkdtempSync(join(tmpdir(), "fwlint-jinja-"));
    try {
      const vars = { a: "A", n: 3, b: { c: "C" }, l: [1, 2], t: true, f: false };
      // (and macros: defined, called with positional and named arguments, defaults over earlier
      // parameters, the template's top-level sets seen from inside, rules written by a macro)
      const macros = [
        "{% set a = 1 %}{% macro m() %}{{ a }}{% endmacro %}{{ m() }}",
        "{% macro m() %}{{ a }}{% endmacro %}{% set a = 2 %}{{ m() }}",
        "{% macro m(p, q=p ~ '!') %}{{ p }}{{ q }}{% endmacro %}{{ m(1) }}|{{ m(1, q=3) }}|{{ m(q='x', p=n) }}",
        "{% macro rule(port, src='0.0.0.0/0') %}\n-A INPUT -s {{ src }} -p tcp --dport {{ port }} -j ACCEPT\n{% endmacro %}\n{{ rule(22, b.c) }}\n{% for p in l %}\n{{ rule(p) }}\n{% endfor %}\nEND\n",
        "{% macro row(x) -%}\n  [{{ x }}]\n{%- endmacro %}\n{% for i in l %}{{ row(i) }}{% endfor %}\n{% if t %}{{ row(a) }}{% endif %}\n",
      ];
      const cases = [...randomTemplates(20261207, 600), ...macros].map((src) => ({ src, vars }));
      writeFileSync(join(dir, "cases.json"), JSON.stringify(cases));
      writeFileSync(join(dir, "render.py"), JINJA);
      const ran = spawnSync("python3", [join(dir, "render.py"), join(dir, "cases.json"), join(dir, "out.json")], { encoding: "utf8" });
      expect(ran.status, ran.stderr).toBe(0);
      const jinja = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")) as (string | null)[];
      let compared = 0;
      const differ: string[] = [];
      cases.forEach((c, i) => {
        const r = renderTemplate(c.src, new Map(Object.entries(vars)));
        const mine = "text" in r ? r.text : null;
        // (a template Jinja refuses is not compared: Ansible fails the task; fwlint may render it)
        if (jinja[i] === null) return;
        compared++;
        if (mine !== jinja[i]) differ.push(JSON.stringify({ src: c.src, mine, jinja: jinja[i] }));
      });
      expect(differ.slice(0, 3)).toEqual([]);
      expect(compared).toBeGreaterThan(400);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
