import type { Operation } from '../dynamo/operation.js';
import type { MemberConstraint } from './input.js';

/**
 * One DynamoDB Streams operation: DynamoDB's operation shape (it reads DynamoDB's store and
 * catalog, with the same context), plus its request's constraints from the Streams model.
 */
export interface StreamsOperation<Input> extends Operation<Input> {
  members: readonly MemberConstraint[];
}
