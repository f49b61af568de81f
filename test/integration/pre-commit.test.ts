/**
 * The pre-commit hooks in .pre-commit-hooks.yaml, run by the real pre-commit client (Debian's package
 * here) against this repository's committed HEAD: a commit that adds a rules.v4, an nftables.conf and a
 * Cisco ASA edge.cfg opening TCP/25 to any source is refused with fwlint's findings (the ASA config by the
 * fwlint-configs hook, which skips the JSON and text files of other kinds its names let through), and
 * goes through once the rules are dropped; so is a commit of an nft fragment alone, or of the ipsets
 * file alone that widens a set the rules.v4 beside it lets SSH in from, or of ufw's user.rules alone,
 * or of a firewall.sh of nft commands that opens SMTP, or of an Ansible project's group_vars/all.yml
 * alone that widens the network a role's task lets SSH in from - or a role's template of rules.v4
 * renders the SSH rule for, or of that template opening SMTP, or of the inventory whose hosts the
 * template admits.
 *
 * pre-commit installs the hook repository with npm (`npm install` there runs `prepare`, i.e. the build,
 * then `npm pack` and `npm install -g` of the tarball) into a private PRE_COMMIT_HOME, so this needs the
 * npm registry and takes a while the first time.
 *
 * Skips (with a message) when git or pre-commit is missing, or this checkout is not a git repository
 * whose HEAD holds .pre-commit-hooks.yaml; FWLINT_REQUIRE_PRECOMMIT=1 turns the skip into a failure.
 *
 * Uses HEAD, not the working tree: uncommitted changes to .pre-commit-hooks.yaml are not tested until
 * committed (pre-commit clones the hook repository at `rev`).
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const REQUIRE = process.env.FWLINT_REQUIRE_PRECOMMIT === "1";

/** The environment for git and pre-commit: no GIT_* leaking in from an enclosing hook or CI step. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_") && !k.startsWith("PRE_COMMIT")) env[k] = v;
  return { ...env, ...extra };
}

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 200_000 });
}

function output(r: SpawnSyncReturns<string>): string {
  return `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? `\n${r.error.message}` : ""}`;
}

/** Why the test cannot run here, or undefined when it can; and HEAD's commit. */
function prerequisites(): { skip?: string; head?: string } {
  const env = cleanEnv({});
  const missing = ["git", "pre-commit"].filter((c) => run(c, ["--version"], ROOT, env).status !== 0);
  if (missing.length > 0) return { skip: `${missing.join(" and ")} not installed` };
  const head = run("git", ["rev-parse", "--verify", "HEAD"], ROOT, env);
  if (head.status !== 0) return { skip: `${ROOT} is not a git repository with a commit` };
  const manifest = run("git", ["cat-file", "-e", "HEAD:.pre-commit-hooks.yaml"], ROOT, env);
  if (manifest.status !== 0) return { skip: ".pre-commit-hooks.yaml is not committed at HEAD" };
  return { head: head.stdout.trim() };
}

const { skip, head } = prerequisites();
if (skip !== undefined && !REQUIRE) console.warn(`[pre-commit integration] SKIPPED: ${skip} (FWLINT_REQUIRE_PRECOMMIT=1 to require)`);

const BAD = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT
COMMIT
`;
const GOOD = BAD.replace("-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT\n", "");
/** The same host in nftables: the hook's `files:` must pick up nftables.conf too. */
const BAD_NFT = `table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		tcp dport { 22, 25 } ip saddr 10.0.0.0/8 accept
		tcp dport 25 accept
	}
}
`;
const GOOD_NFT = BAD_NFT.replace("\t\ttcp dport 25 accept\n", "");
/** A Cisco ASA publishing its mail server to everyone: only the fwlint-configs hook's names take a .cfg. */
const BAD_ASA = `ASA Version 9.16(4)
hostname edge
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 203.0.113.1 255.255.255.0
interface GigabitEthernet0/1
 nameif inside
 security-level 100
 ip address 10.0.0.1 255.255.255.0
object-group network MAIL-SERVERS
 network-object host 10.0.0.25
