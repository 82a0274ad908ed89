/**
 * Micro-benchmarks of cove's own code, run by run.ts in a child process:
 * `node dist/bench/micro.js SECONDS` prints one JSON line.
 *  - SigV4 verifications per second: src/auth/sigv4.ts parseAuthorization + verifySignature (what
 *    the authenticate stage runs) over a pool of distinct signed GetItem requests, as cove
 *    receives them (rawHeaders, body), derived key cached as in the server;
 *  - policy evaluations per second: src/policy/evaluate.ts over the benchmark user's compiled
 *    policies (policy.ts: 17 statements, 8 with conditions), for the actions the benchmark uses
 *    on its tables.
 */
import { parseAuthorization, verifySignature, type RawRequest } from '../src/auth/sigv4.js';
import { compilePolicy } from '../src/policy/document.js';
import { evaluateAuthorization } from '../src/policy/evaluate.js';
import { contextFromRecord } from '../src/policy/conditionContext.js';
import { principalFromArn } from '../src/policy/principals.js';
import { Signer } from './sign.js';
import { ACCESS_KEY_ID, ACCOUNT_ID, BENCH_CONTEXT, POLICIES, USER_NAME, REGION, SECRET_ACCESS_KEY, statementCount, tableArn } from './policy.js';
import { ITEMS_TABLE, itemId } from './workloads.js';

function timeLoop(seconds: number, step: (i: number) => void): number {
  // Warm-up, then count whole batches until the time is up.
  for (let i = 0; i < 2000; i++) step(i);
  const batch = 500;
  let done = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < batch; i++) step(done + i);
    done += batch;
  }
  return done / ((performance.now() - started) / 1000);
}

function sigv4PerSecond(seconds: number): number {
  const host = '127.0.0.1:8000';
  const signer = new Signer({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, region: REGION }, host);
  const requests: RawRequest[] = [];
  for (let i = 0; i < 1000; i++) {
    const body = Buffer.from(JSON.stringify({ TableName: ITEMS_TABLE, Key: { id: { S: itemId(i * 37) } } }));
    const headers = signer.sign('GetItem', body);
    const rawHeaders: string[] = [];
    // Node hands the server header names as the client wrote them.
    for (const [name, value] of Object.entries(headers)) rawHeaders.push(name === 'host' ? 'Host' : name, value);
    rawHeaders.push('Connection', 'keep-alive');
    requests.push({ method: 'POST', url: '/', rawHeaders, body });
  }
  const verify = (i: number) => {
    const request = requests[i % requests.length];
    const auth = parseAuthorization(request, { region: REGION, service: 'dynamodb', nowMs: Date.now() });
    verifySignature(request, auth, SECRET_ACCESS_KEY);
  };
  verify(0); // throws if the signer and the verifier disagree
  return timeLoop(seconds, verify);
}

function policyPerSecond(seconds: number): number {
  const policies = POLICIES.map((p) => compilePolicy(`user/bench#${p.name}`, p.document));
  const principal = principalFromArn(`arn:aws:iam::${ACCOUNT_ID}:user/${USER_NAME}`);
  const context = contextFromRecord(BENCH_CONTEXT);
  const targets = ['GetItem', 'PutItem', 'UpdateItem', 'Query', 'BatchWriteItem'].map((action) => ({ action: `dynamodb:${action}`, resource: tableArn(ITEMS_TABLE), principal, context }));
  for (const target of targets) {
    const decision = evaluateAuthorization({ identity: policies }, target);
    if (decision.result !== 'Allowed') throw new Error(`policy does not allow ${target.action}: ${decision.result}`);
  }
  return timeLoop(seconds, (i) => {
    evaluateAuthorization({ identity: policies }, targets[i % targets.length]);
  });
}

const seconds = Number(process.argv[2] ?? 2);
const result = {
  sigv4VerificationsPerSecond: sigv4PerSecond(seconds),
  policyEvaluationsPerSecond: policyPerSecond(seconds),
  policyStatements: statementCount(),
};
process.stdout.write(JSON.stringify(result) + '\n');
