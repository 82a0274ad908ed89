import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readTrail } from '../../src/audit/reader.js';
import type { CoveProcess } from './cove.js';
import type { TrailLocation } from '../../src/audit/layout.js';

/** Every audit record the server has written so far, delivered or still in its journal (through the one reader, src/audit/reader.ts). */
export function auditRecords(cove: Pick<CoveProcess, 'dataDirectory'>): Record<string, any>[] {
  return readTrail(join(cove.dataDirectory, 'audit')) as unknown as Record<string, any>[];
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

/** A trail in `directory` as the test configurations name it (account 123456789012, us-east-1). */
export function trailIn(directory: string): TrailLocation {
  return { directory, accountId: '123456789012', region: 'us-east-1', bucket: 'cove-audit', trailName: 'cove' };
}
