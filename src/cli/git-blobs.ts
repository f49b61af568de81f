/**
 * Blobs of a repository read by one `git cat-file --batch` process, in turn: `diff --base` reads
 * every tracked file at the revision, and a `git cat-file -e` and a `git show` per file made two
 * processes each (60 rulesets: 120 processes, about 1 s of the run). The process is started on
 * the first read and holds the event loop only while reads are waiting; it ends when its input
 * does (close, or the CLI's exit).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

interface Waiting {
  oid: string;
  done: (bytes: Buffer | null) => void;
  fail: (err: Error) => void;
}

export class BlobReader {
  private child?: ChildProcessWithoutNullStreams;
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly waiting: Waiting[] = [];
  private broken?: Error;

  constructor(
    private readonly cwd: string,
    /** How a failure of git is reported (the CLI's GitError). */
    private readonly failure: (message: string) => Error,
  ) {}

  /** The blob's bytes; null when the repository has no such object. */
  read(oid: string): Promise<Buffer | null> {
    if (this.broken) return Promise.reject(this.broken);
    if (!/^[0-9a-f]{40,64}$/.test(oid)) return Promise.reject(this.failure(`not a git object id: ${oid}`));
    const child = this.start();
    return new Promise((done, fail) => {
      this.waiting.push({ oid, done, fail });
      this.hold(true);
      child.stdin.write(`${oid}\n`);
    });
  }

  /** Ends the process (it exits when its input ends). */
  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn("git", ["cat-file", "--batch"], { cwd: this.cwd, stdio: ["pipe", "pipe", "pipe"], windowsHide: true });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.stdout.on("data", (d: Buffer) => {
      this.chunks.push(d);
      this.size += d.length;
      this.answer();
    });
    const stop = (err: Error) => {
      this.broken = err;
      for (const w of this.waiting.splice(0)) w.fail(err);
      if (this.child === child) this.child = undefined;
    };
    // (ENOENT: no git on PATH, or no such folder)
    child.on("error", (e: NodeJS.ErrnoException) => stop(this.failure(`cannot run git in ${this.cwd}: ${e.message}`)));
    child.on("exit", (code) => {
      if (this.waiting.length > 0) stop(this.failure(`git cat-file --batch ended (status ${code}): ${stderr.trim().split("\n")[0] ?? ""}`));
    });
    child.stdin.on("error", () => undefined); // (a process that ended: reported by 'exit')
    this.child = child;
    return child;
  }

  /** Answers the waiting reads whose output is complete: "<oid> blob <size>\n<bytes>\n", or "<oid> missing\n". */
  private answer(): void {
    while (this.waiting.length > 0) {
      if (this.size === 0) return;
      let eol = this.chunks[0]!.indexOf(10);
      if (eol < 0) {
        if (this.chunks.length === 1) return;
        this.join();
        eol = this.chunks[0]!.indexOf(10);
        if (eol < 0) return;
      }
      const header = this.chunks[0]!.subarray(0, eol).toString("utf8").split(" ");
      const w = this.waiting[0]!;
      if (header[1] === "missing" || header[1] === "ambiguous") {
        this.consume(eol + 1);
        this.waiting.shift();
        w.done(null);
        continue;
      }
      const length = Number(header[2]);
      if (!Number.isSafeInteger(length)) {
        this.waiting.shift();
        w.fail(this.failure(`git cat-file --batch said '${header.join(" ")}'`));
        this.consume(eol + 1);
        continue;
      }
      // (joined only once the whole blob is here: a large file comes in many pieces)
      if (this.size < eol + 1 + length + 1) return;
      const all = this.join();
      const bytes = Buffer.from(all.subarray(eol + 1, eol + 1 + length));
      this.consume(eol + 1 + length + 1);
      this.waiting.shift();
      w.done(header[1] === "blob" ? bytes : null);
    }
    this.hold(false);
  }

  private join(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.chunks = [all];
    return all;
  }

  private consume(n: number): void {
    const rest = this.chunks[0]!.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
  }

  /** While reads wait the process keeps the CLI running; idle, it does not. */
  private hold(on: boolean): void {
    const c = this.child;
    if (!c) return;
    for (const r of [c, c.stdout, c.stderr, c.stdin] as { ref(): void; unref(): void }[]) {
      if (on) r.ref();
      else r.unref();
    }
  }
}
