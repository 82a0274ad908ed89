/**
 * Work done once at the end of the event loop's turn (one setImmediate for all of it), in a fixed
 * order whatever order it was asked in: the answers first, then what no answer of the turn waits
 * for (the audit journal's write, the request log). A turn typically runs many connections'
 * requests: their answers go out together (one wake-up of the clients instead of one each), and
 * a read's answer never waits for the write(2) of its audit record, which it does not need.
 */
export type TurnWork = 'answers' | 'records';

const ORDER: readonly TurnWork[] = ['answers', 'records'];
const queued: Record<TurnWork, Array<() => void>> = { answers: [], records: [] };
let scheduled = false;

/** Runs `work` at the end of this turn, after the turn's earlier work of its kind. It must not throw. */
export function atEndOfTurn(kind: TurnWork, work: () => void): void {
  queued[kind].push(work);
  if (scheduled) return;
  scheduled = true;
  setImmediate(runTurnEnd);
}

function runTurnEnd(): void {
  scheduled = false;
  for (const kind of ORDER) {
    // Work queued while this runs goes in the next turn.
    const works = queued[kind].splice(0);
    for (const work of works) work();
  }
}
