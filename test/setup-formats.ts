/**
 * The CLI loads each format's reader when a file needs it (src/engine/formats.ts loadFormats);
 * tests call analyzeText directly, so every reader is loaded before they run.
 */
import { loadFormats } from "../src/engine/formats.js";

await loadFormats();
