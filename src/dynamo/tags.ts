import { dynamoError, validationError } from './errors.js';
import { LIMITS } from './limits.js';
import type { InterpretContext } from './operation.js';

/** A tag as the API carries it. */
export interface Tag {
  Key: string;
  Value: string;
}

/*
 * DynamoDB's tag texts. Source: live responses recorded by third-party probes of the service
 * (the ACK controller's API-quirks notes, verified 2026-10, and dynalite's tests run against
 * DynamoDB); "Atleast" and "ResourcArn" are DynamoDB's own spellings.
 */
const MSG_NO_TAGS = 'Atleast one Tag needs to be provided as Input.';
const MSG_NO_TAG_KEYS = 'Atleast one Tag Key needs to be provided as Input.';
const MSG_TOO_MANY_TAGS = 'Number of Tags exceed the current limit for the provided ResourceArn';
const AWS_PREFIX = 'aws:';

/** AWS's tag character set: letters, digits and spaces of any script, and + - = . _ : / @. */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const characters = (text: string) => [...text].length;

function checkTagKey(key: string): void {
  if (characters(key) < 1 || characters(key) > LIMITS.maxTagKeyLength || !TAG_CHARACTERS.test(key)) {
    throw validationError(`The Tag Key provided is invalid, Key: ${key}`);
  }
}

/** TagResource's (and CreateTable's) checks of the tags themselves, in DynamoDB's order. */
export function checkTags(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const { Key: key, Value: value } of tags) {
    checkTagKey(key);
    if (characters(value) > LIMITS.maxTagValueLength || !TAG_CHARACTERS.test(value)) {
      throw validationError(`The Tag Value provided is invalid, Value: ${value}`);
    }
    if (key.startsWith(AWS_PREFIX)) throw validationError(`Tag Key cannot be prefixed with aws:, Key: ${key}`);
    if (seen.has(key)) throw validationError(`Duplicate Tag Keys provided as input: Duplicate Tag Key found ${key}`);
    seen.add(key);
  }
  if (seen.size > LIMITS.maxTagsPerResource) throw validationError(MSG_TOO_MANY_TAGS);
}

export function checkTagResourceInput(tags: readonly Tag[]): void {
  if (tags.length === 0) throw validationError(MSG_NO_TAGS);
  checkTags(tags);
}

export function checkUntagResourceInput(keys: readonly string[]): void {
  if (keys.length === 0) throw validationError(MSG_NO_TAG_KEYS);
  for (const key of keys) checkTagKey(key);
  // DynamoDB counts the keys of an UntagResource against the same limit, though it removes tags.
  if (keys.length > LIMITS.maxTagsPerResource) throw validationError(MSG_TOO_MANY_TAGS);
}

/** The table's tags after setting `tags`: existing keys keep their place and take the new value. */
export function mergeTags(current: readonly [string, string][], tags: readonly Tag[]): [string, string][] {
  const merged = new Map(current);
  for (const { Key, Value } of tags) merged.set(Key, Value);
  if (merged.size > LIMITS.maxTagsPerResource) throw validationError(MSG_TOO_MANY_TAGS);
  return [...merged];
}

export function removeTags(current: readonly [string, string][], keys: readonly string[]): [string, string][] {
  const removed = new Set(keys);
  return current.filter(([key]) => !removed.has(key));
}

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

/**
 * The table a tagging request's ResourceArn names, or DynamoDB's error for an ARN that names no
 * table here. Checked at execute: IAM answers first, for the ARN as given (DynamoDB's denials
 * name even a malformed ResourceArn as the resource).
 */
export function tableOfResourceArn(arn: string, ctx: Pick<InterpretContext, 'region' | 'accountId'>): string {
  const invalid = (detail: string) => validationError(`One or more parameter values were invalid: ${detail}`);
  if (!arn.startsWith('arn:')) throw invalid(`ARNs must start with 'arn:': ${arn}`);
  const [, partition, service, region, account, ...rest] = arn.split(':');
  const resource = rest.join(':');
  if (partition === undefined || service !== 'dynamodb' || account === undefined) throw invalid(`Provided Arn is not a DynamoDB resource arn: ${arn}`);
  const path = resource.split('/');
  if (path[0] !== 'table' || (path.length !== 2 && path[2] !== 'stream')) {
    throw invalid(`Invalid resource arn provided, only table or stream is accepted. Provided resource arn: ${arn}`);
  }
  if (partition !== 'aws' || region !== ctx.region || !TABLE_NAME.test(path[1] ?? '') || path.length !== 2) {
    // DynamoDB's answer for another region's table, and for a malformed table name (dynalite's tests).
    // cove has no streams yet, so a stream ARN lands here too.
    throw validationError(`Invalid TableArn: Invalid ResourceArn provided as input ${arn}`);
  }
  // Unverified: DynamoDB's answer for another account's table (cove serves one account).
  if (account !== ctx.accountId) throw resourceNotFound(arn);
  return path[1];
}

/** TagResource's and ListTagsOfResource's answer for a table that does not exist. */
export function resourceNotFound(arn: string) {
  return dynamoError('ResourceNotFoundException', `Requested resource not found: ResourcArn: ${arn} not found`);
}

/** CloudTrail's form of a tag list. */
export function tagsForAudit(tags: readonly Tag[]): { key: string; value: string }[] {
  return tags.map((t) => ({ key: t.Key, value: t.Value }));
}
