import type { Principal } from '../auth/identities.js';
import type { AuthorizationTarget } from '../service.js';
import type { QueryRecord } from '../server/protocols/queryModel.js';
import type { IamDirectory } from './directory.js';

/** What an IAM operation runs with: who calls, the merged view and how to change it, the clock. */
export interface IamContext {
  accountId: string;
  caller: Principal;
  directory: IamDirectory;
  nowMs: number;
}

/** What interpret may consult: never the clock of execution. */
export type IamInterpretContext = Omit<IamContext, 'nowMs'>;

/**
 * One IAM operation, in the shape of the STS and DynamoDB ones: its input (read from the model,
 * whose member names it keeps), what IAM must allow, what the audit records, and its execution.
 * `requestParameters` defaults to the input's members in lower camel case (CloudTrail's form).
 */
export interface IamOperation<Input> {
  name: string;
  /** CloudTrail's readOnly: Get and List operations. */
  readOnly: boolean;
  /** The typed input: the model decided the members' types, this names them. */
  read(record: QueryRecord): Input;
  authorization(input: Input, ctx: IamInterpretContext): AuthorizationTarget[];
  requestParameters?(input: Input): Record<string, unknown> | null;
  execute(input: Input, ctx: IamContext): Record<string, unknown> | Promise<Record<string, unknown>>;
}

/**
 * The model-read record as an operation's input type. The model's shapes decide every member's
 * type (string, number, boolean, list of them or of records), so the cast names them, no more.
 */
export function modelInput<Input>(record: QueryRecord): Input {
  return record as unknown as Input;
}

/** Declares an operation with its input type fixed (so that the map of operations can hold them all). */
export function iamOperation<Input>(operation: Omit<IamOperation<Input>, 'read'> & { read?: IamOperation<Input>['read'] }): IamOperation<unknown> {
  return { read: modelInput<Input>, ...operation } as IamOperation<unknown>;
}
