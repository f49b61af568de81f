/**
 * Tables looked up by a name a configuration gives: a policy word, a platform, a header or a
 * protocol name, a variable. A plain object answers for the names every object inherits, so
 * `POLICIES["valueOf"]` was a function where the reader expected "no such policy", and a chain
 * policy written `valueOf` crashed the analysis instead of being reported as an error; and a
 * key `__proto__` written into a plain object replaced its prototype instead of being stored.
 * A table here has no prototype: it holds its own entries and nothing else, and any name, those
 * included, is an ordinary key.
 */

/** A frozen table of `entries` with no prototype: a name it does not hold is undefined, whatever the name. */
export function nameTable<R extends object>(entries: R): R {
  return Object.freeze(Object.assign(Object.create(null) as R, entries));
}

/** An empty table with no prototype, for entries added as input is read (see nameTable). */
export function emptyNameTable<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
