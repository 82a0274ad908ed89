import { AwsError } from '../errors.js';

/** STS's own errors, by the codes its model gives them (the Query protocol writes code and message). */
export const STS_NAMESPACE = 'com.amazonaws.sts.v20110615';

export function stsError(code: string, message: string, statusCode = 400): AwsError {
  return new AwsError(STS_NAMESPACE, code, message, statusCode);
}
