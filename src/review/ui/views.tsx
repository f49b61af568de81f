/**
 * The review's screens, each drawing at most `height` lines of `width` columns (so the whole UI fits
 * 80x24): the findings list, a finding's detail, the exposure map, the trace prompt, the help. They
 * only draw; App owns the state and the keys. Every string from a scanned file goes through shown().
 */
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import type { PacketVerdict } from "../../analysis/verdict.js";
import { describePacket } from "../../model/packet-text.js";
import type { Packet, TraceStep } from "../../model/finding.js";
import type { ExposureRow } from "../exposure-map.js";
import { mapPortsText } from "../exposure-map.js";
import type { ListRow } from "../list.js";
import { sourceText, type ReviewFinding } from "../session.js";
import { severityColor, shown, tint, useTheme, wrapText } from "./theme.js";

/** One screen line: never wraps, cut at the right edge. */
export function Line({ children, ...style }: { children?: ReactNode; color?: string; bold?: boolean; inverse?: boolean; dimColor?: boolean }) {
  return (
    <Text wrap="truncate-end" {...style}>
      {children === undefined || children === "" ? " " : children}
    </Text>
  );
}

/** The first visible index so that `selected` stays on screen with `height` rows. */
export function scrollTop(selected: number, height: number, total: number): number {
  if (total <= height) return 0;
  const top = Math.max(0, selected - Math.floor(height / 2));
  return Math.min(top, total - height);
}

function packetText(p: Packet): string {
  return `${describePacket(p)}${p.hook !== "input" ? ` hook ${p.hook}` : ""}`;
}

/**
 * A trace step as two lines: where (file:line, table and chain), then what happened and the rule,
 * so a long path does not push the action and the rule off an 80-column screen.
 */
function stepLines(s: TraceStep, n: number): [string, string] {
  const indent = " ".repeat(String(n).length + 4);
  return [`  ${n}. ${s.file}:${s.line}  ${s.table} ${s.chain}`, `${indent}${s.action}  ${s.rule}`];
}

export function FindingsList({ rows, selected, height, fileInHeader }: { rows: ListRow[]; selected: number; height: number; fileInHeader: boolean }) {
  const theme = useTheme();
  if (rows.length === 0) return <Line>No findings match. (Esc clears the filters)</Line>;
  // `selected` counts findings; find its row index to scroll to.
  let seen = -1;
  let selectedRow = 0;
  rows.forEach((r, i) => {
    if (r.kind === "finding" && ++seen === selected) selectedRow = i;
  });
  const top = scrollTop(selectedRow, height, rows.length);
  const shownRows = rows.slice(top, top + height);
  return (
    <Box flexDirection="column">
      {shownRows.map((r, i) => {
        const index = top + i;
        if (r.kind === "group") {
          return (
            <Line key={`g${index}`} bold>
              {shown(r.label)} ({r.count})
            </Line>
          );
        }
        const f = r.item.finding;
        const isSel = index === selectedRow;
        return (
          <Line key={r.item.key + index} inverse={isSel}>
            {isSel ? "> " : "  "}
            <Text {...(isSel ? {} : severityColor(theme, f.severity))}>{f.severity.padEnd(9)}</Text>
            {shown(`${f.ruleId}${f.exposure ? ` v${f.exposure.family}` : ""}  ${fileInHeader ? `line ${f.location.line}` : `${f.location.file}:${f.location.line}`}  ${f.message}`)}
          </Line>
        );
      })}
    </Box>
  );
}

