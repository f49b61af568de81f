import { describe, expect, it } from "vitest";
import { sanitize } from "../../src/report/sanitize.js";

describe("sanitize", () => {
  it("leaves ordinary text and tabs alone", () => {
    expect(sanitize("-A INPUT -p tcp\t--dport 25 -j ACCEPT # héllo ✓")).toBe("-A INPUT -p tcp\t--dport 25 -j ACCEPT # héllo ✓");
  });

  it("makes ESC sequences visible", () => {
    expect(sanitize("a\x1b[2Jb")).toBe("a\\x1b[2Jb");
    expect(sanitize("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\")).toBe("\\x1b]8;;http://evil\\x1b\\link\\x1b]8;;\\x1b\\");
  });

  it("replaces C0, DEL and C1 controls, newlines and bidi overrides", () => {
    expect(sanitize("a\nb\rc\x00d\x07e\x7ff\x9bg")).toBe("a\\nb\\rc\\x00d\\x07e\\x7ff\\x9bg");
    expect(sanitize("x\u202ey\u2066z\u2028")).toBe("x\\u202ey\\u2066z\\u2028");
  });

  it("output never contains a control character", () => {
    let all = "";
    for (let c = 0; c < 0x100; c++) all += String.fromCharCode(c);
    // eslint-disable-next-line no-control-regex
    expect(sanitize(all)).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/);
  });
});
