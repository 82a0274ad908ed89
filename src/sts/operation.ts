import type { Principal } from '../auth/identities.js';
import type { CredentialStore } from '../auth/identities.js';
import type { SessionTokens } from '../auth/sessionTokens.js';
import type { AuthorizationTarget } from '../service.js';
import type { QueryInput } from '../server/protocols/queryInput.js';

/** What an STS operation runs with: who calls, the identities it can issue sessions for, the clock. */
export interface StsContext {
  region: string;
  accountId: string;
  caller: Principal;
  credentials: CredentialStore;
  tokens: SessionTokens;
  /** A customer managed policy's document, by ARN (session policies passed by ARN). */
  managedPolicyDocument(arn: string): unknown;
  nowMs: number;
}

/** What interpret may consult: never the clock of execution. */
export type StsInterpretContext = Omit<StsContext, 'nowMs'>;

/**
 * One STS operation, in the shape of a DynamoDB one (`src/dynamo/operation.ts`): it reads its
 * parameters with the model's constraints, names what IAM must allow, what the audit records,
 * and runs once authorized.
 */
export interface StsOperation<Input> {
  name: string;
  read(input: QueryInput): Input;
  authorization(input: Input, ctx: StsInterpretContext): AuthorizationTarget[];
  /** CloudTrail's requestParameters (never a secret). */
  requestParameters(input: Input): Record<string, unknown> | null;
  execute(input: Input, ctx: StsContext): Record<string, unknown> | Promise<Record<string, unknown>>;
}
