/**
 * Chevrotain's LL(k) lookahead, each function built the first time its production is parsed.
 *
 * performSelfAnalysis builds a lookahead function for every OR, OPTION and MANY of the grammar
 * up front: for the nft grammar that is a sixth of a small file's whole check (a pre-commit hook
 * runs it on every commit), most of it for statements the file never uses. The functions built
 * are chevrotain's own (LLkLookaheadStrategy), with the same options: only when they are built
 * changes. Once built, a function takes its stand-in's place in the parser's table (chevrotain
 * looks it up there at every use), so a long file pays nothing for the deferral.
 */
import { LLkLookaheadStrategy, type ILookaheadStrategy } from "chevrotain";

type Strategy = ILookaheadStrategy & Pick<InstanceType<typeof LLkLookaheadStrategy>, "validate">;
type AlternationOptions = Parameters<ILookaheadStrategy["buildLookaheadForAlternation"]>[0];
type OptionalOptions = Parameters<ILookaheadStrategy["buildLookaheadForOptional"]>[0];
type Lookahead = (...args: never[]) => unknown;

/** The parser's table of lookahead functions (chevrotain 11's LooksAhead trait; pinned version). */
interface WithTable {
  lookAheadFuncsCache?: Map<unknown, Lookahead>;
}

/** Puts `built` in the parser's table where `standIn` is. False when the table is not there. */
export function replaceInTable(parser: unknown, standIn: Lookahead, built: Lookahead): boolean {
  const table = (parser as WithTable).lookAheadFuncsCache;
  if (!(table instanceof Map)) return false;
  for (const [key, fn] of table) {
    if (fn !== standIn) continue;
    table.set(key, built);
    return true;
  }
  return false;
}

export class LazyLookahead implements ILookaheadStrategy {
  private readonly eager: Strategy;

  constructor(options: { maxLookahead: number }) {
    this.eager = new LLkLookaheadStrategy(options);
  }

  validate(options: Parameters<Strategy["validate"]>[0]): ReturnType<Strategy["validate"]> {
    return this.eager.validate(options);
  }

  initialize(options: { rules: Parameters<Strategy["validate"]>[0]["rules"] }): void {
    this.eager.initialize?.(options);
  }

  buildLookaheadForAlternation(options: AlternationOptions): ReturnType<ILookaheadStrategy["buildLookaheadForAlternation"]> {
    const eager = this.eager;
    let built: ReturnType<ILookaheadStrategy["buildLookaheadForAlternation"]> | undefined;
    // chevrotain calls it with the parser as `this`
    const standIn = function (this: unknown, alts: Parameters<typeof built & {}>[0]) {
      if (built === undefined) {
        built = eager.buildLookaheadForAlternation(options);
        replaceInTable(this, standIn, built);
      }
      return built.call(this, alts);
    };
    return standIn;
  }

  buildLookaheadForOptional(options: OptionalOptions): ReturnType<ILookaheadStrategy["buildLookaheadForOptional"]> {
    const eager = this.eager;
    let built: ReturnType<ILookaheadStrategy["buildLookaheadForOptional"]> | undefined;
    const standIn = function (this: unknown) {
      if (built === undefined) {
        built = eager.buildLookaheadForOptional(options);
        replaceInTable(this, standIn, built);
      }
      return built.call(this);
    };
    return standIn;
  }
}
