/** An in-memory CliIo for running main() in-process. */
import type { CliIo } from "../../src/cli/io.js";

export interface Captured extends CliIo {
  out: string;
  err: string;
}

export function captureIo(opts: { tty?: boolean; env?: Record<string, string | undefined> } = {}): Captured {
  const io: Captured = {
    out: "",
    err: "",
    stdout: (t) => void (io.out += t),
    stderr: (t) => void (io.err += t),
    stdoutIsTTY: opts.tty ?? false,
    env: opts.env ?? {},
  };
  return io;
}
