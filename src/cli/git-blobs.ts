/**
 * Blobs of a repository read by one `git cat-file --batch` process, in turn: `diff --base` reads
 * every tracked file at the revision, and a `git cat-file -e` and a `git show` per file made two
 * processes each (60 rulesets: 120 processes, about 1 s of the run). The process is started on
 * the first read and holds the event loop only while reads are waiting; it ends when its input
 * does (close, or the CLI's exit).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

interface Waiting {
  done: (bytes: Buffer | null) => void;
  fail: (err: Error) => void;
}

/** One process and the reads it answers (a closed reader's process still answers its own). */
class Session {
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly waiting: Waiting[] = [];
  /** Set when the process failed or ended: no more reads go to it. */
  broken?: Error;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    cwd: string,
    failure: (message: string) => Error,
  ) {
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.stdout.on("data", (d: Buffer) => {
      this.chunks.push(d);
      this.size += d.length;
      this.answer(failure);
    });
    // (ENOENT: no git on PATH, or no such folder)
    child.on("error", (e: NodeJS.ErrnoException) => this.stop(failure(`cannot run git in ${cwd}: ${e.message}`)));
    // ('close', not 'exit': its output may still be on the way when the process has exited)
    child.on("close", (code) => this.stop(failure(`git cat-file --batch ended (status ${code}): ${stderr.trim().split("\n")[0] ?? ""}`)));
    child.stdin.on("error", () => undefined); // (a process that ended: reported by 'exit')
  }

  read(oid: string): Promise<Buffer | null> {
    return new Promise((done, fail) => {
      this.waiting.push({ done, fail });
      this.hold(true);
      this.child.stdin.write(`${oid}\n`);
    });
  }

  end(): void {
    this.child.stdin.end();
  }

  private stop(err: Error): void {
    this.broken ??= err;
    for (const w of this.waiting.splice(0)) w.fail(err);
  }

  /** Answers the waiting reads whose output is complete: "<oid> blob <size>\n<bytes>\n", or "<oid> missing\n". */
  private answer(failure: (message: string) => Error): void {
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
        w.fail(failure(`git cat-file --batch said '${header.join(" ")}'`));
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
    for (const r of [c, c.stdout, c.stderr, c.stdin] as { ref(): void; unref(): void }[]) {
      if (on) r.ref();
      else r.unref();
    }
  }
}

export class BlobReader {
  private session?: Session;

  constructor(
    private readonly cwd: string,
    /** How a failure of git is reported (the CLI's GitError). */
    private readonly failure: (message: string) => Error,
  ) {}

  /** The blob's bytes; null when the repository has no such object. */
  read(oid: string): Promise<Buffer | null> {
    if (!/^[0-9a-f]{40,64}$/.test(oid)) return Promise.reject(this.failure(`not a git object id: ${oid}`));
    if (this.session?.broken) return Promise.reject(this.session.broken);
    this.session ??= new Session(spawn("git", ["cat-file", "--batch"], { cwd: this.cwd, stdio: ["pipe", "pipe", "pipe"], windowsHide: true }), this.cwd, this.failure);
    return this.session.read(oid);
  }

  /** Ends the process (it answers the reads it has, then exits); a later read starts another. */
  close(): void {
    this.session?.end();
    this.session = undefined;
  }
}
