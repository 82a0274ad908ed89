/**
 * Seeded randomness for probes that must be replayable: a failure prints its seed, and
 * COVE_SEED=<seed> runs the same choices again (timing-dependent outcomes aside).
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, bound). */
  int(bound: number): number;
  /** Uniform integer in [low, high]. */
  between(low: number, high: number): number;
  pick<T>(values: readonly T[]): T;
  /** `count` distinct elements of `values`, in random order. */
  sample<T>(values: readonly T[], count: number): T[];
  /** An independent generator, derived from this one's seed and `label` (one per concurrent lane). */
  fork(label: string): Random;
}

/** mulberry32: small, fast and good enough to pick test cases (not for anything secret). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (bound: number) => Math.floor(next() * bound);
  return {
    next,
    int,
    between: (low, high) => low + int(high - low + 1),
    pick: (values) => values[int(values.length)],
    sample(values, count) {
      const pool = [...values];
      for (let i = 0; i < count; i++) {
        const j = i + int(pool.length - i);
        [pool[i], pool[j]] = [pool[j], pool[i]];
      }
      return pool.slice(0, count);
    },
    fork: (label) => seededRandom(hashLabel(`${seed}/${label}`)),
  };
}

function hashLabel(text: string): number {
  let hash = 2166136261; // FNV-1a
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** The probe's seed: COVE_SEED if set, else a fresh one; printed so that a failure can be replayed. */
export function probeSeed(probe: string): number {
  const given = process.env.COVE_SEED;
  const seed = given !== undefined && given !== '' ? Number(given) >>> 0 : Math.floor(Math.random() * 2 ** 32);
  console.log(`# ${probe}: seed ${seed} (replay with COVE_SEED=${seed})`);
  return seed;
}

/**
 * The same generator as a class, for the generators that draw many kinds of values (the mutation,
 * policy differential and number tests): the same seed gives the same sequence.
 */
export class SeededRandom {
  private readonly random: Random;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** A number in [0, 1). */
  next(): number {
    return this.random.next();
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** An integer in min..max, both included. */
  int(min: number, max: number): number {
    return this.random.between(min, max);
  }

  /** An integer in 0..count-1. */
  below(count: number): number {
    return this.random.int(count);
  }

  pick<T>(list: readonly T[]): T {
    return this.random.pick(list);
  }

  /** min..max distinct items of the list. */
  some<T>(list: readonly T[], min: number, max: number): T[] {
    return this.random.sample(list, Math.min(list.length, this.int(min, max)));
  }
}
