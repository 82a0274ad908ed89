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

/** The error a request must fail with, checked to be of the named AWS code. */
export async function rejectsWith(promise: Promise<unknown>, name: string): Promise<DynamoDBServiceException> {
  const error = await rejection(promise);
  assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
  return error;
}