/** The detail of one finding as lines (App scrolls them). */
export function detailLines(item: ReviewFinding, width: number): { text: string; style?: "rule" | "head" | "dim" }[] {
  const f = item.finding;
  const out: { text: string; style?: "rule" | "head" | "dim" }[] = [];
  out.push({ text: shown(`${f.severity.toUpperCase()} ${f.ruleId}  ${f.location.file}:${f.location.line}:${f.location.column}`), style: "head" });
  for (const l of wrapText(shown(f.message), width - 1)) out.push({ text: l });
  if (f.uncertain && f.uncertain.length > 0) out.push({ text: shown(`depends on: ${f.uncertain.join("; ")}`), style: "dim" });
  out.push({ text: "" });
  out.push({ text: "Source", style: "head" });
  // the finding's own file: the scanned one, or a file it includes (an nft fragment)
  const text = sourceText(item.file, f.location.file);
  const lines = text?.split("\n") ?? [];
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop(); // the final newline ends a line
  const n = f.location.line;
  if (text !== undefined && n >= 1 && n <= lines.length) {
    const from = Math.max(1, n - 3);
    const to = Math.min(lines.length, n + 3);
    const numWidth = String(to).length;
    for (let i = from; i <= to; i++) {
      const mark = i === n ? ">" : " ";
      out.push({ text: `${mark}${String(i).padStart(numWidth)} | ${shown(lines[i - 1]!.replace(/\r$/, ""))}`, ...(i === n ? { style: "rule" as const } : {}) });
    }
  } else {
    out.push({ text: shown(`  ${f.location.file}:${f.location.line} (not in the scanned text)`), style: "dim" });
  }
  if (f.related && f.related.length > 0) {
    out.push({ text: "" });
    out.push({ text: "Related", style: "head" });
    for (const r of f.related) out.push({ text: shown(`  ${r.file}:${r.line}  ${r.message}`) });
  }
  if (f.witness) {
    out.push({ text: "" });
    out.push({ text: "Example packet", style: "head" });
    out.push({ text: shown(`  ${packetText(f.witness)}`) });
  }
  if (f.trace && f.trace.length > 0) {
    out.push({ text: "" });
    out.push({ text: "Trace", style: "head" });
    f.trace.forEach((s, i) => {
      const [where, what] = stepLines(s, i + 1);
      out.push({ text: shown(where) }, { text: shown(what), style: "dim" });
    });
  }
  return out;
}

export function DetailView({ item, width, height, scroll }: { item: ReviewFinding; width: number; height: number; scroll: number }) {
  const theme = useTheme();
  const lines = detailLines(item, width);
  const top = Math.max(0, Math.min(scroll, lines.length - height));
  return (
    <Box flexDirection="column">
      {lines.slice(top, top + height).map((l, i) =>
        l.style === "head" ? (
          <Line key={i} bold {...(i === 0 && top === 0 ? severityColor(theme, item.finding.severity) : {})}>
            {l.text}
          </Line>
        ) : l.style === "rule" ? (
          <Line key={i} inverse>
            {l.text}
          </Line>
        ) : l.style === "dim" ? (
          <Line key={i} dimColor>
            {l.text}
          </Line>
        ) : (
          <Line key={i}>{l.text}</Line>
        ),
      )}
    </Box>
  );
}

