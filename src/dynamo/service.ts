import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { AwsError, CORAL_NAMESPACE, coralError } from '../errors.js';
import { dynamoError, validationError } from './errors.js';
import type { InterpretedRequest, ParsedRequest, Service, ServiceDescription, WireRequest } from '../service.js';
import { awsJsonProtocol } from '../server/protocols/awsJson.js';
import type { StorageEngine } from '../storage/engine.js';
import type { InterpretContext, Operation } from './operation.js';
import { DESCRIBE_ENDPOINTS_ACTION } from './operations/describeEndpoints.js';
import { LIMITS } from './limits.js';
import { OPERATIONS } from './operations/index.js';
import type { TableCatalog } from './tables.js';
import { validateInput, validationException } from './validation/index.js';
import { MAX_JSON_DEPTH } from './validation/validator.js';
import { MSG_NESTING } from './attributeValue.js';
import { jsonNestingExceeds } from '../server/protocols/jsonDepth.js';

/** DynamoDB as cove serves it, without its state: signing name, protocol, endpoint, audit. */
export const DYNAMODB: ServiceDescription = {
  displayName: 'DynamoDB',
  signingName: 'dynamodb',
  eventSource: 'dynamodb.amazonaws.com',
  apiVersion: '2012-08-10',
  protocol: awsJsonProtocol({ targetPrefix: 'DynamoDB_20120810', version: '1.0', sendsCrc32: true }),
  maxRequestBytes: LIMITS.maxRequestBytes,
  endpointHost: (region) => `dynamodb.${region}.amazonaws.com`,
  actionsExemptOnPublicPath: new Set([DESCRIBE_ENDPOINTS_ACTION]),
  auditResourceType: (arn) => (AUDITED_TABLE_ARN.test(arn) ? 'AWS::DynamoDB::Table' : undefined),
  internalError: () => dynamoError('InternalServerError', 'Internal server error', 500),
  unreachableError: (reason) => new AwsError(CORAL_NAMESPACE, 'ServiceUnavailableException', `cove: dynamodb is unreachable from here: ${reason}`, 503),
};

/** CloudTrail lists a table's ARN among the resources (never a pattern, an index or a stream). */
const AUDITED_TABLE_ARN = /^arn:aws:dynamodb:[^:]*:[^:]*:table\/[^/*]+$/;

export interface DynamoState {
  region: string;
  accountId: string;
  engine: StorageEngine;
  catalog: TableCatalog;
  /** Another served region's state (`regions:`), by name; absent or undefined: only `region` is served. */
  inRegion?: (region: string) => DynamoState | undefined;
}

/** The state of the region a request is for: each region has its own tables (and ARNs). */
export function regionalState(state: DynamoState, region: string | undefined): DynamoState {
  if (region === undefined || region === state.region) return state;
  const regional = state.inRegion?.(region);
  // Authentication admits only served regions: a request for another is cove's own fault.
  if (!regional) throw new Error(`no state for region ${region}`);
  return regional;
}

/** DynamoDB with its store and catalog: the service the pipeline dispatches DynamoDB requests to. */
export function dynamoService(home: DynamoState): Service {
  return {
    ...DYNAMODB,
    parse: (request, operationName) => parseDynamoRequest(request, operationName),
    interpret(request, operationName, _receivedAtMs, _caller, parsed) {
      const state = regionalState(home, request.region);
      const { engine, catalog } = state;
      const input = parsed?.body ?? parseDynamoRequest(request, operationName).body;
      const interpret = () => interpretDynamoInput(operationName, input, state, request.raw.rawHeaders);
      // Reads from here on see every commit acknowledged so far, by any process sharing the
      // store, and the catalog mirror every table created or deleted so far.
      const fresh = engine.refreshSnapshot?.();
      if (fresh) return fresh.then(() => catalog.refresh()).then(interpret);
      const refreshed = catalog.refresh();
      if (refreshed) return refreshed.then(interpret);
      return interpret();
    },
  };
}

/**
 * A body this small parses in about a microsecond however it nests, and validation bounds its own
 * recursion: only larger ones are scanned, which keeps the scan off GetItem's path.
 */
