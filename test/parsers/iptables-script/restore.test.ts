/**
 * `iptables-restore <<EOF ... EOF` in a script: the here-document's tables replace the script's
 * tables of those names, as iptables-restore 1.8.9 (nf_tables) does in a namespace: a table is
 * loaded whole at its COMMIT or not at all, and the first error stops the load (the tables before
 * it stay). fixtures/iptables-script/restore-heredoc.sh is run for real by the kernel test.
 */
import { describe, expect, it } from "vitest";
import { detectIptablesSave } from "../../../parsers/iptables/detect.js";
import { detectIptablesScript } from "../../../parsers/iptables-script/detect.js";
import { diags, ports, rulesOf, script } from "./helpers.js";

const FILTER = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"];

describe("iptables-restore here-documents", () => {
  it("loads the document's tables: policies, user chains, rules at the document's lines, the script's variables filled in", () => {
    const rs = script(["WAN=eth0", "iptables-restore <<EOF", ...FILTER, ":WEB - [0:0]", "-A INPUT -i $WAN -p tcp --dport 80 -j WEB", '-A WEB -m comment --comment "web \\"front\\"" -j ACCEPT', "COMMIT", "EOF"]);
    expect(diags(rs)).toEqual([]);
    expect(rs.chains.get("filter/INPUT")!.policy).toBe("drop");
    expect(rs.chains.get("filter/FORWARD")!.policy).toBe("drop");
    expect(ports(rs)).toEqual(["dport=80 jump WEB"]);
    const r = rulesOf(rs)[0]!;
    expect([r.span.line, r.span.column, r.span.text]).toEqual([8, 1, "-A INPUT -i $WAN -p tcp --dport 80 -j WEB"]);
    expect(r.conditions[0]).toEqual({ kind: "iface", field: "iif", name: "eth0", prefix: false });
    expect(rulesOf(rs, "filter/WEB")[0]!.comment).toBe('web "front"');
  });

  it("replaces a table whole (the script's earlier rules and chains of it go), and leaves the other tables", () => {
    const rs = script([
      "iptables -N OLD",
      "iptables -A INPUT -p tcp --dport 23 -j ACCEPT",
      "iptables -t nat -A PREROUTING -p tcp --dport 2222 -j REDIRECT --to-ports 22",
      "iptables-restore <<'EOF'",
      "*filter",
      ":INPUT DROP [0:0]",
      "-A INPUT -p tcp --dport 22 -j ACCEPT",
      "COMMIT",
      "EOF",
    ]);
    expect(diags(rs)).toEqual([]);
    expect(ports(rs)).toEqual(["dport=22 accept"]);
    expect(rs.chains.has("filter/OLD")).toBe(false);
    // FORWARD was not named: the new table's FORWARD accepts, as iptables-nft-restore leaves it
    expect(rs.chains.get("filter/FORWARD")!.policy).toBe("accept");
    expect(ports(rs, "nat/PREROUTING")).toEqual(["dport=2222 dnat"]);
  });

  it("a table with an error loads nothing and stops the load; the tables before it stay; the command fails", () => {
    const rs = script([
      "set -e",
      "iptables-restore <<'EOF' || echo failed",
      "*nat",
      ":PREROUTING ACCEPT [0:0]",
      "-A PREROUTING -p tcp --dport 2222 -j REDIRECT --to-ports 22",
      "COMMIT",
      ...FILTER,
      "-A INPUT -p tcp --dport 22 -j ACCEPT",
      "-A INPUT -j NOPE",
      "COMMIT",
      "*mangle",
      ":PREROUTING ACCEPT [0:0]",
      "COMMIT",
      "EOF",
      "iptables -A INPUT -p tcp --dport 25 -j ACCEPT",
    ]);
    expect(ports(rs, "nat/PREROUTING")).toEqual(["dport=2222 dnat"]);
    expect(ports(rs)).toEqual(["dport=25 accept"]);
    expect(rs.chains.get("filter/INPUT")!.policy).toBe("accept");
    expect(rs.chains.has("mangle/PREROUTING")).toBe(false);
    expect(diags(rs)).toEqual([
      "info 7:1 iptables-restore loads nothing of table filter (from line 7) and stops: the error in it",
      "error 12:13 -j NOPE: neither a target of iptables nor a chain of table filter (create the chain with -N before the rules that use it)",
    ]);
  });

  it("a table not ended by COMMIT, a rule line before any table, -t in a line, an open quote: errors, nothing of that table", () => {
    const cases: [string[], string][] = [
      [[...FILTER, "-A INPUT -j ACCEPT"], "error 2:1 iptables-restore: COMMIT expected: table filter is not ended by COMMIT before the end of the here-document"],
      [["-A INPUT -j ACCEPT", "COMMIT"], "error 2:1 iptables-restore: expected a table line (*filter) before '-A INPUT -j ACCEPT'"],
      [[...FILTER, "-t nat -A INPUT -j ACCEPT", "COMMIT"], "error 6:1 iptables-restore: the -t option cannot be used in a restore document (the *table line names the table)"],
      [[...FILTER, '-A INPUT -m comment --comment "open -j ACCEPT', "COMMIT"], "error 6:31 iptables-restore: a double quote is not closed on this line"],
    ];
    for (const [doc, error] of cases) {
      const rs = script(["iptables-restore <<'EOF'", ...doc, "EOF"]);
      expect(rulesOf(rs)).toEqual([]);
      expect(diags(rs, "error")).toEqual([error]);
    }
  });

  it("--test changes nothing, -T loads one table, <<- strips the tabs; --noflush adds to the table; a file is reported, not read", () => {
    const rs = script([
      "iptables-restore --test <<'EOF'",
      ...FILTER,
      "-A INPUT -p tcp --dport 1 -j ACCEPT",
      "COMMIT",
      "EOF",
      "iptables-restore -w 5 -T nat <<-'EOF'",
      ...[...FILTER, "-A INPUT -p tcp --dport 2 -j ACCEPT", "COMMIT", "*nat", ":PREROUTING ACCEPT [0:0]", "-A PREROUTING -p tcp --dport 3 -j REDIRECT --to-ports 22", "COMMIT"].map((l) => `\t\t${l}`),
      "\tEOF",
      "iptables-restore -n <<'EOF'",
      "*filter",
      "-A INPUT -p tcp --dport 4 -j ACCEPT",
      "COMMIT",
      "EOF",
      "iptables-restore /etc/iptables/rules.v4",
    ]);
    expect(ports(rs)).toEqual(["dport=4 accept"]);
    expect(ports(rs, "nat/PREROUTING")).toEqual(["dport=3 dnat"]);
    expect(rulesOf(rs, "nat/PREROUTING")[0]!.span.column).toBe(3);
    expect(diags(rs)).toEqual([`info 26:1 'iptables-restore' skipped: fwlint does not read the rules it loads from /etc/iptables/rules.v4: it is outside the scanned tree (${process.cwd()}), which holds no copy of it; check that file with fwlint on its own`]);
  });

  it("--noflush: the table's rules stay, chain lines set policies and empty the user chains they name (iptables-restore 1.8.9, asked)", () => {
    const rs = script([
      "iptables -N MY",
      "iptables -A MY -j ACCEPT",
      "iptables -A INPUT -p tcp --dport 22 -j ACCEPT",
      "iptables -A INPUT -j MY",
      "iptables -t nat -A PREROUTING -p tcp --dport 1 -j REDIRECT --to-ports 22",
      "iptables-restore --noflush <<'EOF'",
      "*filter",
      ":INPUT DROP [0:0]",
      ":MY - [0:0]",
      ":NEW - [0:0]",
      "-I INPUT -p tcp --dport 80 -j ACCEPT",
      "-A NEW -j DROP",
      "COMMIT",
      "EOF",
    ]);
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(ports(rs)).toEqual(["dport=80 accept", "dport=22 accept", "any jump MY"]);
    expect(rulesOf(rs, "filter/MY")).toEqual([]);
    expect(ports(rs, "filter/NEW")).toEqual(["any drop"]);
    expect(rs.chains.get("filter/INPUT")!.policy).toBe("drop");
    expect(ports(rs, "nat/PREROUTING")).toEqual(["dport=1 dnat"]);
    // an error in the table leaves it as it was
    const failed = script(["iptables -A INPUT -p tcp --dport 22 -j ACCEPT", "iptables-restore -n <<'EOF'", "*filter", ":INPUT DROP [0:0]", "-A INPUT -p tcp --dport 80 -j NOPE", "COMMIT", "EOF"]);
    expect(ports(failed)).toEqual(["dport=22 accept"]);
    expect(failed.chains.get("filter/INPUT")!.policy).toBe("accept");
  });

  it("ip6tables-restore loads the IPv6 tables; a value the here-document needs and fwlint does not know skips it", () => {
    const rs = script([
      "ip6tables-restore <<EOF",
      "*filter",
      ":INPUT DROP [0:0]",
      "-A INPUT -p tcp --dport 22 -j ACCEPT",
      "COMMIT",
      "EOF",
      "iptables-restore <<EOF",
      "*filter",
      "-A INPUT -s $(cat /etc/admin) -j ACCEPT",
      "COMMIT",
      "EOF",
    ]);
    // (only IPv6 tables were loaded: the model is IPv6's alone)
    expect(rs.families).toEqual([6]);
    expect(ports(rs)).toEqual(["dport=22 accept"]);
    expect(rs.chains.get("filter/INPUT")!.policy).toBe("drop");
    expect(diags(rs)).toEqual(["info 9:13 here-document read by iptables-restore (lines 8-10) skipped: a command substitution is known only when the script runs; fwlint does not guess the value"]);
  });

  it("reads a file the script wrote from a here-document, and what cat pipes to it", () => {
    const rs = script([
      "DB=3306",
      "cat > /etc/iptables/rules.v4 <<EOF",
      ...FILTER,
      "-A INPUT -p tcp --dport $DB -j ACCEPT",
      "COMMIT",
      "EOF",
      "iptables-restore < /etc/iptables/rules.v4",
      "cat <<'EOF' | iptables-restore -T nat",
      "*nat",
      ":PREROUTING ACCEPT [0:0]",
      "-A PREROUTING -p tcp --dport 2222 -j REDIRECT --to-ports 22",
      "COMMIT",
      "EOF",
      "cat >> /etc/iptables/rules.v4 <<'EOF'",
      "# appended: read with the rest",
      "EOF",
      "iptables-restore /etc/iptables/rules.v4 && iptables -A INPUT -p tcp --dport 443 -j ACCEPT",
      "iptables-restore < /etc/iptables/other.v4",
    ]);
    expect(ports(rs)).toEqual(["dport=3306 accept", "dport=443 accept"]);
    expect(rulesOf(rs)[0]!.span.line).toBe(7);
    expect(ports(rs, "nat/PREROUTING")).toEqual(["dport=2222 dnat"]);
    expect(rulesOf(rs, "nat/PREROUTING")[0]!.span.line).toBe(14);
    expect(diags(rs)).toEqual([`info 21:1 'iptables-restore' skipped: it reads /etc/iptables/other.v4: it is outside the scanned tree (${process.cwd()}), which holds no copy of it; check that file with fwlint on its own`]);
  });

  it("loads what echo or printf pipes to it (its rules at the first word printed); a printed backslash is undecided", () => {
    const rules = [...FILTER, "-A INPUT -p tcp --dport 25 -j ACCEPT", "COMMIT"].join("\n");
    const rs = script([`RULES="${rules}"`, 'echo "$RULES" | iptables-restore', "printf -- '-A INPUT -p tcp --dport %s -j ACCEPT\\n' 80 443 | iptables-restore --noflush -T filter"]);
    // (the second document has no table line: iptables-restore refuses it, and the first stays)
    expect(ports(rs)).toEqual(["dport=25 accept"]);
    expect(rulesOf(rs)[0]!.span).toMatchObject({ line: 7, column: 6 });
    const printed = script(["printf '%s\\n' '*filter' ':INPUT DROP [0:0]' '-A INPUT -p tcp --dport 22 -j ACCEPT' COMMIT | iptables-restore"]);
    expect(ports(printed)).toEqual(["dport=22 accept"]);
    expect(printed.chains.get("filter/INPUT")!.policy).toBe("drop");
    const escaped = script(["echo '*filter\\n:INPUT DROP [0:0]\\nCOMMIT' | iptables-restore", "iptables -A INPUT -p tcp --dport 2 -j ACCEPT"]);
    expect(diags(escaped)[0]).toBe("info 1:1 pipeline skipped: fwlint does not follow what 'echo *filter\\n:INPUT DROP [0:0]\\nCOMMIT' prints");
  });

  it("a script that loads its rules with iptables-restore <<EOF is a script, not an iptables-save file", () => {
    const text = ["#!/bin/sh", "set -e", "iptables-restore <<'EOF'", ...FILTER, "-A INPUT -p tcp --dport 22 -j ACCEPT", "-A INPUT -p tcp --dport 80 -j ACCEPT", "COMMIT", "EOF", ""].join("\n");
    expect(detectIptablesSave(text)).toBeNull();
    expect(detectIptablesScript(text)).toBe(true);
    // and one that writes the save text to a file and loads that
    const written = ["#!/bin/sh", "cat > /etc/iptables/rules.v4 <<'EOF'", ...FILTER, "-A INPUT -p tcp --dport 22 -j ACCEPT", "COMMIT", "EOF", "iptables-restore < /etc/iptables/rules.v4", ""].join("\n");
    expect(detectIptablesSave(written)).toBeNull();
    expect(detectIptablesScript(written)).toBe(true);
    // an iptables-save file is still one
    const save = [...FILTER, "-A INPUT -p tcp --dport 22 -j ACCEPT", "COMMIT", ""].join("\n");
    expect(detectIptablesSave(save)).toBe("iptables");
    expect(detectIptablesScript(save)).toBe(false);
  });
});