access-list OUTSIDE_IN extended permit tcp any object-group MAIL-SERVERS eq smtp
access-list OUTSIDE_IN extended permit tcp 198.51.100.0 255.255.255.0 object-group MAIL-SERVERS eq ssh
access-group OUTSIDE_IN in interface outside
`;
const GOOD_ASA = BAD_ASA.replace("access-list OUTSIDE_IN extended permit tcp any object-group MAIL-SERVERS eq smtp\n", "");
/** Files the fwlint-configs hook's names let through that are no firewall configuration: skipped. */
const OTHER_FILES = { "settings.json": '{"editor.tabSize": 2}\n', "notes.txt": "change window: Tuesday\n" };
const SMTP_FINDING = "SMTP (tcp/25) is reachable from any source";

describe("pre-commit hooks (.pre-commit-hooks.yaml)", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.skipIf(skip !== undefined && !REQUIRE)(
    "refuse a commit that opens SMTP to any source, and accept it once the rule is dropped",
    () => {
      if (skip !== undefined) expect.fail(`pre-commit integration needs: ${skip} (FWLINT_REQUIRE_PRECOMMIT=1)`);
      const tmp = mkdtempSync(join(tmpdir(), "fwlint-pre-commit-"));
      dirs.push(tmp);
      const work = join(tmp, "work");
      const env = cleanEnv({
        PRE_COMMIT_HOME: join(tmp, "pre-commit-home"),
        npm_config_audit: "false",
        npm_config_fund: "false",
        // the hook's environment installs the packages this checkout installed: from npm's cache,
        // not the registry (a registry that stalls once made this test time out at 200 s)
        npm_config_prefer_offline: "true",
        GIT_AUTHOR_NAME: "fwlint test",
        GIT_AUTHOR_EMAIL: "fwlint-test@example.invalid",
        GIT_COMMITTER_NAME: "fwlint test",
        GIT_COMMITTER_EMAIL: "fwlint-test@example.invalid",
      });
      const ok = (r: SpawnSyncReturns<string>, what: string): void => {
        expect(r.status, `${what} failed:\n${output(r)}`).toBe(0);
      };

      ok(run("git", ["init", "-q", "-b", "main", work], tmp, env), "git init");
      ok(run("git", ["config", "commit.gpgsign", "false"], work, env), "git config");
      writeFileSync(
        join(work, ".pre-commit-config.yaml"),
        `repos:\n  - repo: ${JSON.stringify(ROOT)}\n    rev: ${head}\n    hooks:\n      - id: fwlint\n      - id: fwlint-configs\n      - id: fwlint-all\n`,
      );
      ok(run("pre-commit", ["install"], work, env), "pre-commit install");

      // 1. The open relay: the commit is refused, with fwlint's finding in the output.
      writeFileSync(join(work, "rules.v4"), BAD);
      writeFileSync(join(work, "nftables.conf"), BAD_NFT);
      writeFileSync(join(work, "edge.cfg"), BAD_ASA);
      for (const [name, text] of Object.entries(OTHER_FILES)) writeFileSync(join(work, name), text);
      ok(run("git", ["add", "rules.v4", "nftables.conf", "edge.cfg", ...Object.keys(OTHER_FILES), ".pre-commit-config.yaml"], work, env), "git add");
      const refused = run("git", ["commit", "-m", "open relay"], work, env);
      const refusedOut = output(refused);
      expect(refused.status, refusedOut).not.toBe(0);
      expect(refusedOut).toContain(SMTP_FINDING);
      expect(refusedOut).toMatch(/rules\.v4:8:1 high exposed-service/);
      expect(refusedOut).toMatch(/nftables\.conf:6:3 high exposed-service/);
      expect(refusedOut).toMatch(/edge\.cfg:13:1 high exposed-service/);
      // the other files the names let through are skipped, not errors
      expect(refusedOut).not.toMatch(/(settings\.json|notes\.txt): not a firewall configuration/);
      expect(refusedOut).toMatch(/^fwlint\.+Failed$/m);
      expect(refusedOut).toMatch(/^fwlint \(rulesets, device configs and cloud rules\)\.+Failed$/m);
      expect(refusedOut).toMatch(/^fwlint \(whole repository\)\.+Failed$/m);
      expect(run("git", ["rev-parse", "--verify", "-q", "HEAD"], work, env).status, "nothing was committed").not.toBe(0);

      // 2. The rule dropped: both hooks pass and the commit is made (the hook environment is reused).
      writeFileSync(join(work, "rules.v4"), GOOD);
      writeFileSync(join(work, "nftables.conf"), GOOD_NFT);
      writeFileSync(join(work, "edge.cfg"), GOOD_ASA);
      ok(run("git", ["add", "rules.v4", "nftables.conf", "edge.cfg"], work, env), "git add");
      const accepted = run("git", ["commit", "-m", "no open relay"], work, env);
      const acceptedOut = output(accepted);
      expect(accepted.status, acceptedOut).toBe(0);
      expect(acceptedOut).not.toContain(SMTP_FINDING);
      expect(acceptedOut).toMatch(/^fwlint\.+Passed$/m);
      expect(acceptedOut).toMatch(/^fwlint \(rulesets, device configs and cloud rules\)\.+Passed$/m);
      expect(acceptedOut).toMatch(/^fwlint \(whole repository\)\.+Passed$/m);
      ok(run("git", ["rev-parse", "--verify", "-q", "HEAD"], work, env), "the commit exists");

      // 3. The ruleset split: nftables.conf includes nftables.d/*.nft inside its input chain, and a
      // commit stages only a fragment of rules alone - no ruleset on its own. It is read with the
      // includer beside it, and the commit is refused at the fragment's line.
      writeFileSync(join(work, "nftables.conf"), GOOD_NFT.replace("\t}\n}", '\t\tinclude "./nftables.d/*.nft"\n\t}\n}'));
      mkdirSync(join(work, "nftables.d"));
      writeFileSync(join(work, "nftables.d", "10-ssh.nft"), "tcp dport 22 ip saddr 10.0.0.0/8 accept\n");
      ok(run("git", ["add", "nftables.conf", "nftables.d/10-ssh.nft"], work, env), "git add");
      const split = run("git", ["commit", "-m", "split"], work, env);
      expect(split.status, output(split)).toBe(0);
      writeFileSync(join(work, "nftables.d", "20-mail.nft"), "tcp dport 25 accept\n");
      ok(run("git", ["add", "nftables.d/20-mail.nft"], work, env), "git add");
      const fragment = run("git", ["commit", "-m", "mail"], work, env);
      const fragmentOut = output(fragment);
      expect(fragment.status, fragmentOut).not.toBe(0);
      expect(fragmentOut).toMatch(/nftables\.d\/20-mail\.nft:1:\d+ high exposed-service/);
      expect(fragmentOut).toContain("read as part of nftables.conf, found beside it");
      expect(fragmentOut).not.toContain("not a firewall configuration");
      expect(fragmentOut).toMatch(/^fwlint\.+Failed$/m);
      expect(fragmentOut).toMatch(/^fwlint \(whole repository\)\.+Failed$/m);
      writeFileSync(join(work, "nftables.d", "20-mail.nft"), "tcp dport 25 ip saddr 192.0.2.0/24 accept\n");
      ok(run("git", ["add", "nftables.d/20-mail.nft"], work, env), "git add");
      const fixed = run("git", ["commit", "-m", "mail from the relay only"], work, env);
      expect(fixed.status, output(fixed)).toBe(0);

      // 4. The sets saved beside the ruleset: rules.v4 lets SSH in from the ipset `admins`, kept in
      // ipsets (netfilter-persistent's layout). A commit that stages only ipsets, widening the set to
      // half the Internet, is refused with the finding at the rule in rules.v4 that reads it.
      const withSet = GOOD.replace("-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT", "-A INPUT -p tcp -m tcp --dport 22 -m set --match-set admins src -j ACCEPT");
      writeFileSync(join(work, "rules.v4"), withSet);
      writeFileSync(join(work, "ipsets"), "create admins hash:net family inet hashsize 1024 maxelem 65536\nadd admins 192.0.2.0/24\n");
      ok(run("git", ["add", "rules.v4", "ipsets"], work, env), "git add");
      const sets = run("git", ["commit", "-m", "ssh from the admins set"], work, env);
      expect(sets.status, output(sets)).toBe(0);
      writeFileSync(join(work, "ipsets"), "create admins hash:net family inet hashsize 1024 maxelem 65536\nadd admins 192.0.2.0/24\nadd admins 0.0.0.0/1\n");
      ok(run("git", ["add", "ipsets"], work, env), "git add");
      const widened = run("git", ["commit", "-m", "admins from anywhere"], work, env);
      const widenedOut = output(widened);
      expect(widened.status, widenedOut).not.toBe(0);
      expect(widenedOut).toMatch(/rules\.v4:7:1 high exposed-service SSH \(tcp\/22\) is reachable from 56\.5% of public IPv4 sources/);
      expect(widenedOut).toContain("ipsets:1:1: info: read as part of rules.v4, found beside it, which reads its sets");
      expect(widenedOut).toMatch(/^fwlint\.+Failed$/m);

      // 5. ufw: /etc/ufw kept in the repository. A commit that stages only user.rules, where
      // `ufw allow 25/tcp` wrote its rule, is refused at that rule: user.rules is read with
      // before.rules, after.rules and ../default/ufw beside it, as ufw-init loads them.
      writeFileSync(join(work, "ipsets"), "create admins hash:net family inet hashsize 1024 maxelem 65536\nadd admins 192.0.2.0/24\n");
      ok(run("git", ["add", "ipsets"], work, env), "git add");
      const ufwFixture = join(ROOT, "fixtures", "ufw", "etc");
      cpSync(ufwFixture, join(work, "etc"), { recursive: true });
      const userRules = readFileSync(join(ufwFixture, "ufw", "user.rules"), "utf8");
      const withoutSmtp = userRules.replace(/^# fwlint-expect.*\n/gm, "").replace("-A ufw-user-input -p tcp --dport 25 -j ACCEPT\n", "").replace(/^-A ufw-user-input -p tcp --dport 22 .*\n/gm, "");
      writeFileSync(join(work, "etc", "ufw", "user.rules"), withoutSmtp);
      ok(run("git", ["add", "etc"], work, env), "git add");
      const ufwBase = run("git", ["commit", "-m", "ufw: imaps from the office"], work, env);
      expect(ufwBase.status, output(ufwBase)).toBe(0);
      writeFileSync(join(work, "etc", "ufw", "user.rules"), withoutSmtp.replace("COMMIT\n", "").concat("-A ufw-user-input -p tcp --dport 25 -j ACCEPT\nCOMMIT\n"));
      ok(run("git", ["add", "etc/ufw/user.rules"], work, env), "git add");
      const relay = run("git", ["commit", "-m", "ufw allow 25/tcp"], work, env);
      const relayOut = output(relay);
      expect(relay.status, relayOut).not.toBe(0);
      expect(relayOut).toMatch(/etc\/ufw\/user\.rules:\d+:1 high exposed-service SMTP \(tcp\/25\) is reachable from any source on the inbound path/);
      expect(relayOut).toContain("read as ufw loads it, with etc/ufw/before.rules, etc/ufw/after.rules, etc/default/ufw");
      expect(relayOut).not.toContain("unreachable-chain");
      expect(relayOut).toMatch(/^fwlint\.+Failed$/m);

      // 6. A firewall.sh of nft commands (the hook's names take firewall*.sh): a commit that adds
      // SMTP to it is refused at the script's line, and goes through without it.
      ok(run("git", ["checkout", "HEAD", "--", "etc/ufw/user.rules"], work, env), "git checkout");
      const script = (extra: string) =>
        `#!/bin/sh
