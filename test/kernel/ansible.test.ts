/**
 * Ansible playbooks against the real Ansible and the kernel: each playbook below is run by
 * ansible-playbook (ansible-core, whose ansible.builtin.iptables module runs iptables) on the local
 * host inside a network namespace of the test's own; what it loaded is saved (`iptables-save`) and
 * the kernel oracle judges packets against that while fwlint judges them against its reading of
 * the playbook. So how Ansible composes the play - its roles (parameters, dependencies, defaults,
 * vars), include_role, group_vars of all and of the play's group, vars_files and its order of
 * precedence among them, the loop lookups (with_items, with_subelements, with_nested,
 * with_together) - and what the module makes of each task are both checked. A task that
 * runs only `when:` something is uncertain in fwlint's reading (either way may be what runs); the
 * playbooks are run with the condition false and true.
 *
 * Needs root, ../shared's kernel-oracle, iptables and ansible-playbook; skips with a message
 * otherwise, and FWLINT_REQUIRE_KERNEL=1 (CI, whose .ci/run installs ansible-core) turns the skip
 * into a failure.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parseAnsibleIptables } from "../../parsers/ansible-iptables/index.js";
import { ROOT, checkEnvironment, expectLoadedAgrees, inScratchNamespace, kernelSuite, which } from "./harness.js";

const base = checkEnvironment();
const env = base.skip === undefined && !which("ansible-playbook") ? { skip: "ansible-playbook is not installed (apt-get install ansible-core)", required: base.required } : base;
const DIR = join(ROOT, "fixtures", "ansible-iptables");

interface Case {
  /** The playbook, in fixtures/ansible-iptables. */
  playbook: string;
  /** The fixture folder copied whole (a project with roles and group_vars), or only the playbook. */
  project?: string;
  /** The inventory group the local host is in (the plays' `hosts`). */
  group: string;
  /** Extra variables (`-e`): what a `when:` condition asks. */
  extra?: string;
}

const CASES: Case[] = [
  { playbook: "mail-host.yml", group: "mail", extra: "env=prod" },
  { playbook: "mail-host.yml", group: "mail", extra: "env=staging" },
  { playbook: "site.yml", project: "mail-project", group: "mailservers" },
  { playbook: "loops.yml", group: "edge" },
];

kernelSuite("Ansible playbooks against the real ansible-playbook and the kernel", env.skip, env.required, () => {
  for (const c of CASES) {
    const shown = c.project ? `${c.project}/${c.playbook}` : c.playbook;
    it(`fixtures/ansible-iptables/${shown}${c.extra ? ` with ${c.extra}` : ""}: fwlint's reading is what ansible-playbook loads, packet by packet`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "fwlint-ansible-"));
      try {
        const project = join(dir, "project");
        if (c.project) cpSync(join(DIR, c.project), project, { recursive: true });
        else cpSync(join(DIR, c.playbook), join(project, c.playbook), { recursive: true });
        const playbook = join(project, c.playbook);
        // (the inventory in a folder of its own: group_vars come from beside the playbook)
        const inventory = join(dir, "inventory");
        writeFileSync(inventory, `[${c.group}]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n`);
        const saved = await inScratchNamespace("ansible", (run) => {
          const ran = run([
            "env",
            "ANSIBLE_GATHERING=explicit",
            "ANSIBLE_NOCOLOR=1",
            "ANSIBLE_RETRY_FILES_ENABLED=0",
            "ANSIBLE_LOCALHOST_WARNING=0",
            `ANSIBLE_LOCAL_TEMP=${join(dir, "tmp")}`,
            `ANSIBLE_REMOTE_TEMP=${join(dir, "tmp")}`,
            "ansible-playbook",
            "-i",
            inventory,
            ...(c.extra ? ["-e", c.extra] : []),
            playbook,
          ]);
          expect(ran.status, `${ran.stdout}${ran.stderr}`).toBe(0);
          return run(["iptables-save"]).stdout;
        });
        expect(saved).toMatch(/^-A INPUT /m);
        const loaded = join(dir, "loaded.rules");
        writeFileSync(loaded, saved);
        const source = join(DIR, c.project ?? "", c.playbook);
        const ruleset = parseAnsibleIptables(readFileSync(source, "utf8"), source, { root: DIR });
        expect(ruleset.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
        await expectLoadedAgrees({ name: shown, file: loaded, format: "iptables", kind: "fixture" }, ruleset, "ansible-playbook vs kernel", " (tasks run only when: a condition)");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 300_000);
  }
});
