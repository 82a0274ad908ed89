/**
 * DynamoDB Streams as cove serves it: JSON 1.0 with `DynamoDBStreams_20120810.` targets, signed as
 * `dynamodb`, at `streams.dynamodb.REGION.amazonaws.com` (its own network destination: a DynamoDB
 * gateway endpoint does not serve it). It reads the records DynamoDB's write path captures
 * (src/dynamo/streams.ts) from the same store and catalog.
 */
import { AwsError, CORAL_NAMESPACE, coralError } from '../errors.js';
import { parseJsonRequest, regionalState, type DynamoState } from '../dynamo/service.js';
import { dynamoError } from '../dynamo/errors.js';
import type { InterpretedRequest, Service, ServiceDescription } from '../service.js';
import { awsJsonProtocol } from '../server/protocols/awsJson.js';
import { checkInput } from './input.js';
import { STREAMS_OPERATIONS } from './operations/index.js';

/** A request is a few scalars; the largest is GetShardIterator's ARN and ids. */
const MAX_REQUEST_BYTES = 64 * 1024;

export const STREAMS: ServiceDescription = {
  displayName: 'DynamoDB Streams',
  signingName: 'dynamodb',
  networkName: 'streams.dynamodb',
  eventSource: 'dynamodb.amazonaws.com',
  apiVersion: '2012-08-10',
  protocol: awsJsonProtocol({ targetPrefix: 'DynamoDBStreams_20120810', version: '1.0', sendsCrc32: false }),
  maxRequestBytes: MAX_REQUEST_BYTES,
  endpointHost: (region) => `streams.dynamodb.${region}.amazonaws.com`,
  actionsExemptOnPublicPath: new Set(),
  auditResourceType: (arn) => (AUDITED_STREAM_ARN.test(arn) ? 'AWS::DynamoDB::Stream' : undefined),
  internalError: () => dynamoError('InternalServerError', 'Internal server error', 500),
  unreachableError: (reason) => new AwsError(CORAL_NAMESPACE, 'ServiceUnavailableException', `cove: streams.dynamodb is unreachable from here: ${reason}`, 503),
};

const AUDITED_STREAM_ARN = /^arn:aws:dynamodb:[^:]*:[^:]*:table\/[^/*]+\/stream\/[^/*]+$/;

/** DynamoDB Streams over DynamoDB's store and catalog. */
export function streamsService(home: DynamoState): Service {
  return {
    ...STREAMS,
    // DynamoDB's HTTP-layer checks, before the signature (the same framework answers both).
    parse: (request, operationName) => parseJsonRequest(request, operationName, STREAMS_OPERATIONS),
    async interpret(request, operationName, _receivedAtMs, _caller, parsed) {
      const body = parsed?.body ?? parseJsonRequest(request, operationName, STREAMS_OPERATIONS).body;
      const state = regionalState(home, request.region);
      const { engine, catalog } = state;
      // As DynamoDB's: reads see every commit acknowledged so far, by any process sharing the store.
      await engine.refreshSnapshot?.();
      await catalog.refresh();
      return interpretStreamsInput(operationName, body as Record<string, unknown>, state);
    },
  };
}

function interpretStreamsInput(name: string | undefined, body: Record<string, unknown>, state: DynamoState): InterpretedRequest {
  const operation = name === undefined ? undefined : STREAMS_OPERATIONS.get(name);
  if (!operation) throw coralError('UnknownOperationException', '');
  const input = checkInput<Record<string, unknown>>(body, operation.members);
  return {
    eventName: operation.name,
    readOnly: operation.readOnly,
    category: operation.category,
    targets: operation.authorization(input, state),
    requestParameters: operation.requestParameters(input, state),
    execute: (nowMs) => operation.execute(input, { engine: state.engine, catalog: state.catalog, region: state.region, accountId: state.accountId, nowMs }),
  };
}
