import { appendFileSync } from 'node:fs';

/**
 * The reliability harness runs each probe for a bounded count in `npm test` (the whole harness
 * under five minutes on two cores) and for the long form under `npm run torture`, which sets
 * COVE_TORTURE=1 and COVE_TORTURE_FIGURES to a file the probes append their figures to.
 */
export const TORTURE = process.env.COVE_TORTURE === '1';

/** `ciCount` in `npm test`, `tortureCount` under `npm run torture`. */
export function scaled(ciCount: number, tortureCount: number): number {
  return TORTURE ? tortureCount : ciCount;
}

/** What one probe did; every field a count. A field that does not apply is left out. */
export interface Figures {
  /** kill -9 / restart cycles, or rounds of a probe. */
  cycles?: number;
  /** Requests sent (fuzz, protocol, security probes). */
  requests?: number;
  /** Writes the server answered 200. */
  acknowledged?: number;
  /** Acknowledged writes missing, or holding another value, after restart. */
  lost?: number;
  /** Answers with a 5xx status that the probe did not provoke on purpose. */
  fiveXX?: number;
  /** Server processes that died on their own. */
  crashes?: number;
  /** Anything else the probe counts, named by the probe. */
  [other: string]: number | undefined;
}

/**
 * Records one probe's figures: printed as a test diagnostic always, and appended as a JSON line
 * to the torture run's figures file when there is one, for `npm run torture` to summarize.
 */
export function reportFigures(probe: string, figures: Figures): void {
  const line = JSON.stringify({ probe, ...figures });
  console.log(`# reliability ${line}`);
  const file = process.env.COVE_TORTURE_FIGURES;
  if (file) appendFileSync(file, line + '\n');
}
