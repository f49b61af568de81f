/**
 * `npm run build`: bundle fwlint with rolldown into dist/ (no type checking here: that is
 * `npm run typecheck`). Plain JavaScript so that `npm install` (prepare) can run it with nothing
 * but node and rolldown.
 *
 * Why bundle: a `check` of a 20-rule file spent most of its time loading modules (chevrotain through
 * hundreds of small lodash-es files, yaml and ajv). One ESM bundle per command loads in a fraction of
 * that. What it writes:
 *
 *   dist/src/cli/main.js       the CLI entry (bin/fwlint.js imports it): only the light code every
 *                              command needs; each command's code is a chunk loaded by import()
 *   dist/chunks/*.js           those lazily loaded chunks (engine, parsers, reporters; chevrotain
 *                              and lodash-es in chunks/vendor-*.js)
 *   dist/vendor/yaml-ajv.cjs   yaml + ajv bundled as CommonJS, required (synchronously) only when a
 *                              user-supplied rule pack is read (src/engine/rule-pack.ts)
 *   dist/src/bench/{run,worker,rss-hook}.js and dist/bench-chunks/: `npm run bench`, at the paths
 *                              run.ts expects (it finds the package root three levels up and spawns
 *                              worker.js and rss-hook.js next to itself)
 *
 * The built-in rule pack and catalog (rules/builtin.yaml, rules/services.yaml) are loaded and
 * validated here, with the loader the CLI would use, and carried in the bundle as JSON
 * (__FWLINT_BUILTIN_RULES__, __FWLINT_BUILTIN_CATALOG__), so a run reads no YAML and compiles no
 * schema. A broken built-in pack fails the build with the loader's positioned message.
 *
 *   node src/build/build.mjs
 */
import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "rolldown";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = join(root, "dist");
/** Relative to the package root; rule-pack.ts resolves it from there. */
const VENDOR = "dist/vendor/yaml-ajv.cjs";
/** The vendor JSON formats' schemas as standalone validators (parsers/json-schema.ts), relative to the package root. */
const SCHEMAS = "dist/vendor/schemas.cjs";
/** rules/schema/NAME.schema.json of the JSON input formats. */
const VENDOR_SCHEMAS = ["aws-sg", "aws-nacl", "gcp-firewall", "azure-nsg"];

/**
 * The JSON input formats' schemas compiled by ajv into standalone code (CommonJS, one validator
 * per schema name, requiring ajv's small runtime helpers): a check of a valid document then needs
 * neither ajv nor a schema compilation. Placing a complaint still compiles the schema at run time.
 */
function standaloneSchemas() {
  const require = createRequire(import.meta.url);
  const { Ajv } = require("ajv");
  const standaloneCode = require("ajv/dist/standalone").default;
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: true, code: { source: true } });
  const exports = {};
  for (const name of VENDOR_SCHEMAS) {
    ajv.addSchema(JSON.parse(readFileSync(join(root, "rules", "schema", `${name}.schema.json`), "utf8")), name);
    exports[name] = name;
  }
  return standaloneCode(ajv, exports);
}

/** Options every build shares: TypeScript (and TSX) sources with NodeNext `.js` specifiers, for Node 20. */
const base = {
  cwd: root,
  platform: "node",
  resolve: { extensionAlias: { ".js": [".ts", ".tsx", ".js"] } },
  // JSX (the review's UI) compiled for React's automatic runtime, as tsconfig.json's "jsx" says.
  transform: { target: "node20", jsx: "react-jsx" },
  logLevel: "warn",
};

/**
 * The packages `fwlint review` alone needs (ink, React and everything they depend on), found by
 * walking their package.json dependencies, minus any package the rest of the CLI also uses.
 */