set -e
nft flush ruleset
nft add table inet filter
nft add chain inet filter input '{ type filter hook input priority 0; policy drop; }'
nft add rule inet filter input ct state established,related accept
nft add rule inet filter input ip saddr 10.0.0.0/8 tcp dport 22 accept
${extra}`;
      writeFileSync(join(work, "firewall.sh"), script("nft add rule inet filter input tcp dport 25 accept\n"));
      ok(run("git", ["add", "firewall.sh"], work, env), "git add");
      const nftScript = run("git", ["commit", "-m", "mail through the nft script"], work, env);
      const nftScriptOut = output(nftScript);
      expect(nftScript.status, nftScriptOut).not.toBe(0);
      expect(nftScriptOut).toMatch(/firewall\.sh:8:32 high exposed-service SMTP \(tcp\/25\) is reachable from any IPv4 source/);
      expect(nftScriptOut).not.toContain("not a firewall configuration");
      expect(nftScriptOut).toMatch(/^fwlint\.+Failed$/m);
      writeFileSync(join(work, "firewall.sh"), script(""));
      ok(run("git", ["add", "firewall.sh"], work, env), "git add");
      const quiet = run("git", ["commit", "-m", "nft script without mail"], work, env);
      expect(quiet.status, output(quiet)).toBe(0);

      // 7. An init-style rc.firewall (the hook's names take it): its rules are in a start() its
      // case "$1" calls, read as the init system runs it with 'start'; a commit that turns on the
      // mail switch is refused at the rule the switch guards.
      const rc = (mail: string) =>
        `#!/bin/sh
