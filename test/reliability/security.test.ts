/**
 * Security probe (issue 12), looped and randomized: replay inside and outside the 15-minute
 * window, clock skew both ways, every single-byte flip of a signed request, key-ID/secret
 * mismatches, and lookalike or differently cased table names against a policy that allows one
 * exact table. test/auth and test/policy hold the single cases; this is their looped form.
 * Counted: requests, leaks (a request answered 200 that should have been refused), 5xx, crashes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';
import { reportFigures, scaled } from '../support/reliability.js';
import { signedHeaders } from '../support/signed.js';

const ACCOUNT = '123456789012';
const ADMIN = { id: 'AKIASECADMIN0000001', secret: 'admin-secret-0123456789' };
const ALICE = { id: 'AKIASECALICE0000001', secret: 'alice-secret-0123456789' };
const BOB = { id: 'AKIASECBOB000000001', secret: 'bob-secret-0123456789' };
const ALLOWED_TABLE = 'Orders';
const SEED = 20260112;

const CONFIG = `
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: admin
      accessKeys: [{ id: ${ADMIN.id}, secret: ${ADMIN.secret} }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "*" }] } }]
    - name: alice
      accessKeys: [{ id: ${ALICE.id}, secret: ${ALICE.secret} }]
      policies: [{ name: one-table, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${ALLOWED_TABLE}" }] } }]
    - name: bob
      accessKeys: [{ id: ${BOB.id}, secret: ${BOB.secret} }]
      policies: []
`;

interface Answer {
  status: number;
  type: string;
  message: string;
}

const figures = { requests: 0, leaks: 0, fiveXX: 0, crashes: 0 };

async function send(cove: CoveProcess, headers: Record<string, string>, body: string): Promise<Answer> {
  figures.requests++;
  const response = await fetch(cove.endpoint, { method: 'POST', headers, body });
  const text = await response.text();
  if (response.status >= 500) figures.fiveXX++;
  // DynamoDB answers a request that is not a JSON POST with a bare `<UnknownOperationException/>`.
  const bare = /^<(\w+)\/>\n$/.exec(text);
  if (bare) return { status: response.status, type: bare[1], message: '' };
  const parsed = (text ? JSON.parse(text) : {}) as { __type?: string; message?: string; Message?: string };
  return { status: response.status, type: parsed.__type?.split('#').pop() ?? '', message: parsed.message ?? parsed.Message ?? '' };
}

async function signed(cove: CoveProcess, key: { id: string; secret: string }, target: string, body: object, signingDate?: Date): Promise<{ headers: Record<string, string>; body: string }> {
  const text = JSON.stringify(body);
  const headers = await signedHeaders({ endpoint: cove.endpoint, target: `DynamoDB_20120810.${target}`, body: text, accessKeyId: key.id, secretAccessKey: key.secret, signingDate });
  return { headers, body: text };
}

const getItem = (table: string) => ({ TableName: table, Key: { id: { S: 'k' } } });

/** A refusal is never a success; counts the success as a leak before the assertion fails. */
function refused(answer: Answer, type: string, what: string): void {
  if (answer.status === 200) figures.leaks++;
  assert.equal(answer.type, type, `${what}: ${answer.status} ${answer.type} ${answer.message}`);
  assert.equal(answer.status, 400, what);
}

