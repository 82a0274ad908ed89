import { validationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { type Operation } from '../operation.js';
import { settingsOf } from '../tables.js';
import { resourceNotFound, tableOfResourceArn } from '../tags.js';

interface ListTagsOfResourceInput {
  ResourceArn: string;
  NextToken?: string;
}

/**
 * DynamoDB answers a table's 50 tags (its limit) in one page without a NextToken (observed
 * live); the page size is the tag limit, so a NextToken appears only if that limit ever grew.
 */
const PAGE_SIZE = LIMITS.maxTagsPerResource;

/** The NextToken is the last key answered, so a page stays right when tags change between calls. */
const encodeToken = (key: string) => Buffer.from(key, 'utf8').toString('base64url');

function decodeToken(token: string): string {
  // Unverified text: DynamoDB's answer for a NextToken it never issued.
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw validationError(`Invalid NextToken: ${token}`);
  return Buffer.from(token, 'base64url').toString('utf8');
}

export const listTagsOfResource: Operation<ListTagsOfResourceInput> = {
  name: 'ListTagsOfResource',
  readOnly: true,
  category: 'Management',
  authorization: (input) => [{ action: 'dynamodb:ListTagsOfResource', resource: input.ResourceArn }],
  requestParameters: (input) => ({ resourceArn: input.ResourceArn, ...(input.NextToken !== undefined ? { nextToken: input.NextToken } : {}) }),
  async execute(input, ctx) {
    const name = tableOfResourceArn(input.ResourceArn, ctx);
    const table = ctx.catalog.get(name);
    if (!table) throw resourceNotFound(input.ResourceArn);
    const tags = settingsOf(table.record).tags;
    const after = input.NextToken === undefined ? undefined : decodeToken(input.NextToken);
    const start = after === undefined ? 0 : tags.findIndex(([key]) => key === after) + 1;
    // A token whose key was removed meanwhile ends the listing rather than repeating tags.
    const page = start === 0 && after !== undefined ? [] : tags.slice(start, start + PAGE_SIZE);
    const more = start + PAGE_SIZE < tags.length && page.length > 0;
    return {
      Tags: page.map(([Key, Value]) => ({ Key, Value })),
      ...(more ? { NextToken: encodeToken(page[page.length - 1][0]) } : {}),
    };
  },
};
