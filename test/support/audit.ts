import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CoveProcess } from './cove.js';

/** Every audit record the server has written so far (CloudTrail JSON, one per line). */
export function auditRecords(cove: CoveProcess): Record<string, any>[] {
  const directory = join(cove.dataDirectory, 'audit');
  return readdirSync(directory)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(directory, f), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)));
}

/** The audit record of one request, waiting for the writer's flush. */
export async function auditRecordFor(cove: CoveProcess, requestId: string | undefined): Promise<Record<string, any>> {
  assert.ok(requestId, 'response carries a request ID');
  // Generous: the writer flushes within an event turn, but a loaded CI machine can stall a process for seconds.
  for (let attempt = 0; attempt < 500; attempt++) {
    const record = auditRecords(cove).find((r) => r.requestID === requestId);
    if (record) return record;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`no audit record for request ${requestId}`);
}