const NESTING_SCAN_MIN_BYTES = 256;

/**
 * What DynamoDB checks at the HTTP layer, before the signature (its order, as dynalite recorded it
 * against the live service): a POST with a JSON content type (anything else is a 404 with
 * `<UnknownOperationException/>`), a body that is UTF-8 JSON of an object (SerializationException),
 * then an operation it knows (UnknownOperationException). `application/json` is answered in kind.
 */
export function parseDynamoRequest(request: WireRequest, name: string | undefined): ParsedRequest {
  return parseJsonRequest(request, name, OPERATIONS);
}

/** `parseDynamoRequest` for a service of the same framework with other operations (DynamoDB Streams). */
export function parseJsonRequest(request: WireRequest, name: string | undefined, operations: { has(name: string): boolean }): ParsedRequest {
  const contentType = request.contentType?.split(';')[0].trim().toLowerCase();
  if (request.raw.method !== 'POST' || (request.raw.body.length > 0 && contentType !== JSON_1_0 && contentType !== 'application/json')) throw notFound();
  const body = decodedBody(request);
  // Decoding would turn invalid bytes into U+FFFD, and two different keys into one item: DynamoDB
  // refuses a body that is not UTF-8 as it refuses one that is not JSON.
  if (!isUtf8(body)) throw coralError('SerializationException', '');
  // Refused before the parse, which is what takes seconds on a deep body. Unverified against AWS:
  // DynamoDB's answer for JSON nested past any AttributeValue (cove answers its attribute
  // nesting text, which is also what the validator answers after a parse).
  if (body.length >= NESTING_SCAN_MIN_BYTES && jsonNestingExceeds(body, MAX_JSON_DEPTH + 1)) throw validationException(MSG_NESTING);
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw coralError('SerializationException', '');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw coralError('SerializationException', '');
  if (name === undefined || !operations.has(name)) throw coralError('UnknownOperationException', '');
  return contentType === 'application/json' ? { body: input, answerContentType: 'application/json' } : { body: input };
}

const JSON_1_0 = 'application/x-amz-json-1.0';

/**
 * The body as the client wrote it before compressing it (`Content-Encoding: gzip`, which the SDKs
 * send for large requests; the signature covers the compressed bytes, as sent). DynamoDB answers
 * an encoding it does not know, or a body that is not gzip, with a 500 (Alternator's tests,
 * recorded against the live service). DynamoDB takes any uncompressed size; cove takes what it
 * takes uncompressed, 16 MB, so that a small body cannot expand to fill the memory (a 413 past it).
 */
function decodedBody(request: WireRequest): Buffer {
  const encoding = request.contentEncoding?.trim().toLowerCase();
  if (encoding === undefined || encoding === '' || encoding === 'identity') return request.raw.body;
  if (encoding !== 'gzip') throw dynamoError('InternalServerError', 'Internal server error', 500);
  try {
    return gunzipSync(request.raw.body, { maxOutputLength: LIMITS.maxRequestBytes });
  } catch (error) {
    if (error instanceof RangeError) throw new AwsError(CORAL_NAMESPACE, 'RequestEntityTooLarge', 'Request entity too large', 413);
    throw dynamoError('InternalServerError', 'Internal server error', 500);
  }
}

/** DynamoDB's answer to a request that is not a JSON POST: a 404 whose body is a bare XML element. */
function notFound(): AwsError {
  return new AwsError(CORAL_NAMESPACE, 'UnknownOperationException', '', 404, 'message', undefined, '<UnknownOperationException/>\n');
}

/**
 * Turns the operation name + body into an InterpretedRequest (parsing it as `parseDynamoRequest`
 * does): kept for callers with a bare body.
 */
export function interpretDynamoRequest(name: string | undefined, body: Buffer, state: DynamoState, rawHeaders: readonly string[] = []): InterpretedRequest {
  const parsed = parseDynamoRequest({ raw: { method: 'POST', url: '/', rawHeaders: [...rawHeaders], body }, target: undefined, contentType: JSON_1_0 }, name);
  return interpretDynamoInput(name, parsed.body, state, rawHeaders);
}

