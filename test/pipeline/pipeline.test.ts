import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Decision, RequestContext, Stage, StageName } from '../../src/context.js';
import type { CloudTrailRecord } from '../../src/audit/record.js';
import { CredentialStore } from '../../src/auth/identities.js';
import { coralError } from '../../src/errors.js';
import { listenerPlaces, Router } from '../../src/network/route.js';
import { Pipeline, STAGES, type PipelineEnv } from '../../src/pipeline.js';
import { ServiceRegistry } from '../../src/service.js';
import { emptyNetworkModel } from '../../src/network/config.js';
import { DESCRIBED_DYNAMODB, testContext } from '../support/context.js';

const ENV: PipelineEnv = {
  region: 'us-east-1',
  accountId: '123456789012',
  credentials: new CredentialStore(),
  router: new Router({ model: emptyNetworkModel(), places: listenerPlaces([{ name: 'public' }], [], new Map()), region: 'us-east-1', accountId: '123456789012', unreachable: 'reset' }),
};

function stage(name: StageName, run: (ctx: RequestContext) => Decision | Promise<Decision>): Stage<PipelineEnv> {
  return { name, run };
}

const proceed = (detail: string): Decision => ({ findings: [{ decision: 'continue', detail }] });

async function run(stages: Stage<PipelineEnv>[]): Promise<{ ctx: RequestContext; records: CloudTrailRecord[] }> {
  const records: CloudTrailRecord[] = [];
  const ctx = testContext({ requestId: 'R1', operationName: 'GetItem' });
  await new Pipeline(ENV, { append: (record) => void records.push(record) }, stages).handle(ctx);
  return { ctx, records };
}

describe('pipeline: the stage list', () => {
  it('is the seven stages in the order of the design, each named once', () => {
    assert.deepEqual(
      STAGES.map((s) => s.name),
      ['attribute', 'route', 'parse', 'authenticate', 'interpret', 'authorize', 'execute'],
    );
  });

  it('writes each finding under the name of the stage that reported it, and records the request once', async () => {
    const { ctx, records } = await run([stage('attribute', () => proceed('a')), stage('route', async () => proceed('b')), stage('execute', () => ({ findings: [{ decision: 'done', detail: 'c' }] }))]);
    assert.deepEqual(
      ctx.trace.map((t) => [t.stage, t.decision, t.detail]),
      [
        ['attribute', 'continue', 'a'],
        ['route', 'continue', 'b'],
        ['execute', 'done', 'c'],
      ],
    );
    assert.deepEqual(ctx.outcome, { stage: 'execute', decision: 'done', reset: false });
    assert.equal(records.length, 1);
    assert.equal(records[0].eventName, 'GetItem');
  });

  it('a stage that throws an AWS error ends the request with a fail line of its own name; later stages do not run', async () => {
    let later = false;
    const { ctx, records } = await run([
      stage('attribute', () => proceed('a')),
      stage('authenticate', () => {
        throw coralError('UnrecognizedClientException', 'The security token included in the request is invalid.');
      }),
      stage('execute', () => {
        later = true;
        return proceed('never');
      }),
    ]);
    assert.equal(later, false);
    assert.equal(ctx.error?.code, 'UnrecognizedClientException');
    assert.deepEqual(ctx.trace.at(-1), { stage: 'authenticate', decision: 'fail', detail: 'UnrecognizedClientException: The security token included in the request is invalid.' });
    assert.deepEqual(ctx.outcome, { stage: 'authenticate', decision: 'fail', reset: false });
    assert.equal(records.length, 1);
    assert.equal((records[0] as { errorCode?: string }).errorCode, 'UnrecognizedClientException');
  });

  it("a fault of cove's own is answered with the service's internal error", async () => {
    const { ctx } = await run([
      stage('execute', () => {
        throw new TypeError('a bug');
      }),
    ]);
    assert.equal(ctx.error?.statusCode, 500);
    assert.equal(ctx.error?.code, 'InternalServerError');
    assert.equal(ctx.outcome?.stage, 'execute');
  });

  it('a decision that ends the request sets the outcome from its last finding: the deciding stage, its code, reset or not', async () => {
    const { ctx } = await run([
      stage('route', () => ({ findings: [{ decision: 'deny', detail: 'no path', code: 'NO_ROUTE_TO_DESTINATION' }], end: { error: DESCRIBED_DYNAMODB.unreachableError('NO_ROUTE_TO_DESTINATION: no path'), reset: true } })),
      stage('execute', () => proceed('never')),
    ]);
    assert.deepEqual(ctx.outcome, { stage: 'route', decision: 'deny', code: 'NO_ROUTE_TO_DESTINATION', reset: true });
    assert.deepEqual(
      ctx.trace.map((t) => t.stage),
      ['route'],
    );
  });
});

describe('service registry', () => {
  const services = new ServiceRegistry([DESCRIBED_DYNAMODB]);
  const raw = { method: 'POST', url: '/', rawHeaders: [], body: Buffer.alloc(0) };

  it("dispatches a request to the service whose protocol recognizes it, with the operation it names", () => {
    const dispatch = services.dispatch({ raw, target: 'DynamoDB_20120810.GetItem' });
    assert.equal(dispatch.service, DESCRIBED_DYNAMODB);
    assert.equal(dispatch.operationName, 'GetItem');
  });

  it('sends a request no protocol recognizes to the default service, naming no operation', () => {
    for (const target of [undefined, 'DynamoDB_20120810', 'DynamoDBStreams_20120810.ListStreams', 'dynamodb_20120810.GetItem']) {
      const dispatch = services.dispatch({ raw, target });
      assert.equal(dispatch.service, DESCRIBED_DYNAMODB);
      assert.equal(dispatch.operationName, undefined, String(target));
    }
  });

  it("takes bodies up to the largest any service takes", () => {
    assert.equal(services.maxRequestBytes, 16 * 1024 * 1024);
  });
});
