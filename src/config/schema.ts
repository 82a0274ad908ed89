import { z } from 'zod';

/** cove.yaml, as validated at start. Unknown keys are errors: a typo must not silently drop a policy. */
const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { error: 'expected HOST:PORT, e.g. 127.0.0.1:8000' })
  .refine((value) => Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535, { error: 'port must be 0..65535' });

const policyDocument = z.union([z.string(), z.record(z.string(), z.unknown())], {
  error: 'expected a policy document (a JSON object or its text)',
});

const iamName = z.string().regex(/^[\w+=,.@-]{1,128}$/, { error: 'expected an IAM name: 1-128 of letters, digits and +=,.@_-' });
const iamPath = z.string().regex(/^\/([\x21-\x7e]*\/)?$/, { error: 'expected an IAM path such as / or /team/' }).default('/');
const inlinePolicies = z.array(z.strictObject({ name: z.string().min(1).max(128), document: policyDocument })).default([]);
/** A customer managed policy declared under iam.policies, by name or by ARN. */
const policyReference = z.string().min(1, { error: 'expected a policy name or ARN' });
const policyReferences = z.array(policyReference).default([]);

export const configSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'expected an AWS region name such as us-east-1' }).default('us-east-1'),
  accountId: z.string({ error: 'expected a 12-digit account ID as a quoted string (YAML reads unquoted digits as a number)' }).regex(/^\d{12}$/, { error: 'expected a 12-digit account ID, quoted so YAML keeps it a string' }).default('000000000000'),
  listeners: z
    .array(z.strictObject({ name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a name of letters, digits, _ or -' }), listen: hostPort }))
    .min(1, { error: 'expected at least one listener' })
    .default([{ name: 'public', listen: '127.0.0.1:8000' }]),
  iam: z
    .strictObject({
      policies: z.array(z.strictObject({ name: iamName, path: iamPath, document: policyDocument })).default([]),
      groups: z
        .array(z.strictObject({ name: iamName, path: iamPath, policies: inlinePolicies, managedPolicies: policyReferences }))
        .default([]),
      users: z
        .array(
          z.strictObject({
            name: z.string().regex(/^[\w+=,.@-]{1,64}$/, { error: 'expected an IAM user name: 1-64 of letters, digits and +=,.@_-' }),
            path: iamPath,
            accessKeys: z
              .array(
                z.strictObject({
                  id: z.string().regex(/^\w{3,128}$/, { error: 'expected an access key ID of 3-128 characters [A-Za-z0-9_]' }),
                  secret: z.string().min(1, { error: 'expected a non-empty secret' }),
                }),
              )
              .default([]),
            policies: inlinePolicies,
            managedPolicies: policyReferences,
            groups: z.array(z.string()).default([]),
            permissionsBoundary: policyReference.optional(),
            tags: z.record(z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, { error: 'expected a tag key of 1-128 characters' }), z.string().max(256)).default({}),
          }),
        )
        .default([]),
    })
    .default({ policies: [], groups: [], users: [] }),
});

export type CoveConfig = z.infer<typeof configSchema>;