IPT=/sbin/iptables
[ -x "$IPT" ] || exit 0
MAIL=${mail}
start() {
  $IPT -P INPUT DROP
  $IPT -P FORWARD DROP
  $IPT -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  [ "$MAIL" = yes ] && $IPT -A INPUT -p tcp --dport 25 -j ACCEPT
  $IPT -A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT
}
case "$1" in
  start|restart) start ;;
  stop) $IPT -F; $IPT -P INPUT ACCEPT ;;
esac
`;
      writeFileSync(join(work, "rc.firewall"), rc("no"));
      ok(run("git", ["add", "rc.firewall"], work, env), "git add");
      const rcBase = run("git", ["commit", "-m", "init-style firewall"], work, env);
      expect(rcBase.status, output(rcBase)).toBe(0);
      writeFileSync(join(work, "rc.firewall"), rc("yes"));
      ok(run("git", ["add", "rc.firewall"], work, env), "git add");
      const rcMail = run("git", ["commit", "-m", "turn mail on"], work, env);
      const rcMailOut = output(rcMail);
      expect(rcMail.status, rcMailOut).not.toBe(0);
      expect(rcMailOut).toMatch(/rc\.firewall:9:24 high exposed-service SMTP \(tcp\/25\) is reachable from any source on the inbound path/);
      expect(rcMailOut).toMatch(/^fwlint\.+Failed$/m);

      // 8. A provisioning script of ufw commands (the hook's names take *ufw*.sh): a commit that
      // opens SMTP with `ufw allow 25/tcp` is refused at that command.
      ok(run("git", ["checkout", "HEAD", "--", "rc.firewall"], work, env), "git checkout");
      const ufwScript = (extra: string) => `#!/bin/sh\nufw default deny incoming\nufw allow from 10.0.0.0/8 to any port 22 proto tcp\n${extra}ufw --force enable\n`;
      writeFileSync(join(work, "setup-ufw.sh"), ufwScript(""));
      ok(run("git", ["add", "setup-ufw.sh"], work, env), "git add");
      const ufwQuiet = run("git", ["commit", "-m", "ufw provisioning"], work, env);
      expect(ufwQuiet.status, output(ufwQuiet)).toBe(0);
      writeFileSync(join(work, "setup-ufw.sh"), ufwScript("ufw allow 25/tcp\n"));
      ok(run("git", ["add", "setup-ufw.sh"], work, env), "git add");
      const ufwMail = run("git", ["commit", "-m", "ufw allow 25/tcp"], work, env);
      const ufwMailOut = output(ufwMail);
      expect(ufwMail.status, ufwMailOut).not.toBe(0);
      expect(ufwMailOut).toMatch(/setup-ufw\.sh:4:1 high exposed-service SMTP \(tcp\/25\) is reachable from any IPv4 source on the inbound path/);
      expect(ufwMailOut).toMatch(/^fwlint\.+Failed$/m);

      // 9. An Ansible role's ufw tasks (the fwlint-configs hook's names take *.yml; YAML of other
      // kinds is skipped): a task that opens SMTP is refused at its module key.
      ok(run("git", ["checkout", "HEAD", "--", "setup-ufw.sh"], work, env), "git checkout");
      mkdirSync(join(work, "roles", "mail", "tasks"), { recursive: true });
      writeFileSync(join(work, "docker-compose.yml"), "services:\n  web:\n    image: nginx\n");
      writeFileSync(join(work, "roles", "mail", "tasks", "main.yml"), "- name: SSH from the office\n  community.general.ufw:\n    rule: allow\n    src: 10.0.0.0/8\n    port: '22'\n    proto: tcp\n");
      ok(run("git", ["add", "docker-compose.yml", "roles"], work, env), "git add");
      const ansibleBase = run("git", ["commit", "-m", "ansible ufw role"], work, env);
      expect(ansibleBase.status, output(ansibleBase)).toBe(0);
      writeFileSync(join(work, "roles", "mail", "tasks", "main.yml"), "- name: SSH from the office\n  community.general.ufw:\n    rule: allow\n    src: 10.0.0.0/8\n    port: '22'\n    proto: tcp\n- name: Mail\n  community.general.ufw: rule=allow port=25 proto=tcp\n");
      ok(run("git", ["add", "roles"], work, env), "git add");
      const ansibleMail = run("git", ["commit", "-m", "ansible: mail"], work, env);
      const ansibleMailOut = output(ansibleMail);
      expect(ansibleMail.status, ansibleMailOut).not.toBe(0);
      expect(ansibleMailOut).toMatch(/roles\/mail\/tasks\/main\.yml:8:3 high exposed-service SMTP \(tcp\/25\) is reachable from any IPv4 source on the inbound path/);
      expect(ansibleMailOut).toMatch(/^fwlint \(rulesets, device configs and cloud rules\)\.+Failed$/m);

      // 10. A Capirca / Aerleon policy tree (the fwlint-configs hook's names take *.pol, *.net,
      // *.svc): the policy's names resolve through def/ at the repository's top; a term that opens
      // SMTP to everyone is refused at the term.
      ok(run("git", ["checkout", "HEAD", "--", "roles"], work, env), "git checkout");
      mkdirSync(join(work, "def"), { recursive: true });
      mkdirSync(join(work, "policies", "pol"), { recursive: true });
      writeFileSync(join(work, "def", "NETWORK.net"), "MAIL = 203.0.113.25/32\nOFFICE = 198.51.100.0/24\n");
      writeFileSync(join(work, "def", "SERVICES.svc"), "SSH = 22/tcp\nSMTP = 25/tcp\n");
      const pol = (extra: string) => `header {\n  target:: juniper edge-in\n}\nterm ssh {\n  source-address:: OFFICE\n  destination-address:: MAIL\n  protocol:: tcp\n  destination-port:: SSH\n  action:: accept\n}\n${extra}term default-deny {\n  action:: deny\n}\n`;
      writeFileSync(join(work, "policies", "pol", "edge.pol"), pol(""));
      ok(run("git", ["add", "def", "policies"], work, env), "git add");
      const capBase = run("git", ["commit", "-m", "capirca policy"], work, env);
      expect(capBase.status, output(capBase)).toBe(0);
      writeFileSync(join(work, "policies", "pol", "edge.pol"), pol("term mail {\n  destination-address:: MAIL\n  protocol:: tcp\n  destination-port:: SMTP\n  action:: accept\n}\n"));
      ok(run("git", ["add", "policies"], work, env), "git add");
      const capMail = run("git", ["commit", "-m", "capirca: mail"], work, env);
      const capMailOut = output(capMail);
      expect(capMail.status, capMailOut).not.toBe(0);
      expect(capMailOut).toMatch(/policies\/pol\/edge\.pol:11:1 high exposed-service SMTP \(tcp\/25\) is reachable from any IPv4 source on the inbound path/);
      expect(capMailOut).toMatch(/^fwlint \(rulesets, device configs and cloud rules\)\.+Failed$/m);

      // 11. An Ansible project: a playbook runs a role whose SSH task takes the admins' network
      // from group_vars/all.yml. A commit that stages only group_vars/all.yml, widening that
      // network to every address, is refused at the role's task, found through the playbook.
      ok(run("git", ["checkout", "HEAD", "--", "policies"], work, env), "git checkout");
      const project = join(work, "ansible");
      mkdirSync(join(project, "group_vars"), { recursive: true });
      mkdirSync(join(project, "roles", "fw", "tasks"), { recursive: true });
      writeFileSync(join(project, "site.yml"), "- hosts: edge\n  roles: [fw]\n  tasks:\n    - ansible.builtin.iptables: { chain: INPUT, policy: DROP }\n    - ansible.builtin.iptables: { chain: FORWARD, policy: DROP }\n");
      writeFileSync(join(project, "roles", "fw", "tasks", "main.yml"), "- name: SSH for the admins\n  ansible.builtin.iptables:\n    chain: INPUT\n    protocol: tcp\n    source: '{{ admin_net }}'\n    destination_port: '22'\n    jump: ACCEPT\n");
      writeFileSync(join(project, "group_vars", "all.yml"), "admin_net: 192.0.2.0/24\n");
      ok(run("git", ["add", "ansible"], work, env), "git add");
      const ansibleProject = run("git", ["commit", "-m", "ansible project"], work, env);
      expect(ansibleProject.status, output(ansibleProject)).toBe(0);
      writeFileSync(join(project, "group_vars", "all.yml"), "admin_net: 0.0.0.0/0\n");
      ok(run("git", ["add", "ansible/group_vars/all.yml"], work, env), "git add");
      const adminsEverywhere = run("git", ["commit", "-m", "ansible: admins everywhere"], work, env);
      const adminsEverywhereOut = output(adminsEverywhere);
      expect(adminsEverywhere.status, adminsEverywhereOut).not.toBe(0);
      expect(adminsEverywhereOut).toMatch(/ansible\/roles\/fw\/tasks\/main\.yml:2:3 high exposed-service SSH \(tcp\/22\) is reachable from any source on the inbound path/);
      expect(adminsEverywhereOut).toMatch(/read as part of ansible\/site\.yml, found beside it, a playbook that reads its variables/);

      // 12. An Ansible role that writes the host's rules from a template (roles/fw/templates/
      // rules.v4.j2, with its defaults and the playbook's group_vars): a commit that stages only
      // group_vars/all.yml, widening the admins' networks to every address, is refused at the
      // template's loop that writes the SSH rule; so is one that stages only the template, opening SMTP.
      ok(run("git", ["checkout", "HEAD", "--", "ansible"], work, env), "git checkout");
      const tpl = join(work, "ansible-tpl");
      mkdirSync(join(tpl, "group_vars"), { recursive: true });
      for (const d of ["tasks", "defaults", "templates"]) mkdirSync(join(tpl, "roles", "fw", d), { recursive: true });
      writeFileSync(join(tpl, "site.yml"), "- hosts: edge\n  roles: [fw]\n");
      writeFileSync(join(tpl, "roles", "fw", "tasks", "main.yml"), "- name: Write the rules\n  ansible.builtin.template:\n    src: rules.v4.j2\n    dest: /etc/iptables/rules.v4\n");
      writeFileSync(join(tpl, "roles", "fw", "defaults", "main.yml"), "open_ports: []\n");
      const rulesTemplate = (extra: string) =>
        `*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n{% for net in admin_nets %}\n-A INPUT -s {{ net }} -p tcp --dport 22 -j ACCEPT\n{% endfor %}\n{% for port in open_ports %}\n-A INPUT -p tcp --dport {{ port }} -j ACCEPT\n{% endfor %}\n${extra}COMMIT\n`;
      writeFileSync(join(tpl, "roles", "fw", "templates", "rules.v4.j2"), rulesTemplate(""));
      writeFileSync(join(tpl, "group_vars", "all.yml"), "admin_nets: [192.0.2.0/24]\n");
      ok(run("git", ["add", "ansible-tpl"], work, env), "git add");
      const tplProject = run("git", ["commit", "-m", "ansible templates"], work, env);
      expect(tplProject.status, output(tplProject)).toBe(0);
      writeFileSync(join(tpl, "group_vars", "all.yml"), "admin_nets: [0.0.0.0/0]\n");
      ok(run("git", ["add", "ansible-tpl/group_vars/all.yml"], work, env), "git add");
      const tplAdmins = run("git", ["commit", "-m", "ansible: admins everywhere"], work, env);
      const tplAdminsOut = output(tplAdmins);
      expect(tplAdmins.status, tplAdminsOut).not.toBe(0);
      expect(tplAdminsOut).toMatch(/ansible-tpl\/roles\/fw\/templates\/rules\.v4\.j2:7:1 high exposed-service SSH \(tcp\/22\) is reachable from any source on the inbound path/);
      expect(tplAdminsOut).toMatch(/read as part of ansible-tpl\/roles\/fw\/templates\/rules\.v4\.j2, found beside it, a template rendered with what it holds/);
      ok(run("git", ["checkout", "HEAD", "--", "ansible-tpl"], work, env), "git checkout");
      writeFileSync(join(tpl, "roles", "fw", "templates", "rules.v4.j2"), rulesTemplate("-A INPUT -p tcp --dport 25 -j ACCEPT\n"));
      ok(run("git", ["add", "ansible-tpl"], work, env), "git add");
      const tplMail = run("git", ["commit", "-m", "ansible: mail"], work, env);
      const tplMailOut = output(tplMail);
      expect(tplMail.status, tplMailOut).not.toBe(0);
      expect(tplMailOut).toMatch(/ansible-tpl\/roles\/fw\/templates\/rules\.v4\.j2:12:1 high exposed-service SMTP \(tcp\/25\) is reachable from any source on the inbound path/);

      // 13. The template admits the inventory's monitoring hosts to SSH (groups['monitors'], each
      // host's ansible_host): a commit that stages only the inventory, giving a monitor the address
      // 0.0.0.0/0, is refused at the template's loop.
      ok(run("git", ["checkout", "HEAD", "--", "ansible-tpl"], work, env), "git checkout");
      const inv = join(work, "ansible-inv");
      mkdirSync(join(inv, "inventory"), { recursive: true });
      for (const d of ["tasks", "templates"]) mkdirSync(join(inv, "roles", "fw", d), { recursive: true });
      writeFileSync(join(inv, "site.yml"), "- hosts: edge\n  roles: [fw]\n");
      writeFileSync(join(inv, "roles", "fw", "tasks", "main.yml"), "- name: Write the rules\n  ansible.builtin.template:\n    src: rules.v4.j2\n    dest: /etc/iptables/rules.v4\n");
      writeFileSync(
        join(inv, "roles", "fw", "templates", "rules.v4.j2"),
        "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n{% for host in groups['monitors'] %}\n-A INPUT -s {{ hostvars[host].ansible_host }} -p tcp --dport 22 -j ACCEPT\n{% endfor %}\nCOMMIT\n",
      );
      const hosts = (monitor: string) => `[edge]\nedge1.example.net\n\n[monitors]\nmon1.example.net ansible_host=${monitor}\n`;
      writeFileSync(join(inv, "inventory", "hosts"), hosts("192.0.2.10"));
      ok(run("git", ["add", "ansible-inv"], work, env), "git add");
      const invProject = run("git", ["commit", "-m", "ansible inventory"], work, env);
      expect(invProject.status, output(invProject)).toBe(0);
      writeFileSync(join(inv, "inventory", "hosts"), hosts("0.0.0.0/0"));
      ok(run("git", ["add", "ansible-inv/inventory/hosts"], work, env), "git add");
      const invWide = run("git", ["commit", "-m", "ansible: monitor everywhere"], work, env);
      const invWideOut = output(invWide);
      expect(invWide.status, invWideOut).not.toBe(0);
      expect(invWideOut).toMatch(/ansible-inv\/roles\/fw\/templates\/rules\.v4\.j2:6:1 high exposed-service SSH \(tcp\/22\) is reachable from any source on the inbound path/);
      expect(invWideOut).toMatch(/read as part of ansible-inv\/roles\/fw\/templates\/rules\.v4\.j2, found beside it, a template rendered with what it holds/);
    },
    300_000,
  );
});
