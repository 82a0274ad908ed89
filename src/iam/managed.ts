/**
 * The AWS managed policies cove bundles (`managed/policies.json`, see managed/NOTICE.md): ARNs
 * `arn:aws:iam::aws:policy<path><name>`, attachable and readable, never changeable.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PolicyRecord } from './state.js';

interface BundledPolicy {
  name: string;
  path: string;
  versionId: string;
  createDate: string;
  description: string;
  document: unknown;
}

/** Where the bundle is, relative to this module, whether run from src/ or from dist/src/. */
const CANDIDATES = ['./managed/policies.json', '../../../src/iam/managed/policies.json'];

export const AWS_MANAGED_ARN_PREFIX = 'arn:aws:iam::aws:policy/';

let bundled: readonly PolicyRecord[] | undefined;

function readBundle(): BundledPolicy[] {
  for (const candidate of CANDIDATES) {
    try {
      return JSON.parse(readFileSync(fileURLToPath(new URL(candidate, import.meta.url)), 'utf8')) as BundledPolicy[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error('cove: the AWS managed policies (src/iam/managed/policies.json) are missing');
}

/** The bundled AWS managed policies as IAM records (origin `aws`), read once. */
export function awsManagedPolicies(): readonly PolicyRecord[] {
  bundled ??= readBundle().map((policy) => {
    const createdAtMs = Date.parse(policy.createDate);
    const arn = `arn:aws:iam::aws:policy${policy.path}${policy.name}`;
    return {
      name: policy.name,
      path: policy.path,
      // Unverified: AWS's own IDs of these policies; a stable ID in AWS's format stands in.
      id: 'ANPA' + createHash('sha256').update(arn).digest('hex').slice(0, 17).toUpperCase(),
      createdAtMs,
      origin: 'aws' as const,
      arn,
      description: policy.description,
      defaultVersion: policy.versionId,
      versions: [{ id: policy.versionId, document: JSON.stringify(policy.document), createdAtMs }],
      nextVersion: Number(policy.versionId.slice(1)) + 1,
      updatedAtMs: createdAtMs,
      tags: [],
    };
  });
  return bundled;
}

/** A bundled AWS managed policy's document, by ARN (cove.yaml may attach them by ARN). */
export function awsManagedDocument(arn: string): unknown {
  const policy = awsManagedPolicies().find((p) => p.arn === arn);
  return policy === undefined ? undefined : JSON.parse(policy.versions[0].document);
}
