/**
 * The review's root component: holds the scan, the list settings, the selection and the current
 * screen, and answers every key (keyboard only). Effects on the outside world (re-scan, writing an
 * acceptance, the editor, watching files) are the `actions` it is given, so tests drive it with
 * ink-testing-library and fake actions, and the CLI gives it the real ones.
 */
import { Box, Text, useApp, useInput, useStdout, type Key } from "ink";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { routedEgress } from "../../analysis/egress.js";
import { verdictFor } from "../../analysis/verdict.js";
import { describePacket } from "../../model/packet-text.js";
import type { AcceptTarget } from "../accept.js";
import { canComment } from "../actions.js";
import { exposureMap, type ExposureRow } from "../exposure-map.js";
import { DEFAULT_SETTINGS, groupRows, nextMinSeverity, nextRule, reselect, severityCounts, SORT_ORDERS, visibleFindings, type ListSettings } from "../list.js";
import { parsePacketPrompt } from "../packet-prompt.js";
import type { ReviewFinding, ScanResult } from "../session.js";
import { severityColor, shown, ThemeContext, tint, type Theme } from "./theme.js";
import { detailLines, DetailView, ExposureView, FindingsList, HelpView, Line, TraceView, type TraceOutcome } from "./views.js";

export interface ReviewActions {
  rescan(): Promise<ScanResult>;
  /** Records the acceptance; resolves to a one-line description of what was written where. */
  accept(item: ReviewFinding, reason: string, target: AcceptTarget): Promise<string>;
  /** Suspends the UI, runs $EDITOR at file:line, and resolves when it exits. */
  openEditor(file: string, line: number): Promise<void>;
  /**
   * Calls onChange (debounced) when one of the files changes on disk, or a file matching one of the
   * glob patterns comes, changes or goes; returns the unsubscribe.
   */
  watch?(files: string[], onChange: () => void, patterns: string[]): () => void;
}

export interface AppProps {
  initial: ScanResult;
  actions: ReviewActions;
  color: boolean;
  /** Where "accept to baseline" writes (shown in the dialog). */
  baselineFile: string;
  /** Screen size; default the terminal's. */
  width?: number;
  height?: number;
}

/** From this many columns the list shows the selected finding's detail beside it. */
const SIDE_BY_SIDE_WIDTH = 140;

/** After writing a file and re-scanning it, its watch events are our own for this long. */
const OWN_WRITE_QUIET_MS = 1000;

type Screen = "list" | "detail" | "map" | "trace" | "help";

interface AcceptDialog {
  item: ReviewFinding;
  reason: string;
  target: AcceptTarget;
  /** Why a comment is not possible for this file (then only the baseline is offered). */
  noComment?: string;
}

function useTerminalSize(width?: number, height?: number): { width: number; height: number } {
  const { stdout } = useStdout();
  const read = () => ({ width: width ?? (stdout.columns || 80), height: height ?? (stdout.rows || 24) });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (width !== undefined && height !== undefined) return;
    const onResize = () => setSize(read());
    stdout.on("resize", onResize);
    return () => void stdout.off("resize", onResize);
  });
  return width !== undefined && height !== undefined ? { width, height } : size;
}

/** Printable text typed or pasted (ink hands several characters at once on paste). */
function typed(input: string): string {
  // eslint-disable-next-line no-control-regex
  return input.replace(/[\u0000-\u001f\u007f]/g, "");
}

