/**
 * NAT port forwards (`<nat><rule>`; `<nat><outbound>` is source NAT and does not change what gets
 * in): traffic arriving on `<interface>` with `<protocol>`, `<source>` and `<destination>` (address
 * and port) has its destination rewritten to `<target>` and `<local-port>` (a range keeps its
 * offset). pf filters the translated packet, so filter rules match the target. `<nordr/>` excludes
 * traffic from redirection; `<associated-rule-id>pass</associated-rule-id>` is pf's `rdr pass`: the
 * forwarded connection passes without the filter rules (an implied rule on the filter chain).
 */
import type { Condition, Family, NatRewrite, Rule } from "../../src/model/types.js";
import { anyOf, spanOf } from "../junos/context.js";
import { portRange } from "./aliases.js";
import { child, childrenNamed, present, textOf, type XmlNode } from "./reading.js";
import { addressConditions, interfaceNames, portConditions, protocolConditions, type Endpoint, type PfContext } from "./rules.js";

export interface PortForwards {
  /** The destination NAT rules, per family. */
  dnat: Map<Family, Rule[]>;
  /** Implied filter rules of `rdr pass` forwards. */
  passes: Rule[];
  count: number;
}

function endpoint(n: XmlNode | undefined, at: XmlNode["at"]): Endpoint {
  if (!n) return { kind: "any", value: "any", not: false, port: undefined, at };
  const network = textOf(n, "network");
  const address = textOf(n, "address");
  const port = textOf(n, "port") || undefined;
  const not = present(n, "not");
  if (network) return { kind: network === "any" ? "any" : "network", value: network, not, port, at: child(n, "network")!.at };
  if (address) return { kind: "address", value: address, not, port, at: child(n, "address")!.at };
  return { kind: "any", value: "any", not, port, at: n.at };
}

export function readPortForwards(ctx: PfContext, nat: XmlNode | undefined): PortForwards {
  const out: PortForwards = { dnat: new Map([[4, []], [6, []]]), passes: [], count: 0 };
  childrenNamed(nat, "rule").forEach((r, k) => {
    const label = `port forward ${k + 1}`;
    if (present(r, "disabled")) {
      ctx.diags.info(r.at, `${label} is disabled; it is not a rule`);
      return;
    }
    out.count++;
    const ifaceIds = (textOf(r, "interface") || "wan").split(",").map((s) => s.trim()).filter(Boolean);
    const names = interfaceNames(ctx, { label, at: r.at }, ifaceIds);
    const src = endpoint(child(r, "source"), r.at);
    const dst = endpoint(child(r, "destination"), r.at);
    const protocol = textOf(r, "protocol") || undefined;
    const ipproto = textOf(r, "ipprotocol") || "inet";
    const families: Family[] = ipproto === "inet6" ? [6] : ipproto === "inet46" ? [4, 6] : [4];
    const nordr = present(r, "nordr");
    const targetText = textOf(r, "target") ?? "";
    const localPortText = textOf(r, "local-port") ?? "";
    const hasPorts = ["tcp", "udp", "tcp/udp"].includes(protocol?.toLowerCase() ?? "");
    for (const family of families) {
      const proto = protocolConditions(ctx, { label, at: r.at, protocol, icmptype: undefined }, family);
      const s = addressConditions(ctx, label, src, "src", family);
      const d = addressConditions(ctx, label, dst, "dst", family);
      if (!proto || !s || !d) continue;
      const iif: Condition[] = names ? anyOf(names.map((n) => [{ kind: "iface", field: "iif", name: n, prefix: false }])) : [];
      const match: Condition[] = [{ kind: "family", family }, ...iif, ...proto, ...s, ...d];
      if (hasPorts) match.push(...portConditions(ctx, label, src, "sport"), ...portConditions(ctx, label, dst, "dport"));
      const span = spanOf(ctx, r.at);
      const descr = textOf(r, "descr") || undefined;
      if (nordr) {
        out.dnat.get(family)!.push({ id: `${label}`, conditions: match, action: { kind: "accept" }, span, comment: descr ?? "no redirection (nordr)" });
        continue;
      }
      const target = ctx.aliases.addresses(targetText, family);
      if (targetText === "" || !target) {
        if (family === families[0]) ctx.diags.error(child(r, "target")?.at ?? r.at, `${label}: <target> '${targetText}' is not an IP address or a host alias`);
        continue;
      }
      if (target.ranges.length === 0) continue;
      const addr = target.ranges[0]!;
      if (target.ranges.length > 1 || addr.lo !== addr.hi) ctx.diags.info(child(r, "target")!.at, `${label}: the target holds several addresses (pf picks one by round robin); the first is taken`);
      const to: NatRewrite = { addr: { lo: addr.lo, hi: addr.lo } };
      let post: Condition[] = [];
      if (hasPorts && localPortText !== "") {
        const lp = portRange(localPortText);
        const ext = dst.port ? portRange(dst.port) : undefined;
        if (!lp) ctx.diags.error(child(r, "local-port")!.at, `${label}: <local-port> '${localPortText}' is not a port`);
        else {
          const width = ext ? ext[1] - ext[0] : 0;
          const ports: [number, number] = [lp[0], lp[0] + width];
          if (!(ext && ext[0] === ports[0])) to.ports = ports;
          if (width > 0 && ext && ext[0] !== ports[0]) ctx.diags.info(child(r, "local-port")!.at, `${label}: a port range moved to another range is taken as any port of ${ports[0]}-${ports[1]}`);
          post = [{ kind: "port", field: "dport", ranges: [ports] }];
        }
      } else if (hasPorts && dst.port) post = portConditions(ctx, label, dst, "dport");
      out.dnat.get(family)!.push({ id: label, conditions: match, action: { kind: "dnat", to, target: "rdr" }, span, ...(descr ? { comment: descr } : {}) });
      if (textOf(r, "associated-rule-id") === "pass") {
        out.passes.push({
          id: `${label} (rdr pass)`,
          conditions: [{ kind: "family", family }, ...iif, ...proto, ...s, { kind: "addr", field: "dst", family, ranges: [{ lo: addr.lo, hi: addr.lo }] }, ...post, { kind: "ct-dnat", text: "rdr pass" }],
          action: { kind: "accept" },
          span,
          comment: "the port forward passes its traffic itself (filter rule association 'Pass')",
          implied: true,
        });
      }
    }
  });
  return out;
}