function reviewOnlyPackages() {
  const walk = (roots) => {
    const seen = new Set();
    const todo = [...roots];
    while (todo.length > 0) {
      const name = todo.pop();
      if (seen.has(name)) continue;
      let pkg;
      try {
        pkg = JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8"));
      } catch {
        continue; // optional peer not installed (react-devtools-core)
      }
      seen.add(name);
      todo.push(...Object.keys(pkg.dependencies ?? {}));
    }
    return seen;
  };
  const shared = walk(["chevrotain", "yaml", "ajv", "ajv-formats"]);
  return [...walk(["ink", "react"])].filter((n) => !shared.has(n));
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * ESM output into dist/, entries at dist/<input name>.js. Third-party code (chevrotain, lodash-es)
 * goes into its own vendor-*.js chunk, so a CPU profile can tell fwlint's code from its dependencies'.
 * The review's UI libraries (ink, React) go into vendor-review-*.js, loaded only by `fwlint review`:
 * in the common vendor chunk they would be evaluated by every `check`; the XML parser (sax) into
 * vendor-xml-*.js, loaded only with the PAN-OS reader.
 */
function esmOutput(chunkDir) {
  // ink's devtools bridge stays a chunk of its own: it imports the (absent, external)
  // react-devtools-core, and ink loads it only when DEV=true.
  const devtools = /[\\/]ink[\\/]build[\\/]devtools/;
  const review = new RegExp(`[\\\\/]node_modules[\\\\/](${reviewOnlyPackages().map(escapeRe).join("|")})[\\\\/]`);
  return {
    dir: dist,
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: `${chunkDir}/[name]-[hash].js`,
    codeSplitting: {
      groups: [
        { name: "vendor-review", test: (id) => review.test(id) && !devtools.test(id), priority: 2 },
        // the XML parser only the PAN-OS reader uses: loaded with it, not by every check
        { name: "vendor-xml", test: (id) => /[\\/]node_modules[\\/]sax[\\/]/.test(id), priority: 2 },
        { name: "vendor", test: (id) => /[\\/]node_modules[\\/]/.test(id) && !devtools.test(id), priority: 1 },
      ],
    },
    sourcemap: false,
  };
}

/**
 * Removes what the previous build left in dist/ and this one did not write (stale hashed chunks, the
 * old tsc output). dist/ is not emptied first: other processes may be running the CLI or the bench
 * from it while this builds, and two builds of the same sources write the same files.
 */
function prune(dir, keep) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.name.startsWith(".precompile-")) continue; // another build's scratch space
    if (e.isDirectory()) {
      prune(path, keep);
      try {
        rmdirSync(path); // only if now empty
      } catch {
        // not empty: keep
      }
    } else if (!keep.has(path)) {
      rmSync(path, { force: true });
    }
  }
}

async function main() {
  // 1. The built-in pack and catalog, validated by the real loader. The loader is TypeScript, so it
  //    is bundled on its own first (inside dist/, where it still finds the package root), then run.
  const tmp = join(dist, `.precompile-${process.pid}`);
  let builtins;
  try {
    await build({
      ...base,
      input: { "rule-pack": "src/engine/rule-pack.ts" },
      output: { dir: tmp, format: "esm", entryFileNames: "[name].mjs" },
    });
    const { precompileBuiltins } = await import(pathToFileURL(join(tmp, "rule-pack.mjs")).href);
    try {
      builtins = precompileBuiltins();
    } catch (err) {
      throw new Error(`the built-in rule pack or catalog is invalid:\n${err instanceof Error ? err.message : String(err)}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const define = {
    __FWLINT_BUILTIN_RULES__: JSON.stringify(builtins.rules),
    __FWLINT_BUILTIN_CATALOG__: JSON.stringify(builtins.catalog),
    __FWLINT_VENDOR__: JSON.stringify(VENDOR),
    __FWLINT_SCHEMAS__: JSON.stringify(SCHEMAS),
    // React's production build (the review's UI): no development checks or warnings at run time.
    "process.env.NODE_ENV": JSON.stringify("production"),
  };
  const bundled = { ...base, transform: { ...base.transform, define } };

  // 2. The CLI, and 3. the bench (its own chunks, so the CLI's entry chunk stays the CLI's alone),
  //    and 4. yaml + ajv as one CommonJS file that rule-pack.ts can require() synchronously, and
  //    5. the JSON formats' standalone validators, bundled with the ajv runtime helpers they require.
  mkdirSync(dist, { recursive: true });
  const schemaSource = join(dist, `.precompile-schemas-${process.pid}.cjs`);
  writeFileSync(schemaSource, standaloneSchemas());
  const outputs = await Promise.all([
    build({
      ...bundled,
      input: { "src/cli/main": "src/cli/main.ts", "src/action/main": "src/action/main.ts" },
      // ink loads React's devtools bridge only when DEV=true; it is not a dependency of fwlint.
      external: ["react-devtools-core"],
      output: esmOutput("chunks"),
    }),
    build({
      ...bundled,
      input: {
        "src/bench/run": "src/bench/run.ts",
        "src/bench/worker": "src/bench/worker.ts",
        "src/bench/rss-hook": "src/bench/rss-hook.ts",
      },
      output: esmOutput("bench-chunks"),
    }),
    build({
      ...base,
      input: "\0fwlint-vendor",
      plugins: [
        {
          name: "fwlint-vendor-entry",
          resolveId: (id) => (id === "\0fwlint-vendor" ? id : null),
          load: (id) =>
            id === "\0fwlint-vendor"
              ? [
                  'import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";',
                  'export { Ajv } from "ajv";',
                  "export const yaml = { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument };",
                ].join("\n")
              : null,
        },
      ],
      output: { file: join(root, VENDOR), format: "cjs", codeSplitting: false },
    }),
    build({
      ...base,
      input: schemaSource,
      output: { file: join(root, SCHEMAS), format: "cjs", codeSplitting: false },
    }),
  ]).finally(() => rmSync(schemaSource, { force: true }));
  const written = new Set([join(root, VENDOR), join(root, SCHEMAS)]);
  for (const out of outputs.slice(0, 2)) for (const o of out.output) written.add(join(dist, o.fileName));
  prune(dist, written);
}

main().catch((err) => {
  process.stderr.write(`fwlint build failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