/** `text` in a column of `width`: padded, or cut with an ellipsis. */
function col(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/**
 * The rule that decides an exposure row: `line N` when one file is scanned and the rule is in it,
 * else `FILE:N` (a rule of a file the scanned one includes, such as an nft fragment).
 */
export function decidedByText(r: ExposureRow, oneFile: boolean): string {
  const by = r.decidedBy;
  if (!by) return "(no rule: pipeline default)";
  return `${oneFile && by.file === r.file ? "line " : `${by.file}:`}${by.line} ${by.rule}`;
}

/** With one file scanned, rows say `line N` for its own rules instead of repeating its path. */
export function ExposureView({ rows, selected, height, width, oneFile }: { rows: ExposureRow[] | undefined; selected: number; height: number; width: number; oneFile: boolean }) {
  const theme = useTheme();
  if (rows === undefined) return <Line>Computing what the Internet can reach...</Line>;
  if (rows.length === 0) return <Line>Nothing is reachable from the Internet (new connections from public sources).</Line>;
  const wide = width >= 100;
  const head = wide
    ? `  ${col("DESTINATION", 24)} ${col("SERVICE", 14)} ${col("PROTO/PORTS", 14)} ${col("FROM", 6)} DECIDED BY`
    : `  ${col("DESTINATION", 22)} ${col("SERVICE", 10)} ${col("PORTS", 11)} DECIDED BY`;
  const top = scrollTop(selected, height - 1, rows.length);
  return (
    <Box flexDirection="column">
      <Line bold>{head}</Line>
      {rows.slice(top, top + height - 1).map((r, i) => {
        const index = top + i;
        const isSel = index === selected;
        const service = r.services.length > 0 ? r.services.join(",") : "-";
        const ports = `${r.protocol}/${mapPortsText(r.ports)}`;
        const from = r.coverage >= 0.999 ? "any" : r.coverage < 0.001 ? "<0.1%" : `${Math.floor(r.coverage * 1000) / 10}%`;
        const by = decidedByText(r, oneFile);
        const dst = `${r.destinations}${r.forwardedTo !== undefined ? ` > ${r.forwardedTo}` : r.direction === "forward" ? " (fwd)" : ""}`;
        const text = wide
          ? `${col(dst, 24)} ${col(service, 14)} ${col(ports, 14)} ${col(from, 6)} ${by}`
          : `${col(dst, 22)} ${col(service, 10)} ${col(ports, 11)} ${by}`;
        return (
          <Line key={index} inverse={isSel}>
            <Text {...(r.severity && !isSel ? severityColor(theme, r.severity) : {})}>{r.severity ? "! " : "  "}</Text>
            {shown(text)}
          </Line>
        );
      })}
    </Box>
  );
}

export interface TraceOutcome {
  file: string;
  packet?: Packet;
  verdict?: PacketVerdict;
  error?: string;
  /** How the packet's egress interface was chosen when the prompt named none (see routedEgress). */
  note?: string;
}

export function TraceView({ input, cursor, outcome, file, height }: { input: string; cursor: number; outcome?: TraceOutcome; file: string; height: number }) {
  const theme = useTheme();
  const lines: ReactNode[] = [];
  lines.push(<Line key="f">{shown(`Ruleset: ${file}`)}</Line>);
  lines.push(
    <Line key="p">
      {"packet> "}
      {shown(input.slice(0, cursor))}
      <Text inverse>{cursor < input.length ? shown(input[cursor]!) : " "}</Text>
      {shown(input.slice(cursor + 1))}
    </Line>,
  );
  lines.push(<Line key="h" dimColor>{"e.g. tcp 1.2.3.4:5555 -> 10.0.0.5:25 iif eth0   (also: oif IF, hook forward, type N, flags SA)"}</Line>);
  lines.push(<Line key="s"> </Line>);
  if (outcome?.error) lines.push(<Line key="e" {...tint(theme, "red")}>{shown(outcome.error)}</Line>);
  if (outcome?.verdict && outcome.packet) {
    const v = outcome.verdict;
    const color = v.verdict === "accept" ? "green" : v.verdict === "drop" ? "red" : "yellow";
    lines.push(
      <Line key="v" bold>
        {shown(`${packetText(outcome.packet)}: `)}
        <Text {...tint(theme, color)}>{v.verdict.toUpperCase()}</Text>
      </Line>,
    );
    if (outcome.note) lines.push(<Line key="note" dimColor>{shown(`  (${outcome.note})`)}</Line>);
    if (!v.pipeline) lines.push(<Line key="np">  (no chain of this ruleset sees this packet: nothing filters it)</Line>);
    const paths = v.verdict === "unknown" ? v.paths : v.paths.slice(0, 1);
    paths.forEach((p, pi) => {
      if (v.verdict === "unknown") lines.push(<Line key={`a${pi}`}>{shown(`  if ${p.assumptions.join(" and ") || "as modelled"}: ${p.verdict.toUpperCase()}`)}</Line>);
      if (p.steps.length === 0) lines.push(<Line key={`n${pi}`}>    (no rule matched; the chain policies decided)</Line>);
      p.steps.forEach((s, i) => {
        const [where, what] = stepLines(s, i + 1);
        lines.push(<Line key={`s${pi}.${i}`}>{shown(where)}</Line>, <Line key={`s${pi}.${i}r`}>{shown(what)}</Line>);
      });
    });
  }
  return <Box flexDirection="column">{lines.slice(0, height)}</Box>;
}

export const HELP: [string, string][] = [
  ["Up/Down j/k", "move; PgUp/PgDn, g/G first/last"],
  ["Enter", "open the finding's detail (from the map: the finding)"],
  ["Esc / Left", "back; in the list: clear filters"],
  ["/", "search text (rule, message, file, source)"],
  ["s", "minimum severity: all, critical, high ..."],
  ["r", "only one rule (cycles the rules found)"],
  ["o", "sort by severity, file or rule"],
  ["a", "accept: reason, then Tab picks comment or baseline"],
  ["e", "open the file at the line in $EDITOR"],
  ["n / p", "next / previous finding in the detail"],
  ["m", "exposure map: what the Internet reaches"],
  ["t", "trace a packet (the finding's example)"],
  ["R", "re-scan now (files are also watched)"],
  ["?", "this help"],
  ["q / Ctrl-C", "quit"],
];

export function HelpView({ height }: { height: number }) {
  return (
    <Box flexDirection="column">
      <Line bold>Keys</Line>
      {HELP.slice(0, height - 2).map(([k, what]) => (
        <Line key={k}>{`  ${k.padEnd(13)} ${what}`}</Line>
      ))}
      <Line dimColor>Press any key to close.</Line>
    </Box>
  );
}
