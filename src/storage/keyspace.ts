/**
 * The engine's top-level key tags: the first byte of every key says whose it is. One place lists
 * them all, so that a new user of the engine takes a free tag.
 *
 *   00  DynamoDB table catalog        src/dynamo/keys.ts
 *   01  DynamoDB items                src/dynamo/keys.ts
 *   02  purge markers (deleted tables and indexes)   src/dynamo/keys.ts
 *   03  DynamoDB catalog version      src/dynamo/keys.ts
 *   04  secondary index entries       src/dynamo/keys.ts
 *   05  stream counters and records   src/dynamo/keys.ts
 *   06  DynamoDB table catalog of a region other than the home one   src/dynamo/keys.ts
 *   07  that catalog's version        src/dynamo/keys.ts
 *   10  TransactWriteItems client tokens              src/dynamo/keys.ts
 *   11  client token expiries         src/dynamo/keys.ts
 *   20  IAM principals and policies created through the IAM API   src/iam/store.ts
 *   21  IAM store version              src/iam/store.ts
 *   22  STS session token key, in a store several machines share (PostgreSQL)   src/auth/sessionTokens.ts
 */
export const IAM_STATE_TAG = 0x20;
export const IAM_VERSION_TAG = 0x21;
export const STS_SESSION_KEY_TAG = 0x22;
