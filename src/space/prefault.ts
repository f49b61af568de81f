/**
 * Large typed arrays whose pages a helper thread touches before the main thread writes them.
 *
 * Memory touched for the first time costs a page fault, and on these machines a fault costs about
 * 11 microseconds a page (a fresh 100 MB array: 280 ms to fill). The flat sets' pool is written
 * from its start to its end as an analysis builds sets - 60 MB on the ASA bench, 15k faults - so
 * a thread of its own takes those faults on the other core, a little ahead of where the pool has
 * been written to (advance), while the main thread goes on.
 *
 * (The memo tables, which double as they fill, were tried too: their next size made early and
 * touched while the table filled took 8k more faults off the ASA bench's main thread, but raised
 * the nft bench's peak memory from 830 to 1,000 MB, its tables being made anew many times; the
 * dropped tables' shared buffers seem to be freed later than plain ones. Not kept.)
 *
 * The arrays are backed by SharedArrayBuffers (plain reads and writes cost the same); the helper
 * touches a page with a compare-and-swap of 0 for 0, which writes nothing when the main thread has
 * written there already. It keeps at most PREFAULT_AHEAD elements past the mark the main thread
 * gives, so memory is made resident only when it is about to be used, and it never keeps the
 * process alive.
 * Nothing depends on it: without a helper (one could not be started) the arrays are the same, only
 * slower to fill.
 */
import { Worker } from "node:worker_threads";

/** Elements the helper touches past the mark: 4 MB of a 32-bit array. */
export const PREFAULT_AHEAD = 1 << 20;
/** Elements of a 32-bit array on one 4 KB page. */
const PAGE = 1024;

/**
 * The helper, as a script. A job is buffers and a control array (0: the mark, in 32-bit elements;
 * 1: set to 1 to stop; 2: where the helper has touched them up to, -1 once it let go of a stopped
 * job's arrays; for tests). Jobs come as messages, read between rounds; a round touches each job's
 * buffers page by page up to its mark + PREFAULT_AHEAD; between rounds it sleeps until the main thread
 * moves a mark, stops a job or sends one (each bumps `wake`).
 */
const HELPER = `
const { parentPort, receiveMessageOnPort, workerData } = require("node:worker_threads");
const wake = workerData.wake;
let jobs = [];
for (;;) {
  const seen = Atomics.load(wake, 0);
  for (let m; (m = receiveMessageOnPort(parentPort)); ) {
    jobs.push({ control: m.message.control, arrays: m.message.buffers.map((b) => new Int32Array(b)), done: 0 });
  }
  jobs = jobs.filter((job) => {
    if (Atomics.load(job.control, 1) !== 0) {
      Atomics.store(job.control, 2, -1);
      return false;
    }
    const target = Atomics.load(job.control, 0) + ${PREFAULT_AHEAD};
    let more = false;
    for (const a of job.arrays) {
      const end = Math.min(a.length, target);
      for (let i = job.done; i < end; i += ${PAGE}) Atomics.compareExchange(a, i, 0, 0);
      if (a.length > target) more = true;
    }
    job.done = target;
    Atomics.store(job.control, 2, more ? target : 2147483647);
    return more;
  });
  Atomics.wait(wake, 0, seen);
}
`;

/** The helper and the counter it sleeps on; null when none could be started. */
let helper: { worker: Worker; wake: Int32Array } | undefined | null;

function theHelper(): { worker: Worker; wake: Int32Array } | undefined {
  if (helper === undefined) {
    try {
      const wake = new Int32Array(new SharedArrayBuffer(4));
      const worker = new Worker(HELPER, { eval: true, workerData: { wake } });
      worker.unref();
      // a helper that fails costs only the speed it would have given
      worker.on("error", () => (helper = null));
      helper = { worker, wake };
    } catch {
      helper = null;
    }
  }
  return helper ?? undefined;
}

function wakeHelper(): void {
  if (!helper) return;
  Atomics.add(helper.wake, 0, 1);
  Atomics.notify(helper.wake, 0);
}

/** Arrays, each written from its start, whose pages the helper touches up to PREFAULT_AHEAD past a mark. */
export class PrefaultedArrays {
  private readonly control = new Int32Array(new SharedArrayBuffer(12));
  /** Where the mark is given to the helper next. */
  private nextMark = 0;
  private sent = false;

  private constructor(readonly buffers: readonly SharedArrayBuffer[]) {}

  /** Shared buffers of these byte lengths (whole 32-bit elements). */
  static of(byteLengths: readonly number[]): PrefaultedArrays {
    return new PrefaultedArrays(byteLengths.map((n) => new SharedArrayBuffer(n)));
  }

  /**
   * The arrays are written up to their `mark`th 32-bit element: the helper may touch up to
   * PREFAULT_AHEAD past it. Cheap to call often.
   */
  advance(mark: number): void {
    if (mark < this.nextMark) return;
    // the helper is woken again when the mark has moved a quarter of the way it keeps ahead
    this.nextMark = mark + PREFAULT_AHEAD / 4;
    Atomics.store(this.control, 0, Math.min(mark, 2 ** 31 - 1 - PREFAULT_AHEAD));
    if (!this.sent) {
      this.sent = true;
      theHelper()?.worker.postMessage({ control: this.control, buffers: this.buffers });
    }
    wakeHelper();
  }

  /**
   * Up to where (in 32-bit elements) the helper has touched the arrays: all of them past their
   * length; -1 once it let go of them after stop.
   */
  touched(): number {
    return Atomics.load(this.control, 2);
  }

  /** Nothing more is written: the helper stops touching these arrays. */
  stop(): void {
    Atomics.store(this.control, 1, 1);
    this.nextMark = Infinity;
    wakeHelper();
  }
}
