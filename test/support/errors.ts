import assert from 'node:assert/strict';
import type { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';

/** The error a request must fail with; fails the test if it succeeds. */
export async function rejection(promise: Promise<unknown>): Promise<DynamoDBServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as DynamoDBServiceException;
  }
  assert.fail('expected an error');
}
