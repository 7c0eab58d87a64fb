/**
 * A small seeded pseudo-random generator, so bootstraps (and test fixtures)
 * give the same answer for the same input on every machine.
 */

/**
 * Uniform numbers in [0, 1) from a 32-bit seed: a Weyl sequence (step by the
 * golden-ratio constant) scrambled by MurmurHash3's 32-bit finalizer. Period
 * 2^32, plenty for bootstraps; not for cryptography.
 * @example
 * const next = createRng(42);
 * next(); // same first number for seed 42, every time
 */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

/**
 * A standard normal deviate from two uniforms (Box-Muller), for fixtures.
 * @example const z = normalDeviate(createRng(1));
 */
export function normalDeviate(next: () => number): number {
  const u = 1 - next(); // (0, 1]: log(0) must not happen
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}
