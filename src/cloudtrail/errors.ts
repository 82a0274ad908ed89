import { AwsError } from '../errors.js';

/** CloudTrail's errors: JSON 1.1, the service's namespace (the model's shape IDs). */
export const CLOUDTRAIL_NAMESPACE = 'com.amazonaws.cloudtrail.v20131101';

export function cloudtrailError(code: string, message: string, statusCode = 400): AwsError {
  return new AwsError(CLOUDTRAIL_NAMESPACE, code, message, statusCode, 'Message');
}

// The error types are the model's (LookupEvents' and ListPublicKeys' `errors`); the model gives no
// texts, so every message below is cove's, unverified against AWS.
export const invalidLookupAttributes = (detail: string) => cloudtrailError('InvalidLookupAttributesException', detail);
export const invalidTimeRange = () => cloudtrailError('InvalidTimeRangeException', 'Start time must be less than or equal to end time.');
export const invalidMaxResults = (value: unknown) => cloudtrailError('InvalidMaxResultsException', `Value ${String(value)} for MaxResults is invalid: it must be between 1 and 50.`);
export const invalidNextToken = () => cloudtrailError('InvalidNextTokenException', 'Invalid NextToken: it is not one LookupEvents gave for these parameters.');
export const invalidEventCategory = (value: unknown) => cloudtrailError('InvalidEventCategoryException', `Value ${String(value)} for EventCategory is invalid: the only value is insight.`);
/** A request whose JSON does not bind to the operation's input (a wrong type), as coral's binder answers. */
export const serialization = (detail: string) => new AwsError('com.amazon.coral.service', 'SerializationException', detail);