export function App({ initial, actions, color, baselineFile, width: w, height: h }: AppProps) {
  const { exit } = useApp();
  const { width, height } = useTerminalSize(w, h);
  const theme: Theme = useMemo(() => ({ color }), [color]);

  const [scan, setScan] = useState(initial);
  const [settings, setSettings] = useState<ListSettings>(DEFAULT_SETTINGS);
  const [selected, setSelected] = useState(0);
  const [screen, setScreen] = useState<Screen>("list");
  const [back, setBack] = useState<Screen>("list");
  const [detailScroll, setDetailScroll] = useState(0);
  const [searching, setSearching] = useState<string | undefined>(undefined);
  const [dialog, setDialog] = useState<AcceptDialog | undefined>(undefined);
  const [status, setStatus] = useState<string>("");
  const [busy, setBusy] = useState(false);
  const [mapRows, setMapRows] = useState<ExposureRow[] | undefined>(undefined);
  const [mapSelected, setMapSelected] = useState(0);
  const [traceInput, setTraceInput] = useState("");
  const [traceCursor, setTraceCursor] = useState(0);
  const [traceFile, setTraceFile] = useState(0);
  const [traceOutcome, setTraceOutcome] = useState<TraceOutcome | undefined>(undefined);

  const visible = useMemo(() => visibleFindings(scan.findings, settings), [scan, settings]);
  const rows = useMemo(() => groupRows(visible, settings.sort), [visible, settings.sort]);
  const current: ReviewFinding | undefined = visible[Math.min(selected, visible.length - 1)];

  // The selection follows its finding through re-scans and filter changes.
  const selectedKey = useRef<string | undefined>(current?.key);
  selectedKey.current = current?.key;
  const selectedIndex = useRef(selected);
  selectedIndex.current = selected;

  const applyScan = useCallback(
    (next: ScanResult, message?: string) => {
      const nextVisible = visibleFindings(next.findings, settings);
      setSelected(reselect(nextVisible, selectedKey.current, selectedIndex.current));
      setScan(next);
      setMapRows(undefined);
      if (message !== undefined) setStatus(message);
    },
    [settings],
  );

  const rescan = useCallback(
    async (message: string) => {
      setBusy(true);
      try {
        applyScan(await actions.rescan(), message);
      } catch (err) {
        setStatus(`re-scan failed: ${(err as Error).message}`);
      } finally {
        setBusy(false);
      }
    },
    [actions, applyScan],
  );

  // Re-scan when a scanned file, or a file one read (an included nft fragment), changes on disk,
  // or a file its includes would read comes or goes (a new fragment in nftables.d/).
  const watchedFiles = [...new Set(scan.files.flatMap((f) => [f.path, ...f.readAlso]))].join("\n");
  const watchedPatterns = [...new Set(scan.files.flatMap((f) => f.readMatching))].join("\n");
  const rescanRef = useRef(rescan);
  rescanRef.current = rescan;
  /** Until when file changes are our own (an acceptance just written and re-scanned): not re-scanned again. */
  const ownWritesUntil = useRef(0);
  useEffect(() => {
    if (!actions.watch || watchedFiles === "") return;
    return actions.watch(
      watchedFiles.split("\n"),
      () => {
        if (Date.now() < ownWritesUntil.current) return;
        void rescanRef.current("re-scanned: a file changed on disk");
      },
      watchedPatterns === "" ? [] : watchedPatterns.split("\n"),
    );
  }, [actions, watchedFiles, watchedPatterns]);

  // The exposure map is computed when first shown after each scan.
  useEffect(() => {
    if (screen !== "map" || mapRows !== undefined) return;
    const timer = setTimeout(() => setMapRows(exposureMap(scan.files, scan.findings)), 0);
    return () => clearTimeout(timer);
  }, [screen, mapRows, scan]);

  const bodyHeight = Math.max(3, height - 3 - (dialog ? 1 : 0));
  const listWidth = Math.floor(width * 0.45);

  const openTrace = (item?: ReviewFinding) => {
    if (item?.finding.witness) {
      const text = `${describePacket(item.finding.witness)}${item.finding.witness.hook !== "input" ? ` hook ${item.finding.witness.hook}` : ""}`;
      setTraceInput(text);
      setTraceCursor(text.length);
      const fi = scan.files.indexOf(item.file);
      if (fi >= 0) setTraceFile(fi);
    }
    setTraceOutcome(undefined);
    setBack(screen === "trace" ? back : screen);
    setScreen("trace");
  };

  const runTrace = () => {
    const file = scan.files[traceFile];
    if (!file?.ruleset) {
      setTraceOutcome({ file: file?.path ?? "", error: "no ruleset was read" });
      return;
    }
    const parsed = parsePacketPrompt(traceInput);
    if (!parsed.ok) {
      setTraceOutcome({ file: file.path, error: `column ${parsed.column}: ${parsed.message}` });
      return;
    }
    try {
      const exit = routedEgress(file.ruleset, parsed.packet);
      const packet = exit?.iface !== undefined ? { ...parsed.packet, oif: exit.iface } : parsed.packet;
      setTraceOutcome({ file: file.path, packet, verdict: verdictFor(file.ruleset, packet), ...(exit ? { note: exit.note } : {}) });
    } catch (err) {
      setTraceOutcome({ file: file.path, error: (err as Error).message });
    }
  };

  const startAccept = (item: ReviewFinding | undefined) => {
    if (!item) return;
    const noComment = canComment(item);
    setDialog({ item, reason: "", target: noComment === undefined ? "comment" : "baseline", ...(noComment !== undefined ? { noComment } : {}) });
  };

  const finishAccept = async (d: AcceptDialog) => {
    setDialog(undefined);
    setBusy(true);
    try {
      const written = await actions.accept(d.item, d.reason, d.target);
      ownWritesUntil.current = Date.now() + OWN_WRITE_QUIET_MS;
      applyScan(await actions.rescan(), `accepted: ${written}`);
      ownWritesUntil.current = Date.now() + OWN_WRITE_QUIET_MS;
    } catch (err) {
      setStatus(`not accepted: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const openEditor = async (item: ReviewFinding | undefined) => {
    if (!item) return;
    try {
      await actions.openEditor(item.finding.location.file, item.finding.location.line);
    } catch (err) {
      setStatus(`editor: ${(err as Error).message}`);
      return;
    }
    await rescan(`back from the editor; re-scanned`);
    ownWritesUntil.current = Date.now() + OWN_WRITE_QUIET_MS;
  };

  const move = (delta: number) => {
    setSelected((s) => Math.max(0, Math.min(visible.length - 1, s + delta)));
    setDetailScroll(0);
  };

  // The latest handler, read through a ref: keys that arrive before ink re-subscribes after a render
  // still see the current state.
  const onKeyRef = useRef<(input: string, key: Key) => void>(() => undefined);
  // Keys waiting for the screen to catch up with the one before (see below): each is handled by the
  // effect after the render that the one before caused, and keys read meanwhile queue behind them.
  const waiting = useRef<{ input: string; key: Key }[]>([]);
  const [handledTurn, setHandledTurn] = useState(0);
  const onKey = useCallback((input: string, key: Key) => {
    if (waiting.current.length > 0) waiting.current.push({ input, key });
    else onKeyRef.current(input, key);
  }, []);
  useEffect(() => {
    const next = waiting.current.shift();
    if (!next) return;
    onKeyRef.current(next.input, next.key);
    if (waiting.current.length > 0) setHandledTurn((t) => t + 1);
  }, [handledTurn]);
  useInput(onKey);
  onKeyRef.current = (input: string, key: Key) => {
    if (busy) return;
    // Several keys in one read (typed ahead, or sent at once by a script such as tmux send-keys):
    // handled one by one, each after the screen has caught up with the one before. A command key is
    // a unit; in a text input a run of text is one unit; a newline is Enter.
    if (/^(\r\n|\r|\n)$/.test(input)) {
      input = "";
      key = { ...key, return: true };
    }
    if (input.length > 1 && !key.ctrl && !key.meta && !input.includes("\x1b")) {
      const typing = dialog !== undefined || searching !== undefined || screen === "trace";
      const units = typing ? input.split(/(\r\n|\r|\n)/).filter((u) => u !== "") : [...input];
      if (units.length > 1) {
        const [first, ...rest] = units as [string, ...string[]];
        const enter = /^(\r\n|\r|\n)$/.test(first);
        onKeyRef.current(enter ? "" : first, { ...key, return: enter });
        waiting.current.unshift({ input: rest.join(""), key });
        setHandledTurn((t) => t + 1);
        return;
      }
    }
    if (status !== "") setStatus("");
    // The accept dialog: type the reason, Tab switches where it goes, Enter saves, Esc cancels.
    if (dialog) {
      if (key.escape) setDialog(undefined);
      else if (key.tab) {
        if (dialog.noComment === undefined) setDialog({ ...dialog, target: dialog.target === "comment" ? "baseline" : "comment" });
      } else if (key.return) {
        if (dialog.reason.trim() === "") setStatus("a reason is required (why is this acceptable?)");
        else void finishAccept(dialog);
      } else if (key.backspace || key.delete) setDialog({ ...dialog, reason: dialog.reason.slice(0, -1) });
      else if (!key.ctrl && !key.meta) setDialog({ ...dialog, reason: dialog.reason + typed(input) });
      return;
    }
    // The search line: typing filters live; Enter keeps it, Esc drops it.
    if (searching !== undefined) {
      if (key.escape) {
        setSearching(undefined);
        setSettings({ ...settings, search: "" });
      } else if (key.return) setSearching(undefined);
      else {
        const next = key.backspace || key.delete ? searching.slice(0, -1) : key.ctrl || key.meta ? searching : searching + typed(input);
        setSearching(next);
        setSettings({ ...settings, search: next });
        setSelected(0);
      }
      return;
    }
    if (screen === "help") {
      setScreen(back);
      return;
    }
    if (screen === "trace") {
      if (key.escape) setScreen(back === "trace" ? "list" : back);
      else if (key.return) runTrace();
      else if (key.tab) setTraceFile((i) => (scan.files.length === 0 ? 0 : (i + 1) % scan.files.length));
      else if (key.leftArrow) setTraceCursor((c) => Math.max(0, c - 1));
      else if (key.rightArrow) setTraceCursor((c) => Math.min(traceInput.length, c + 1));
      else if (key.home || (key.ctrl && input === "a")) setTraceCursor(0);
      else if (key.end || (key.ctrl && input === "e")) setTraceCursor(traceInput.length);
      else if (key.ctrl && input === "u") {
        setTraceInput("");
        setTraceCursor(0);
      } else if (key.backspace || key.delete) {
        if (traceCursor > 0) {
          setTraceInput(traceInput.slice(0, traceCursor - 1) + traceInput.slice(traceCursor));
          setTraceCursor(traceCursor - 1);
        }
      } else if (!key.ctrl && !key.meta && !key.upArrow && !key.downArrow) {
        const t = typed(input);
        setTraceInput(traceInput.slice(0, traceCursor) + t + traceInput.slice(traceCursor));
        setTraceCursor(traceCursor + t.length);
      }
      return;
    }
    // Keys every other screen shares.
    if (input === "q") {
      exit();
      return;
    }
    if (input === "?") {
      setBack(screen);
      setScreen("help");
      return;
    }
    if (input === "R") {
      void rescan("re-scanned");
      return;
    }
    if (input === "m") {
      setBack(screen);
      setScreen("map");
      return;
    }
    if (input === "t") {
      openTrace(screen === "map" ? undefined : current);
      return;
    }
    if (screen === "map") {
      const total = mapRows?.length ?? 0;
      if (key.escape || key.leftArrow) setScreen(back === "map" ? "list" : back);
      else if (key.upArrow || input === "k") setMapSelected((s) => Math.max(0, s - 1));
      else if (key.downArrow || input === "j") setMapSelected((s) => Math.max(0, Math.min(total - 1, s + 1)));
      else if (key.return) {
        const row = mapRows?.[mapSelected];
        const i = row?.findingKey !== undefined ? visible.findIndex((f) => f.key === row.findingKey) : -1;
        if (i >= 0) {
          setSelected(i);
          setDetailScroll(0);
          setBack("map");
          setScreen("detail");
        } else setStatus(row ? "no finding for this row (below the threshold, or filtered out of the list)" : "");
      }
      return;
    }
    if (input === "a") {
      startAccept(current);
      return;
    }
    if (input === "e") {
      void openEditor(current);
      return;
    }
    if (screen === "detail") {
      const total = current ? detailLines(current, width).length : 0;
      if (key.escape || key.leftArrow || key.backspace) setScreen(back === "detail" ? "list" : back === "map" ? "map" : "list");
      else if (key.upArrow || input === "k") setDetailScroll((s) => Math.max(0, s - 1));
      else if (key.downArrow || input === "j") setDetailScroll((s) => Math.max(0, Math.min(total - bodyHeight, s + 1)));
      else if (key.pageDown || input === " ") setDetailScroll((s) => Math.max(0, Math.min(total - bodyHeight, s + bodyHeight)));
      else if (key.pageUp) setDetailScroll((s) => Math.max(0, s - bodyHeight));
      else if (input === "n") move(1);
      else if (input === "p") move(-1);
      return;
    }
    // The findings list.
    if (key.upArrow || input === "k") move(-1);
    else if (key.downArrow || input === "j") move(1);
    else if (key.pageDown) move(bodyHeight);
    else if (key.pageUp) move(-bodyHeight);
    else if (key.home || input === "g") move(-visible.length);
    else if (key.end || input === "G") move(visible.length);
    else if (key.return || key.rightArrow) {
      if (current) {
        setDetailScroll(0);
        setBack("list");
        setScreen("detail");
      }
    } else if (input === "/") {
      setSearching(settings.search);
    } else if (input === "s") {
      const minSeverity = nextMinSeverity(settings.minSeverity);
      setSettings({ ...settings, ...{ minSeverity } });
      setSelected(0);
    } else if (input === "r") {
      setSettings({ ...settings, rule: nextRule(scan.findings, settings.rule) });
      setSelected(0);
    } else if (input === "o") {
      setSettings({ ...settings, sort: SORT_ORDERS[(SORT_ORDERS.indexOf(settings.sort) + 1) % SORT_ORDERS.length]! });
    } else if (key.escape) {
      setSettings(DEFAULT_SETTINGS);
      setStatus("filters cleared");
    }
  };

  // ---- drawing ----
  const counts = severityCounts(scan.findings);
  const filters = [
    settings.minSeverity ? `severity>=${settings.minSeverity}` : "",
    settings.rule !== undefined ? `rule=${settings.rule}` : "",
    settings.search !== "" ? `/${settings.search}` : "",
    `sort:${settings.sort}`,
  ].filter((x) => x !== "");
  const title = screen === "list" ? "Findings" : screen === "detail" ? "Finding" : screen === "map" ? "Exposure map" : screen === "trace" ? "Trace" : "Help";

  let body;
  if (screen === "help") body = <HelpView height={bodyHeight} />;
  else if (screen === "map") body = <ExposureView rows={mapRows} selected={mapSelected} height={bodyHeight} width={width} oneFile={scan.files.length === 1} />;
  else if (screen === "trace") body = <TraceView input={traceInput} cursor={traceCursor} outcome={traceOutcome} file={scan.files[traceFile]?.path ?? "(none)"} height={bodyHeight} />;
  else if (screen === "detail" && current) body = <DetailView item={current} width={width} height={bodyHeight} scroll={detailScroll} />;
  else if (scan.findings.length === 0) {
    body = (
      <Box flexDirection="column">
        <Line>{scan.files.length === 0 ? "No ruleset could be read." : "No findings. Press m for the exposure map, t to trace a packet."}</Line>
        {scan.problems.slice(0, bodyHeight - 1).map((p, i) => (
          <Line key={i} {...tint(theme, "red")}>
            {shown(`${p.path}: ${p.message}`)}
          </Line>
        ))}
      </Box>
    );
  } else {
    // Files that could not be read stay in view above the list (at most two lines, then a count).
    const problems = scan.problems.slice(0, 2).map((p) => `${p.path}: ${p.message}`);
    if (scan.problems.length > 2) problems[1] = `${problems[1]}  (+${scan.problems.length - 2} more)`;
    body = (
      <Box flexDirection="column">
        {problems.map((p, i) => (
          <Line key={`p${i}`} {...tint(theme, "red")}>
            {shown(`! ${p}`)}
          </Line>
        ))}
        {width >= SIDE_BY_SIDE_WIDTH && current ? (
          // A wide terminal shows the selected finding's detail beside the list.
          <Box flexDirection="row">
            <Box flexDirection="column" width={listWidth} marginRight={1}>
              <FindingsList rows={rows} selected={Math.min(selected, Math.max(0, visible.length - 1))} height={bodyHeight - problems.length} fileInHeader={settings.sort !== "rule"} />
            </Box>
            <Box flexDirection="column" width={width - listWidth - 1}>
              <DetailView item={current} width={width - listWidth - 1} height={bodyHeight - problems.length} scroll={0} />
            </Box>
          </Box>
        ) : (
          <FindingsList rows={rows} selected={Math.min(selected, Math.max(0, visible.length - 1))} height={bodyHeight - problems.length} fileInHeader={settings.sort !== "rule"} />
        )}
      </Box>
    );
  }

  let footer: string;
  let dialogLine: string | undefined;
  if (dialog) {
    const f = dialog.item.finding;
    const where = dialog.target === "comment" ? `a comment above ${f.location.file}:${f.location.line}` : `the baseline ${baselineFile}`;
    dialogLine = `Accept ${f.ruleId} at ${f.location.file}:${f.location.line}, reason: ${dialog.reason.slice(-Math.max(10, width - 40))}_`;
    footer = status !== "" ? status : `Writes ${where}${dialog.noComment ? ` (no comment: ${dialog.noComment})` : "  Tab: comment/baseline"}  Enter: save  Esc: cancel`;
  } else if (searching !== undefined) footer = `/${searching}_   Enter keep, Esc clear`;
  else if (busy) footer = "working...";
  else if (status !== "") footer = status;
  else if (screen === "trace") footer = "Enter trace  Tab next file  Esc back  Ctrl-U clear";
  else if (screen === "help") footer = "any key: back";
  else footer = "?:help /:search s:severity r:rule o:sort a:accept e:edit m:map t:trace q:quit";

  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={width} height={height}>
        <Line bold>
          {`fwlint review - ${title} `}
          {counts.map((c) => (
            <Text key={c.severity} {...severityColor(theme, c.severity)}>{` ${c.severity}:${c.count}`}</Text>
          ))}
          {shown(`  ${scan.findings.length} finding${scan.findings.length === 1 ? "" : "s"} in ${scan.files.length} file${scan.files.length === 1 ? "" : "s"}${scan.baselineHidden > 0 ? `, ${scan.baselineHidden} in baseline` : ""}`)}
        </Line>
        <Line dimColor>{shown(filters.join("  ") + (scan.problems.length > 0 ? `  ${scan.problems.length} problem(s)` : ""))}</Line>
        <Box flexDirection="column" height={bodyHeight} overflow="hidden">
          {body}
        </Box>
        {dialogLine !== undefined && <Line inverse>{shown(dialogLine)}</Line>}
        <Line inverse={dialog !== undefined || searching !== undefined}>{shown(footer)}</Line>
      </Box>
    </ThemeContext.Provider>
  );
}
