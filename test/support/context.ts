import type { RequestContext } from '../../src/context.js';
import { DYNAMODB } from '../../src/dynamo/service.js';
import type { Service } from '../../src/service.js';

/** DynamoDB's description as a service for tests that never interpret a request. */
export const DESCRIBED_DYNAMODB: Service = {
  ...DYNAMODB,
  interpret() {
    throw new Error('this test does not interpret requests');
  },
};

/** A request context as the listener makes it, for tests of one stage or of the record. */
export function testContext(fields: Partial<RequestContext> & Pick<RequestContext, 'requestId'>): RequestContext {
  return {
    eventId: 'e',
    receivedAtMs: 0,
    raw: { method: 'POST', url: '/', rawHeaders: [], body: Buffer.alloc(0) },
    target: undefined,
    userAgent: '',
    connection: { listener: 'public', remoteAddress: '127.0.0.1', remotePort: 1, secure: false },
    service: DESCRIBED_DYNAMODB,
    operationName: undefined,
    trace: [],
    ...fields,
  };
}
