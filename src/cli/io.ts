/**
 * Where the CLI writes and what it knows of its terminal. main() takes one so tests can run commands
 * in-process; the default is the real process.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (colour is only used on one). */
  stdoutIsTTY: boolean;
  env: Record<string, string | undefined>;
}

let pipeGuard = false;

export function processIo(): CliIo {
  if (!pipeGuard) {
    pipeGuard = true;
    // `fwlint check . | head`: the reader goes away. Stop quietly instead of dying with a stack trace.
    for (const stream of [process.stdout, process.stderr]) {
      stream.on("error", (err: NodeJS.ErrnoException) => {
        if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
        if (stream === process.stdout) process.stderr.write(`fwlint: cannot write the output: ${err.message}\n`);
        process.exit(2);
      });
    }
  }
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    env: process.env,
  };
}
