import { join } from 'node:path';
import type { CoveConfig } from '../config/schema.js';
import type { TrailLocation } from './layout.js';

/** The trail a configuration writes under a data directory. */
export function trailLocation(dataDirectory: string, config: Pick<CoveConfig, 'accountId' | 'region' | 'audit'>): TrailLocation {
  return { directory: join(dataDirectory, 'audit'), accountId: config.accountId, region: config.region, bucket: config.audit.bucket, trailName: config.audit.trailName };
}