describe('security probe', () => {
  let cove: CoveProcess;
  let work: string;

  before(async () => {
    work = tempDirectory('cove-security-');
    cove = await startCove({ config: CONFIG, dataDirectory: work });
    const admin = cove.client(ADMIN.id, ADMIN.secret);
    for (const name of [ALLOWED_TABLE, 'orders', 'ORDERS', 'Order', 'Orders0', 'Orders.', 'Orders-', 'Orders_']) {
      await admin.send(new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    }
  });

  after(async () => {
    try {
      process.kill(cove.pid, 0);
    } catch {
      figures.crashes++;
    }
    reportFigures('security', figures);
    await cove.stop();
    removeDirectory(work);
  });

  it('accepts a replayed signed request within the 15-minute window, as AWS does', async () => {
    const request = await signed(cove, ALICE, 'GetItem', getItem(ALLOWED_TABLE));
    for (let i = 0; i < scaled(10, 200); i++) {
      const answer = await send(cove, request.headers, request.body);
      assert.equal(answer.status, 200, `replay ${i}: ${answer.type} ${answer.message}`);
    }
  });

  it('refuses a request signed outside the window with AWS text, and accepts skew inside it, both ways', async () => {
    const minuteMs = 60_000;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -60 * 24, max: 60 * 24 }), fc.integer({ min: 0, max: 59 }), async (minutes, seconds) => {
        // Keep a minute clear of each edge, so that the time the request takes never decides.
        if (Math.abs(minutes) >= 4 && Math.abs(minutes) < 6) return;
        const skewMs = Math.sign(minutes || 1) * (Math.abs(minutes) * minuteMs + (Math.abs(minutes) < 4 ? 0 : seconds * 1000));
        const request = await signed(cove, ALICE, 'GetItem', getItem(ALLOWED_TABLE), new Date(Date.now() + skewMs));
        const answer = await send(cove, request.headers, request.body);
        if (Math.abs(minutes) < 4) {
          assert.equal(answer.status, 200, `skew ${skewMs} ms accepted: ${answer.message}`);
          return;
        }
        refused(answer, 'InvalidSignatureException', `skew ${skewMs} ms`);
        const pattern = skewMs < 0 ? /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/ : /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/;
        assert.match(answer.message, pattern);
      }),
      { seed: SEED, numRuns: scaled(40, 1000) },
    );
  });

  it('refuses every single-byte flip of a signed request: signed header values, body, signature', async () => {
    const request = await signed(cove, ALICE, 'PutItem', { TableName: ALLOWED_TABLE, Item: { id: { S: 'flip' }, n: { N: '1' } } });
    const flips: { headers: Record<string, string>; body: string; what: string }[] = [];
    const flip = (text: string, at: number) => text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 1) + text.slice(at + 1);
    for (let at = 0; at < request.body.length; at++) flips.push({ headers: request.headers, body: flip(request.body, at), what: `body byte ${at}` });
    const signedNames = /SignedHeaders=([^,]+)/.exec(request.headers.authorization)![1].split(';');
    for (const name of Object.keys(request.headers)) {
      if (!signedNames.includes(name.toLowerCase()) || name.toLowerCase() === 'host') continue;
      const value = request.headers[name];
      for (let at = 0; at < value.length; at++) flips.push({ headers: { ...request.headers, [name]: flip(value, at) }, body: request.body, what: `${name} byte ${at}` });
    }
    const authorization = request.headers.authorization;
    const signatureAt = authorization.indexOf('Signature=') + 'Signature='.length;
    for (let at = signatureAt; at < authorization.length; at++) flips.push({ headers: { ...request.headers, authorization: flip(authorization, at) }, body: request.body, what: `signature byte ${at - signatureAt}` });
    const others = new Map<string, string[]>();
    for (const tampered of flips) {
      const answer = await send(cove, tampered.headers, tampered.body);
      if (answer.status === 200) figures.leaks++;
      assert.notEqual(answer.status, 200, `${tampered.what} accepted`);
      assert.ok(answer.status < 500, `${tampered.what}: ${answer.status}`);
      if (answer.type !== 'InvalidSignatureException') others.set(answer.type, [...(others.get(answer.type) ?? []), tampered.what]);
    }
    // Refused before the signature, in DynamoDB's order: a flip of the content type is no JSON
    // POST, of the body no JSON, of the target no operation, of the date no valid date.
    const before: Readonly<Record<string, RegExp>> = {
      UnknownOperationException: /^(content-type|x-amz-target) /i,
      SerializationException: /^body /,
    };
    for (const [type, what] of others) {
      const expected = Object.hasOwn(before, type) ? before[type] : /^x-amz-date /i;
      assert.ok(what.every((w) => expected.test(w)), `${type} for ${what.join(', ')}`);
    }
  });

  it('refuses a key ID with another user\'s secret, and an unknown key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(ALICE, BOB, ADMIN), fc.constantFrom(ALICE, BOB, ADMIN), fc.constantFrom('GetItem', 'PutItem', 'DeleteTable', 'ListTables'), async (key, secretOf, target) => {
        if (key === secretOf) return;
        const body = target === 'ListTables' ? {} : target === 'PutItem' ? { TableName: ALLOWED_TABLE, Item: { id: { S: 'x' } } } : getItem(ALLOWED_TABLE);
        const answer = await send(cove, ...Object.values(await signed(cove, { id: key.id, secret: secretOf.secret }, target, body)) as [Record<string, string>, string]);
        refused(answer, 'InvalidSignatureException', `key ${key.id} with ${secretOf.id}'s secret`);
      }),
      { seed: SEED, numRuns: scaled(20, 300) },
    );
    const unknown = await signed(cove, { id: 'AKIASECNOBODY000001', secret: ALICE.secret }, 'GetItem', getItem(ALLOWED_TABLE));
    refused(await send(cove, unknown.headers, unknown.body), 'UnrecognizedClientException', 'unknown key');
  });

  it('grants only the exact table name: other cases and lookalikes are denied, invalid names refused', async () => {
    const homoglyphs: Record<string, string[]> = { O: ['\u041e', '\u039f', '0', '\uff2f'], r: ['\u0433'], d: ['\u0501'], e: ['\u0435', '\u00e9'], s: ['\u0455', '$'] };
    const variant = fc
      .tuple(
        fc.array(fc.boolean(), { minLength: ALLOWED_TABLE.length, maxLength: ALLOWED_TABLE.length }),
        fc.option(fc.nat({ max: ALLOWED_TABLE.length - 1 })),
        fc.option(fc.constantFrom(' ', '  ', '\t', '\u200b', '\u00a0', '\u0301', '.', '-', '_', '0', '\u3000')),
        fc.nat({ max: ALLOWED_TABLE.length }),
      )
      .map(([upper, glyphAt, inserted, insertAt]) => {
        let name = [...ALLOWED_TABLE].map((c, i) => (upper[i] ? (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) : c)).join('');
        if (glyphAt !== null) {
          const choices = homoglyphs[ALLOWED_TABLE[glyphAt]];
          if (choices) name = name.slice(0, glyphAt) + choices[glyphAt % choices.length] + name.slice(glyphAt + 1);
        }
        if (inserted !== null) name = name.slice(0, insertAt) + inserted + name.slice(insertAt);
        return name;
      });
    let exact = 0;
    await fc.assert(
      fc.asyncProperty(variant, async (name) => {
        const request = await signed(cove, ALICE, 'GetItem', getItem(name));
        const answer = await send(cove, request.headers, request.body);
        if (name === ALLOWED_TABLE) {
          exact++;
          assert.equal(answer.status, 200);
          return;
        }
        if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(name)) {
          refused(answer, 'ValidationException', `invalid name ${JSON.stringify(name)}`);
          return;
        }
        refused(answer, 'AccessDeniedException', `lookalike ${JSON.stringify(name)}`);
        assert.ok(answer.message.includes(`table/${name} `), answer.message);
      }),
      { seed: SEED, numRuns: scaled(150, 3000) },
    );
    assert.ok(exact >= 0);
  });
});
