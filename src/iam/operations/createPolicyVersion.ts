import { limitExceeded, noSuchAttachablePolicy } from '../errors.js';
import { mutablePolicy, versionShape, wholeSecondsMs } from '../entities.js';
import { MAX_POLICY_VERSIONS } from '../limits.js';
import { iamOperation } from '../operation.js';
import type { PolicyVersionRecord } from '../state.js';
import { checkManagedDocument } from './createPolicy.js';

interface Input {
  PolicyArn: string;
  PolicyDocument: string;
  SetAsDefault?: boolean;
}

/** A new version (`v<n>`, never a reused number), the default if asked; at most five versions. */
export const createPolicyVersion = iamOperation<Input>({
  name: 'CreatePolicyVersion',
  readOnly: false,
  authorization: (input) => [{ action: 'iam:CreatePolicyVersion', resource: input.PolicyArn }],
  async execute(input, ctx) {
    checkManagedDocument(input.PolicyDocument);
    const nowMs = wholeSecondsMs(ctx.nowMs);
    const { policy, version } = await ctx.directory.update((tables) => {
      const found = mutablePolicy(tables, input.PolicyArn, noSuchAttachablePolicy);
      // Unverified text (moto's reading of IAM's answer).
      if (found.versions.length >= MAX_POLICY_VERSIONS) throw limitExceeded(`A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
      const created: PolicyVersionRecord = { id: `v${found.nextVersion}`, document: input.PolicyDocument, createdAtMs: nowMs };
      found.versions.push(created);
      found.nextVersion++;
      found.updatedAtMs = nowMs;
      if (input.SetAsDefault === true) found.defaultVersion = created.id;
      return { policy: found, version: created };
    });
    return { PolicyVersion: versionShape(policy, version, false) };
  },
});
