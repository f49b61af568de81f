/**
 * Starts the review on the real terminal: the alternate screen (so quitting gives the shell its
 * screen back as it was), ink rendering the App, the real actions (files, $EDITOR, fs.watch), and a
 * terminal restored on every way out (q, Ctrl-C, a signal, an exception). This module is the only
 * one that loads ink and React, and only `fwlint review` imports it.
 */
import { spawnSync } from "node:child_process";
import { render } from "ink";
import { acceptFinding, editorCommand } from "./actions.js";
import { scan, type ReviewSource, type ScanResult } from "./session.js";
import { App, type ReviewActions } from "./ui/App.js";
import { watchFiles } from "./watch.js";

const ENTER_ALT_SCREEN = "\x1b[?1049h\x1b[H";
const LEAVE_ALT_SCREEN = "\x1b[?1049l";
const SHOW_CURSOR = "\x1b[?25h";
const HIDE_CURSOR = "\x1b[?25l";

export interface RunOptions {
  source: ReviewSource;
  color: boolean;
  env: Record<string, string | undefined>;
}

export async function runReviewUi(initial: ScanResult, opts: RunOptions): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  let inAltScreen = false;
  const enter = () => {
    stdout.write(ENTER_ALT_SCREEN + HIDE_CURSOR);
    inAltScreen = true;
  };
  const leave = () => {
    if (!inAltScreen) return;
    inAltScreen = false;
    stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  };
  const onExit = () => leave();
  process.on("exit", onExit);

  const actions: ReviewActions = {
    rescan: () => scan(opts.source),
    accept: async (item, reason, target) => acceptFinding(item, reason, target, opts.source.baselineFile),
    openEditor: async (file, line) => {
      const { command, args } = editorCommand(opts.env, file, line);
      // Hand the terminal over: cooked mode, the normal screen, a visible cursor. The editor runs
      // synchronously, so ink reads no key and draws nothing until it exits.
      if (stdin.isTTY) stdin.setRawMode(false);
      leave();
      const r = spawnSync(command, args, { stdio: "inherit" });
      enter();
      if (stdin.isTTY) stdin.setRawMode(true);
      if (r.error) throw new Error(`cannot run '${command}': ${r.error.message} (set $EDITOR)`);
    },
    watch: (files, onChange, patterns) => watchFiles(files, onChange, undefined, patterns),
  };

  enter();
  try {
    const instance = render(<App initial={initial} actions={actions} color={opts.color} baselineFile={opts.source.baselineFile} />, {
      exitOnCtrlC: true,
      patchConsole: true,
    });
    await instance.waitUntilExit();
    return 0;
  } finally {
    leave();
    process.off("exit", onExit);
  }
}
