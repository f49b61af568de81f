/**
 * Zones as interface conditions. A zone stands for the interfaces in it: `from Z` is "entered on
 * one of Z's interfaces", `to Z` "leaves by one of them" (the zone of the destination after NAT,
 * as the security policy sees it). `any` is every interface in a zone: an interface in no zone
 * carries no traffic through the firewall.
 *
 * A scope that declares no zones (a Panorama device group, whose zones are in templates; a
 * generated policy file) names zones the file does not describe: each then stands for an
 * interface of its own name, and `any` for every interface.
 */
import type { Condition } from "../../src/model/types.js";
import { child, kids, type ConfigNode } from "../junos/tree.js";
import type { Zone } from "./network.js";
import { anyOf, undefinedRef, type PanosContext } from "./scope.js";

export class ZoneMap {
  /** Zone names the rules use where the zones are not declared (pseudo interfaces). */
  readonly named = new Set<string>();
  /** Declared zones without interfaces already reported. */
  private readonly empty = new Set<string>();

  constructor(
    private readonly ctx: PanosContext,
    readonly zones: Map<string, Zone>,
    /** What to call the scope in messages ("vsys1", "device-group DG"). */
    private readonly where: string,
    /** The interfaces of another virtual system of the device (for external zones); undefined if there is none of that name. */
    private readonly vsysInterfaces: (name: string) => string[] | undefined = () => undefined,
  ) {}

  /**
   * Where the scope declares no zones: takes in every zone name its security and NAT rules use,
   * before any rule is built (`any` and the predefined intrazone rule stand for all of them).
   */
  collect(rulebases: readonly { node: ConfigNode }[]): void {
    if (!this.undeclared) return;
    for (const r of rulebases) {
      for (const kind of ["security", "nat"]) {
        for (const rule of kids(child(child(r.node, kind), "rules"))) {
          for (const key of ["from", "to"]) for (const z of kids(child(rule, key))) if (z.name !== "any") this.named.add(z.name);
        }
      }
    }
  }

  /** The scope declares no zones: names stand for interfaces of their own. */
  get undeclared(): boolean {
    return this.zones.size === 0;
  }

  /** Interface names of a zone (a declared one's members, else the name itself); undefined for an undefined zone. */
  interfacesOf(name: string): string[] | undefined {
    if (this.undeclared) return [name];
    const z = this.zones.get(name);
    if (!z) return undefined;
    return [...z.interfaces.map((i) => i.name), ...z.external.flatMap((v) => this.vsysInterfaces(v.name) ?? [])];
  }

  /** Every interface in some zone; undefined when zones are not declared (any name). */
  allInterfaces(): string[] | undefined {
    if (this.undeclared) return undefined;
    return [...new Set([...this.zones.values()].flatMap((z) => z.interfaces.map((i) => i.name)))];
  }

  /** The zones a rule names, resolved: `any` as undefined. Undefined zones are reported. */
  resolve(names: readonly ConfigNode[], user: string, key: string): string[] | undefined {
    if (names.length === 0 || names.some((n) => n.name === "any")) return undefined;
    const out: string[] = [];
    for (const n of names) {
      if (this.undeclared) this.named.add(n.name);
      else if (!this.zones.has(n.name)) {
        undefinedRef(this.ctx, n, `${user}: ${key} zone '${n.name}' is not a zone of ${this.where}`);
        continue;
      }
      const z = this.zones.get(n.name);
      if (z && z.interfaces.length === 0 && z.external.length === 0 && !this.empty.has(n.name)) {
        this.empty.add(n.name);
        this.ctx.diags.warn(n, `${user}: zone '${n.name}' has no interfaces; rules naming it match no traffic through it`);
      }
      out.push(n.name);
    }
    return out;
  }

  /**
   * Packets entering (iif) or leaving (oif) by one of the zones; `undefined` zones = any. Through
   * an external zone, a packet crosses into another virtual system, whose own policy (not this
   * one's) then judges it: an unknown condition on that crossing.
   */
  condition(zones: readonly string[] | undefined, field: "iif" | "oif"): Condition[] {
    const iface = (name: string): Condition => ({ kind: "iface", field, name, prefix: false });
    if (zones === undefined) {
      const all = this.allInterfaces();
      return all === undefined ? [] : anyOf(all.map((n) => [iface(n)]));
    }
    const alts: Condition[][] = [];
    const seen = new Set<string>();
    for (const name of zones) {
      const z = this.zones.get(name);
      const own = this.undeclared ? [name] : (z?.interfaces ?? []).map((i) => i.name);
      for (const n of own) if (!seen.has(n)) (seen.add(n), alts.push([iface(n)]));
      for (const v of z?.external ?? []) {
        const other = this.vsysInterfaces(v.name);
        if (!other) continue;
        const crossing: Condition = { kind: "unknown", text: `zone ${name} (external: ${v.name})`, reason: `traffic into ${v.name} is judged by ${v.name}'s own security policy as well` };
        for (const n of other) alts.push([iface(n), crossing]);
      }
    }
    return alts.length === 1 ? alts[0]! : [{ kind: "or", anyOf: alts }];
  }

  /** Both ends in the same zone, for each of `zones` (undefined: every zone known). */
  sameZone(zones: readonly string[] | undefined): Condition[][] {
    const list = zones ?? (this.undeclared ? [...this.named] : [...this.zones.keys()]);
    return list.map((z) => [...this.condition([z], "iif"), ...this.condition([z], "oif")]);
  }
}
