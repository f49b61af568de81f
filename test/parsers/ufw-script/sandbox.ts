/**
 * A sandbox the real ufw runs in (`ufw --rootdir=DIR --datadir=DIR ...`): the package's rule files
 * (/usr/share/ufw), its default policies and a disabled ufw.conf, ufw-init beside them - so that
 * ufw writes its user rules there, never the host's /etc/ufw, and `ufw enable` loads them with
 * the sandbox's ufw-init. Used by the tests that hold fwlint's reading of ufw commands against
 * what ufw itself does (commands.test.ts, test/kernel/ufw-script.test.ts).
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVER_PACKAGES } from "../../../parsers/ufw-script/profiles.js";

export const UFW = ["/usr/sbin/ufw", "/sbin/ufw"].find((p) => existsSync(p));
const SHARE = "/usr/share/ufw";
const INIT = ["/lib/ufw", "/usr/lib/ufw"].find((d) => existsSync(join(d, "ufw-init")));

/** Why the real ufw cannot be run here, if it cannot (not installed, not root). */
export function ufwMissing(): string | undefined {
  if (UFW === undefined || !existsSync(SHARE) || INIT === undefined) return "ufw is not installed (/usr/sbin/ufw, /usr/share/ufw, /lib/ufw/ufw-init)";
  if (process.getuid?.() !== 0) return "ufw runs as root only";
  return undefined;
}

/** A fresh sandbox: its folder, and a folder holding a `ufw` that runs the real one in it. */
export function ufwSandbox(): { dir: string; bin: string } {
  const dir = mkdtempSync(join(tmpdir(), "fwlint-ufw-sandbox-"));
  chmodSync(dir, 0o700);
  for (const sub of ["etc/ufw/applications.d", "etc/default", "lib/ufw", "bin", "usr/share/ufw/iptables"]) mkdirSync(join(dir, sub), { recursive: true });
  for (const f of readdirSync(SHARE)) if (/\.(rules|init)$/.test(f)) copyFileSync(join(SHARE, f), join(dir, "etc/ufw", f));
  // (the templates `ufw reset` copies back)
  for (const f of readdirSync(join(SHARE, "iptables"))) copyFileSync(join(SHARE, "iptables", f), join(dir, "usr/share/ufw/iptables", f));
  for (const f of readdirSync(INIT!)) if (f.startsWith("ufw-init")) copyFileSync(join(INIT!, f), join(dir, "lib/ufw", f));
  writeFileSync(join(dir, "etc/default/ufw"), 'IPV6=yes\nDEFAULT_INPUT_POLICY="DROP"\nDEFAULT_OUTPUT_POLICY="ACCEPT"\nDEFAULT_FORWARD_POLICY="DROP"\nDEFAULT_APPLICATION_POLICY="SKIP"\nMANAGE_BUILTINS=no\nIPT_SYSCTL=/etc/ufw/sysctl.conf\nIPT_MODULES=""\n');
  writeFileSync(join(dir, "etc/ufw/ufw.conf"), "ENABLED=no\nLOGLEVEL=low\n");
  // application profiles: the ufw package's (the host's copy), and those of the server packages fwlint knows, as they define them
  const apps = "/etc/ufw/applications.d";
  if (existsSync(apps)) for (const f of readdirSync(apps)) if (f.startsWith("ufw-")) copyFileSync(join(apps, f), join(dir, "etc/ufw/applications.d", f));
  writeFileSync(join(dir, "etc/ufw/applications.d", "fwlint-servers"), Object.entries(SERVER_PACKAGES).map(([name, ports]) => `[${name}]\ntitle=${name}\ndescription=${name}\nports=${ports}\n`).join("\n"));
  writeFileSync(join(dir, "etc/ufw/sysctl.conf"), "");
  const bin = join(dir, "bin");
  writeFileSync(join(bin, "ufw"), `#!/bin/sh\nexec ${UFW} --rootdir=${dir} --datadir=${dir} "$@"\n`);
  chmodSync(join(bin, "ufw"), 0o755);
  return { dir, bin };
}
