/**
 * The whole property suites of the packet-set algebra and of the diagram primitives, run again
 * with tiny wide-node thresholds: every node with more than two pieces is stored as a chunked
 * tree of average chunk size 2, so the small test domains go through multi-level trees, chunk
 * reuse, cursor seeks and the skipping merge on every operation.
 */
import * as idd from "../../src/space/idd.js";

idd.configureWideNodes({ minPieces: 2, chunkBits: 1 });
await import("./packet-set.property.test.js");
await import("./idd.test.js");
