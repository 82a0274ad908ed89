/**
 * The trail's budget: files in day folders older than the retention are deleted (log files and
 * digests alike, as an S3 lifecycle rule would), and the size of what is left is compared with
 * the budget: a warning from 80% of it, so that the trail never fills the disk unnoticed.
 * Nothing is deleted for size: the trail is evidence.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { type TrailLocation } from './layout.js';

export interface TrailBudget {
  retentionDays: number;
  maxSizeBytes: number;
}

/** The share of the budget from which a warning is logged. */
const WARNING_SHARE = 0.8;
const DAY_MS = 24 * 3600 * 1000;

export async function enforceBudget(trail: TrailLocation, budget: TrailBudget, log: (line: string) => void): Promise<void> {
  const oldestKept = new Date(Date.now() - budget.retentionDays * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '/');
  for (const kind of ['CloudTrail', 'CloudTrail-Digest']) {
    const root = join(trail.directory, 'AWSLogs', trail.accountId, kind, trail.region);
    for (const day of await dayFolders(root)) {
      if (day < oldestKept) await fsp.rm(join(root, ...day.split('/')), { recursive: true, force: true });
    }
  }
  const sizeBytes = await directorySize(trail.directory);
  if (sizeBytes >= budget.maxSizeBytes * WARNING_SHARE) {
    const percent = Math.round((sizeBytes / budget.maxSizeBytes) * 100);
    log(`cove: audit: WARNING: the trail takes ${sizeBytes} bytes, ${percent}% of its budget (audit.maxSizeMb); records are still kept: raise the budget, shorten audit.retentionDays or move old files away`);
  }
}

/** `YYYY/MM/DD` of every day folder under `root`. */
async function dayFolders(root: string): Promise<string[]> {
  const days: string[] = [];
  for (const year of await names(root)) {
    for (const month of await names(join(root, year))) {
      for (const day of await names(join(root, year, month))) days.push(`${year}/${month}/${day}`);
    }
  }
  return days;
}

async function names(path: string): Promise<string[]> {
  return fsp.readdir(path).catch(() => []);
}

async function directorySize(path: string): Promise<number> {
  let total = 0;
  const entries = await fsp.readdir(path, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += await directorySize(child);
    else total += (await fsp.stat(child).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
