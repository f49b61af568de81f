/**
 * J-Web, the device's web UI: `system services web-management http|https` (tcp/80, tcp/443, or
 * `port N`), on every interface or only those `interface` lists. Reachable from the Internet it
 * is a way into the device itself (J-Web was exploited that way in 2023), so each server that is
 * on is a device service (Ruleset.deviceServices) the exposure check reports as such. Whether a
 * packet reaches it is the filters' and zones' business (host-inbound-traffic `http`/`https`).
 */
import type { DeviceService } from "../../src/model/types.js";
import { spanOf, type JunosContext } from "./context.js";
import { at, child, kids, value } from "./tree.js";
import { unitName } from "./zones.js";

const DEFAULT_PORTS = { http: 80, https: 443 } as const;

export function webManagement(ctx: JunosContext): DeviceService[] {
  const web = at(ctx.root, "system", "services", "web-management");
  const out: DeviceService[] = [];
  for (const proto of ["http", "https"] as const) {
    const server = child(web, proto);
    if (!server) continue;
    const portText = value(server, "port")?.name;
    const port = portText !== undefined && /^[0-9]+$/.test(portText) && Number(portText) <= 65535 ? Number(portText) : DEFAULT_PORTS[proto];
    const listed = kids(child(server, "interface")).map((n) => unitName(n.name));
    // HTTP and HTTPS on the same interfaces: one service on both ports
    const same = out.find((d) => (d.interfaces ?? []).join(" ") === listed.join(" "));
    if (same && !same.ports.some(([p]) => p === port)) same.ports.push([port, port]);
    if (same) continue;
    out.push({ id: "j-web", name: "J-Web", protocol: 6, ports: [[port, port]], ...(listed.length > 0 ? { interfaces: listed } : {}), span: spanOf(ctx, server) });
  }
  for (const d of out) d.ports.sort((a, b) => a[0] - b[0]);
  return out;
}
