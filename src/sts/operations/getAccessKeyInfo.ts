import type { StsOperation } from '../operation.js';

interface GetAccessKeyInfoInput {
  accessKeyId: string;
}

/**
 * The account an access key belongs to. cove serves one account, so every key is that account's
 * (AWS decodes the account from the key ID, and answers for keys of any account, even unknown
 * ones). Needs `sts:GetAccessKeyInfo`, on no particular resource.
 */
export const getAccessKeyInfo: StsOperation<GetAccessKeyInfoInput> = {
  name: 'GetAccessKeyInfo',
  read: (input) => ({ accessKeyId: input.string('AccessKeyId', { required: true, min: 16, max: 128, pattern: /^\w*$/, patternText: '[\\w]*' }) ?? '' }),
  authorization: () => [{ action: 'sts:GetAccessKeyInfo', resource: '*' }],
  requestParameters: (input) => ({ accessKeyId: input.accessKeyId }),
  execute: (_input, ctx) => ({ Account: ctx.accountId }),
};