/**
 * Turns a parsed request into an InterpretedRequest: model constraint violations are answered
 * here, after authentication and before IAM.
 */
export function interpretDynamoInput(name: string | undefined, input: unknown, state: DynamoState, rawHeaders: readonly string[] = []): InterpretedRequest {
  const operation = name === undefined ? undefined : (OPERATIONS.get(name) as Operation<Record<string, unknown>> | undefined);
  if (!operation || typeof input !== 'object' || input === null) throw coralError('UnknownOperationException', '');
  validateInput(operation.name, input);
  const typedInput = input as Record<string, unknown>;
  if (typeof typedInput.TableName === 'string') typedInput.TableName = resolveTableName(typedInput.TableName, state);
  if (typeof typedInput.RequestItems === 'object' && typedInput.RequestItems !== null) {
    typedInput.RequestItems = resolveRequestItems(typedInput.RequestItems as Record<string, unknown>, state);
  }
  if (Array.isArray(typedInput.TransactItems)) resolveTransactItems(typedInput.TransactItems as unknown[], state);
  return {
    eventName: operation.name,
    readOnly: operation.readOnly,
    category: operation.category,
    targets: operation.authorization(typedInput, state),
    requestParameters: operation.requestParameters(typedInput, state),
    // A literal, not a spread of `state`: this runs on every request.
    execute: operation.readsHost
      ? (nowMs) => operation.execute(typedInput, { engine: state.engine, catalog: state.catalog, region: state.region, accountId: state.accountId, nowMs, requestHost: hostHeader(rawHeaders) })
      : (nowMs) => operation.execute(typedInput, { engine: state.engine, catalog: state.catalog, region: state.region, accountId: state.accountId, nowMs }),
    ...(operation.emptyAnswer ? { emptyAnswer: true } : {}),
  };
}

/** The Host header as the client sent it (host and port, as it named the endpoint). */
function hostHeader(rawHeaders: readonly string[]): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === 'host') return rawHeaders[i + 1];
  return undefined;
}

const TABLE_ARN = /^arn:aws:dynamodb:([a-z0-9-]+):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})$/;

/**
 * DynamoDB accepts a table ARN wherever it takes a table name. cove serves one
 * account in one region, so an ARN is reduced to its name here, once, and both
 * IAM and the operation see the same table; an ARN elsewhere names no table cove has.
 */
export function resolveTableName(name: string, ctx: Pick<InterpretContext, 'region' | 'accountId'>): string {
  if (!name.startsWith('arn:')) return name;
  const match = TABLE_ARN.exec(name);
  // Unverified text: DynamoDB's answer for a malformed table ARN.
  if (!match) throw validationError(`Invalid TableName: ${name} is neither a table name nor a table ARN`);
  if (match[1] !== ctx.region || match[2] !== ctx.accountId) throw dynamoError('ResourceNotFoundException', 'Requested resource not found');
  return match[3];
}

/** Each action of a transaction names its table (the model has checked the entries' shape). */
function resolveTransactItems(items: readonly unknown[], ctx: Pick<InterpretContext, 'region' | 'accountId'>): void {
  for (const entry of items) {
    for (const action of Object.values(entry as Record<string, { TableName?: unknown } | undefined>)) {
      if (action && typeof action.TableName === 'string') action.TableName = resolveTableName(action.TableName, ctx);
    }
  }
}

/** Batch operations key their RequestItems by table name or ARN; two spellings of one table are one entry. */
function resolveRequestItems(requestItems: Record<string, unknown>, ctx: Pick<InterpretContext, 'region' | 'accountId'>): Record<string, unknown> {
  // Table names are the user's: `__proto__` is a valid one, so no prototype to collide with.
  const resolved: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of Object.entries(requestItems)) {
    const table = resolveTableName(name, ctx);
    // Unverified text: DynamoDB's answer when a table appears twice, once by name and once by ARN.
    if (Object.hasOwn(resolved, table)) throw validationError(`Table ${table} appears more than once in RequestItems`);
    resolved[table] = value;
  }
  return resolved;
}
