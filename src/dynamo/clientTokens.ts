/**
 * TransactWriteItems' ClientRequestToken: a retry with the same token and the same parameters
 * within LIMITS.clientRequestTokenLifetimeMs applies nothing and answers as the first request did;
 * the same token with other parameters is refused. Tokens live in the engine under their own key
 * range (keys.ts: 10 | token, and 11 | expiry | token to find expired ones), written in the batch
 * of the transaction they belong to, so a token exists exactly when its transaction committed.
 * A token belongs to its region, as DynamoDB's tables do: the stored token is the region, a NUL
 * (which neither a region nor a token contains) and the client's token.
 */
import { createHash } from 'node:crypto';
import type { Entry, StorageEngine, WriteOp } from '../storage/engine.js';
import { AwsError } from '../errors.js';
import { dynamoError } from './errors.js';
import { clientTokenKey, expiredTokensRange, tokenExpiryKey, tokenOfExpiryKey } from './keys.js';
import { LIMITS } from './limits.js';

/** What a token keeps of its transaction: when it lapses and what was asked (a retry's answer is computed anew). */
export interface TokenRecord {
  readonly expiresAtMs: number;
  /** SHA-256 of the request's parameters but the token, in canonical JSON (key order ignored). */
  readonly parametersHash: string;
}

/** Expired tokens removed per transaction: a bounded amount of extra work in each batch. */
const EXPIRED_TOKENS_PER_SWEEP = 16;

// Unverified text: DynamoDB's message for a reused token with other parameters.
const MSG_PARAMETER_MISMATCH = 'Client request token was already used with different request parameters';

export function parameterMismatch(): AwsError {
  return dynamoError('IdempotentParameterMismatchException', MSG_PARAMETER_MISMATCH);
}

/** The vetoing error of the token op when a live token is already there (a concurrent twin request). */
export const TOKEN_TAKEN = dynamoError('TransactionInProgressException', 'cove: the client request token was taken by a concurrent request');

/** A hash of the parameters that ignores JSON key order (AWS does) and the token itself. */
export function parametersHash(input: Record<string, unknown>): string {
  const { ClientRequestToken: _token, ...parameters } = input;
  return createHash('sha256').update(canonicalJson(parameters)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return '{' + entries.map(([key, inner]) => JSON.stringify(key) + ':' + canonicalJson(inner)).join(',') + '}';
  }
  return JSON.stringify(value) ?? 'null';
}

function decodeRecord(bytes: Buffer): TokenRecord {
  return JSON.parse(bytes.toString('utf8')) as TokenRecord;
}

function isLive(bytes: Buffer | undefined, nowMs: number): boolean {
  return bytes !== undefined && decodeRecord(bytes).expiresAtMs > nowMs;
}

/** The client's token as stored: within its region. */
function regionToken(region: string, token: string): string {
  return `${region}\u0000${token}`;
}

/**
 * The token's record if it is still within its window (an expired one is as good as absent). A
 * token an earlier cove stored, before tokens had regions (under the token alone), still answers
 * for its lifetime, in every region.
 */
export async function liveToken(engine: StorageEngine, region: string, token: string, nowMs: number): Promise<TokenRecord | undefined> {
  const [bytes, earlier] = await engine.getMany([clientTokenKey(regionToken(region, token)), clientTokenKey(token)]);
  if (bytes !== undefined && isLive(bytes, nowMs)) return decodeRecord(bytes);
  return earlier !== undefined && isLive(earlier, nowMs) ? decodeRecord(earlier) : undefined;
}

/**
 * The ops that record the token in the transaction's batch: the record (vetoed with TOKEN_TAKEN
 * when a live record is there: a concurrent twin committed first) and its expiry entry; plus the
 * removal of up to EXPIRED_TOKENS_PER_SWEEP expired tokens, oldest first.
 */
export async function tokenOps(engine: StorageEngine, region: string, clientToken: string | undefined, record: Omit<TokenRecord, 'expiresAtMs'>, nowMs: number): Promise<WriteOp<AwsError>[]> {
  const token = clientToken === undefined ? undefined : regionToken(region, clientToken);
  const ops = await sweepOps(engine, token, nowMs);
  if (token === undefined) return ops;
  const expiresAtMs = nowMs + LIMITS.clientRequestTokenLifetimeMs;
  const full: TokenRecord = { ...record, expiresAtMs };
  ops.push(
    { key: clientTokenKey(token), value: Buffer.from(JSON.stringify(full)), condition: (current) => (isLive(current, nowMs) ? TOKEN_TAKEN : undefined) },
    { key: tokenExpiryKey(expiresAtMs, token), value: Buffer.of(1) },
  );
  return ops;
}

/** Removes expired tokens; a token renewed since its expiry entry was written is left (its value decides, in the transaction). */
async function sweepOps(engine: StorageEngine, ownToken: string | undefined, nowMs: number): Promise<WriteOp<AwsError>[]> {
  const expired: Entry[] = [];
  for await (const entry of engine.range({ ...expiredTokensRange(nowMs), limit: EXPIRED_TOKENS_PER_SWEEP })) expired.push(entry);
  const ops: WriteOp<AwsError>[] = [];
  // The request's own token is written by its own op, and one key takes one op per batch.
  const seen = new Set<string>(ownToken === undefined ? [] : [ownToken]);
  for (const { key } of expired) {
    const token = tokenOfExpiryKey(key);
    ops.push({ key: Buffer.from(key), value: null });
    if (seen.has(token)) continue;
    seen.add(token);
    ops.push({ key: clientTokenKey(token), value: (current) => (current !== undefined && !isLive(current, nowMs) ? null : undefined) });
  }
  return ops;
}
