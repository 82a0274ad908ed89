/** The `audit:` section's defaults (validated in src/config/schema.ts). */
export const AUDIT_DEFAULTS = {
  durability: 'writes',
  /** CloudTrail delivers about every five minutes. */
  deliverySeconds: 300,
  deliveryRecords: 10_000,
  digestPeriodSeconds: 3600,
  /** LookupEvents answers 90 days, as AWS's does. */
  retentionDays: 90,
  maxSizeMb: 10_240,
  bucket: 'cove-audit',
  trailName: 'cove',
  dataEvents: 'all',
} as const;

/** The trail's settings as cove.yaml gives them. */
export interface AuditSettings {
  durability: 'writes' | 'sync';
  deliverySeconds: number;
  deliveryRecords: number;
  digestPeriodSeconds: number;
  retentionDays: number;
  maxSizeMb: number;
  bucket: string;
  trailName: string;
  dataEvents: 'all' | 'none' | string[];
  peerDataDirectories: string[];
}
