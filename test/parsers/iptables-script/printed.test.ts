/**
 * What echo and printf print (parsers/iptables-script/printed.ts), each expectation as bash and
 * dash print it; what depends on the shell or on a conversion fwlint does not follow is undecided.
 */
import { describe, expect, it } from "vitest";
import { printedText } from "../../../parsers/iptables-script/printed.js";

describe("printedText", () => {
  it("echo joins its words by blanks, with -n and bash's -e/-E as options", () => {
    expect(printedText("echo", ["a", "b"], "bash")).toBe("a b\n");
    expect(printedText("echo", ["-n", "x"], "sh")).toBe("x\n");
    expect(printedText("echo", ["-e", "a b"], "bash")).toBe("a b\n");
    // dash's echo takes no -e: it prints it
    expect(printedText("echo", ["-e", "a b"], "sh")).toBe("-e a b\n");
    expect(printedText("echo", ["line 1\nline 2"], "bash")).toBe("line 1\nline 2\n");
  });

  it("echo of a backslash depends on the shell: undecided", () => {
    expect(printedText("echo", ["a\\tb"], "sh")).toBeUndefined();
    expect(printedText("echo", ["a\\tb"], "bash")).toBeUndefined();
  });

  it("printf takes %s in turn, uses its format again while arguments remain, and reads \\n \\t \\\\ %%", () => {
    expect(printedText("printf", ["%s\\n", "a", "b", "c"], "sh")).toBe("a\nb\nc\n");
    expect(printedText("printf", ["x %s y\\n", "1", "2"], "bash")).toBe("x 1 y\nx 2 y\n");
    expect(printedText("printf", ["%s %s\\n", "a", "b", "c"], "bash")).toBe("a b\nc \n");
    expect(printedText("printf", ["x\\n", "a", "b"], "sh")).toBe("x\n");
    expect(printedText("printf", ["100%%\\t%s\\\\\\n", "done"], "bash")).toBe("100%\tdone\\\n");
  });

  it("printf with another conversion or escape is undecided", () => {
    expect(printedText("printf", ["%d\\n", "1"], "bash")).toBeUndefined();
    expect(printedText("printf", ["%b", "a\\nb"], "bash")).toBeUndefined();
    expect(printedText("printf", ["a\\x41"], "bash")).toBeUndefined();
    expect(printedText("printf", [], "bash")).toBeUndefined();
  });
});
