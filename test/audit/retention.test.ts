import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { enforceBudget } from '../../src/audit/retention.js';
import { removeDirectory, tempDirectory } from '../support/cove.js';
import { trailIn } from '../support/audit.js';

function dayFolder(directory: string, kind: string, daysAgo: number): string {
  const day = new Date(Date.now() - daysAgo * 24 * 3600 * 1000).toISOString().slice(0, 10).split('-');
  const folder = join(directory, 'AWSLogs', '123456789012', kind, 'us-east-1', ...day);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(join(folder, 'f.json.gz'), Buffer.alloc(1000));
  return folder;
}

describe('audit retention and budget', () => {
  it('deletes day folders past the retention, log files and digests alike, keeps the others, and warns from 80% of the budget', async () => {
    const directory = tempDirectory('cove-retention-');
    try {
      const old = [dayFolder(directory, 'CloudTrail', 10), dayFolder(directory, 'CloudTrail-Digest', 10)];
      const kept = [dayFolder(directory, 'CloudTrail', 0), dayFolder(directory, 'CloudTrail-Digest', 1)];
      const logged: string[] = [];
      await enforceBudget(trailIn(directory), { retentionDays: 3, maxSizeBytes: 1_000_000 }, (line) => logged.push(line));
      assert.deepEqual(old.map((folder) => fs.existsSync(folder)), [false, false]);
      assert.deepEqual(kept.map((folder) => fs.existsSync(folder)), [true, true]);
      assert.equal(logged.length, 0, 'far below the budget');
      await enforceBudget(trailIn(directory), { retentionDays: 3, maxSizeBytes: 2400 }, (line) => logged.push(line));
      assert.equal(logged.length, 1);
      assert.match(logged[0], /WARNING: the trail takes 2000 bytes, 83% of its budget/);
      assert.deepEqual(kept.map((folder) => fs.existsSync(folder)), [true, true], 'nothing is deleted for size');
    } finally {
      removeDirectory(directory);
    }
  });
});
