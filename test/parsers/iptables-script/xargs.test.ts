/**
 * The commands xargs builds from what it reads (parsers/iptables-script/xargs.ts), each
 * expectation first printed by GNU xargs 4.9 (`xargs ... echo`); and a script's ban list handed to
 * iptables by xargs, read as the commands it runs (the kernel test runs
 * fixtures/iptables-script/list-pipes.sh, which does it, in a namespace).
 */
import { describe, expect, it } from "vitest";
import { xargsCommands } from "../../../parsers/iptables-script/xargs.js";
import { ports, rulesOf, script } from "./helpers.js";

const INPUT = ["a b", "c", "", "d e f"];
const run = (argv: string[], input = INPUT) => {
  const r = xargsCommands(argv.map((text) => ({ text, pos: { line: 1, column: 1 } })), input);
  return "why" in r ? r : r.map((c) => c.map((f) => f.text).join(" "));
};

describe("xargs", () => {
  it("builds the commands GNU xargs runs", () => {
    expect(run(["-n", "2", "echo"])).toEqual(["echo a b", "echo c d", "echo e f"]);
    expect(run(["-L", "1", "echo"])).toEqual(["echo a b", "echo c", "echo d e f"]);
    expect(run(["echo"])).toEqual(["echo a b c d e f"]);
    expect(run(["-I{}", "echo", "x", "{}", "y"])).toEqual(["echo x a b y", "echo x c y", "echo x d e f y"]);
    expect(run(["-n1"])).toEqual(["echo a", "echo b", "echo c", "echo d", "echo e", "echo f"]);
    // with no input, once without -r; a line ending in a blank goes on into the next under -L
    expect(run(["echo"], [])).toEqual(["echo"]);
    expect(run(["-r", "echo"], [])).toEqual([]);
    expect(run(["-L1", "echo"], ["a ", "b", "c"])).toEqual(["echo a b", "echo c"]);
  });

  it("refuses what it reads its own way, and options it does not follow", () => {
    expect(run(["echo"], ["'a b'"])).toEqual({ why: "what xargs reads quotes or escapes, which xargs reads its own way" });
    expect(run(["-P", "4", "echo"])).toEqual({ why: "xargs's option -P is not followed" });
    expect(run(["-0", "echo"])).toEqual({ why: "xargs's option -0 is not followed" });
  });

  it("a ban list handed to iptables by xargs is the commands it runs, at the program xargs names; `xargs -n1` in a pipe prints", () => {
    const rs = script(["iptables -P INPUT DROP", 'printf "%s\\n" 203.0.113.9 198.51.100.7 | xargs -I{} iptables -A INPUT -s {} -j DROP', "echo 25 443 | xargs -n1 | xargs -I% iptables -A INPUT -p tcp --dport % -j ACCEPT"]);
    expect(rulesOf(rs).map((r) => `${r.span.line}:${r.span.column}`)).toEqual(["2:53", "2:53", "3:37", "3:37"]);
    expect(ports(rs)).toEqual(["addr drop", "addr drop", "dport=25 accept", "dport=443 accept"]);
  });
});
