import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError, CORAL_NAMESPACE } from '../../src/errors.js';
import {
  checkAuthorization,
  readSigning,
  scopeRegion,
  type RawRequest,
  type ParsedAuthorization,
  type ScopeExpectation,
  parseAuthorization,
  verifySignature,
  canonicalRequest,
  stringToSign,
  signingKey,
  signature,
  sha256Hex,
  canonicalUri,
  canonicalQueryString,
  canonicalHeaders,
  credentialScope,
  clearSigningKeyCache,
  signingKeyCacheSize,
  hasPresignedQuery,
  formatAmzDate,
  parseAmzDate,
} from '../../src/auth/sigv4.js';

const SUITE = new URL('../../../test/fixtures/sigv4-test-suite/', import.meta.url);
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

interface Context {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  normalize: boolean;
  region: string;
  service: string;
  sign_body: boolean;
  timestamp: string;
  omit_session_token?: boolean;
}

/** An HTTP/1.1 request as text → what Node would hand us (header values left untrimmed on purpose). */
function parseHttp(text: string): RawRequest {
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  const body = blank < 0 ? '' : text.slice(blank + 2);
  const lines = head.split('\n');
  const requestLine = lines[0];
  const sp = requestLine.indexOf(' ');
  const method = requestLine.slice(0, sp);
  const url = requestLine.slice(sp + 1, requestLine.lastIndexOf(' HTTP/'));
  const rawHeaders: string[] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') {
      rawHeaders[rawHeaders.length - 1] += '\n' + line; // obs-fold, kept raw: folding is the verifier's job
      continue;
    }
    const colon = line.indexOf(':');
    rawHeaders.push(line.slice(0, colon), line.slice(colon + 1));
  }
  return { method, url, rawHeaders, body: Buffer.from(body, 'utf8') };
}

interface Vector {
  name: string;
  ctx: Context;
  req: RawRequest;
  canonical: string;
  sts: string;
  sig: string;
  nowMs: number;
}

function loadVectors(): Vector[] {
  const out: Vector[] = [];
  for (const name of readdirSync(SUITE).sort()) {
    const dir = new URL(name + '/', SUITE);
    if (!existsSync(new URL('header-signed-request.txt', dir))) continue;
    const read = (f: string) => readFileSync(new URL(f, dir), 'utf8');
    const ctx = JSON.parse(read('context.json')) as Context;
    out.push({
      name,
      ctx,
      req: parseHttp(read('header-signed-request.txt')),
      canonical: read('header-canonical-request.txt'),
      sts: read('header-string-to-sign.txt'),
      sig: read('header-signature.txt').trim(),
      nowMs: Date.parse(ctx.timestamp),
    });
  }
  return out;
}

const vectors = loadVectors();

function expectFor(v: Vector): ScopeExpectation {
  return { region: v.ctx.region, service: v.ctx.service, nowMs: v.nowMs };
}

function assertAwsError(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, `expected AwsError, got ${String(e)}`);
    assert.equal(e.namespace, CORAL_NAMESPACE);
    assert.equal(e.code, code);
    assert.equal(e.statusCode, 400);
    assert.equal(e.messageKey, 'message');
    assert.equal(e.message, message);
    return true;
  });
}

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret ' +
  'Access Key and signing method. Consult the service documentation for details.';

function withHeader(req: RawRequest, name: string, value: string | undefined): RawRequest {
  const raw: string[] = [];
  let done = false;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === name.toLowerCase()) {
      if (!done && value !== undefined) raw.push(req.rawHeaders[i], value);
      done = true;
    } else {
      raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
    }
  }
  if (!done && value !== undefined) raw.push(name, value);
  return { ...req, rawHeaders: raw };
}

describe('official SigV4 suite, header form', () => {
  test('the suite is present', () => {
    assert.ok(vectors.length >= 38, `only ${vectors.length} vectors`);
  });

  for (const v of vectors) {
    test(v.name, () => {
      const auth = parseAuthorization(v.req, expectFor(v));
      assert.equal(auth.accessKeyId, v.ctx.credentials.access_key_id);
      assert.equal(auth.dateStamp, '20150830');
      assert.equal(auth.region, v.ctx.region);
      assert.equal(auth.service, v.ctx.service);
      assert.equal(auth.amzDate, '20150830T123600Z');
      assert.equal(auth.algorithm, 'AWS4-HMAC-SHA256');
      assert.equal(auth.credentialScope, '20150830/us-east-1/service/aws4_request');
      assert.equal(auth.requestTimeMs, v.nowMs);
      assert.equal(auth.sessionToken, v.ctx.credentials.token);

      const opts = { normalizePath: v.ctx.normalize };
      const cr = canonicalRequest(v.req, auth.signedHeaders, sha256Hex(v.req.body), opts);
      assert.equal(cr, v.canonical, 'canonical request');
      const sts = stringToSign(auth.amzDate, auth.credentialScope, cr);
      assert.equal(sts, v.sts, 'string to sign');
      const sig = signature(signingKey(SECRET, auth.dateStamp, auth.region, auth.service), sts);
      assert.equal(sig, v.sig, 'signature');
      assert.equal(auth.signature, v.sig);

      verifySignature(v.req, auth, SECRET, opts);
    });

    test(`${v.name}: any change to a signed byte is rejected`, () => {
      const expect = expectFor(v);
      const opts = { normalizePath: v.ctx.normalize };
      const rejects = (req: RawRequest, why: string, secret = SECRET) => {
        const auth = parseAuthorization(req, expect);
        assertAwsError(() => verifySignature(req, auth, secret, opts), 'InvalidSignatureException', MISMATCH);
        void why;
      };
      rejects(v.req, 'wrong secret', SECRET.slice(0, -1) + 'X');
      rejects({ ...v.req, method: v.req.method === 'GET' ? 'POST' : 'GET' }, 'method');
      const q = v.req.url.indexOf('?');
      const path = q < 0 ? v.req.url : v.req.url.slice(0, q);
      rejects({ ...v.req, url: path + 'x' + v.req.url.slice(path.length) }, 'path');
      rejects({ ...v.req, url: v.req.url + (q < 0 ? '?' : '&') + 'extra=1' }, 'query');
      rejects({ ...v.req, body: Buffer.concat([v.req.body, Buffer.from('x')]) }, 'body');
      // Every signed header, value changed.
      const auth = parseAuthorization(v.req, expect);
      for (const name of auth.signedHeaders) {
        if (name === 'x-amz-date') {
          const req = withHeader(v.req, 'X-Amz-Date', '20150830T123601Z');
          rejects(req, 'date');
          continue;
        }
        const idx = v.req.rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === name);
        const raw = v.req.rawHeaders.slice();
        raw[idx + 1] = raw[idx + 1] + 'x';
        rejects({ ...v.req, rawHeaders: raw }, name);
      }
      // Signature itself.
      const flipped = v.sig.slice(0, -1) + (v.sig.endsWith('0') ? '1' : '0');
      const authHeader = v.req.rawHeaders[v.req.rawHeaders.findIndex((h) => h === 'Authorization') + 1];
      rejects(withHeader(v.req, 'Authorization', authHeader.replace(v.sig, flipped)), 'signature');
      // An unsigned header may change freely.
      const extra = { ...v.req, rawHeaders: [...v.req.rawHeaders, 'X-Unsigned', 'anything'] };
      verifySignature(extra, parseAuthorization(extra, expect), SECRET, opts);
    });
  }
});

describe('a hand-computed case (IAM ListUsers, the AWS documentation example)', () => {
  const req: RawRequest = {
    method: 'GET',
    url: '/?Action=ListUsers&Version=2010-05-08',
    rawHeaders: [
      'Host', 'iam.amazonaws.com',
      'Content-Type', 'application/x-www-form-urlencoded; charset=utf-8',
      'X-Amz-Date', '20150830T123600Z',
      'Authorization',
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-date, ' +
        'Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    ],
    body: Buffer.alloc(0),
  };
  test('signing key, canonical request, signature', () => {
    assert.equal(
      signingKey(SECRET, '20150830', 'us-east-1', 'iam').toString('hex'),
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    );
    const auth = parseAuthorization(req, { region: 'us-east-1', service: 'iam', nowMs: Date.parse('2015-08-30T12:36:00Z') });
    const cr = canonicalRequest(req, auth.signedHeaders, sha256Hex(req.body));
    assert.equal(
      cr,
      'GET\n/\nAction=ListUsers&Version=2010-05-08\n' +
        'content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n' +
        'x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n' +
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    assert.equal(
      stringToSign(auth.amzDate, credentialScope('20150830', 'us-east-1', 'iam'), cr),
      'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n' +
        'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59',
    );
    verifySignature(req, auth, SECRET);
  });
});

describe('requests signed by @aws-sdk/client-dynamodb, received by a real Node server', () => {
  test('ListTables and PutItem (with a session token and a non-ASCII body) verify', async () => {
    const { DynamoDBClient, ListTablesCommand, PutItemCommand } = await import('@aws-sdk/client-dynamodb');
    const seen: RawRequest[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) });
        const target = String(req.headers['x-amz-target'] ?? '');
        const body = target.endsWith('ListTables') ? '{"TableNames":[]}' : '{}';
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const accessKeyId = 'AKIAIOSFODNN7EXAMPLE';
    const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const sessionToken = 'FwoGZXIvYXdzEXAMPLE//token+with/odd=chars';
    const client = new DynamoDBClient({
      region: 'eu-west-3',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId, secretAccessKey, sessionToken },
      maxAttempts: 1,
    });
    try {
      await client.send(new ListTablesCommand({ Limit: 5 }));
      await client.send(
        new PutItemCommand({ TableName: 'Tëst', Item: { pk: { S: 'ünïcödé 🚀  two  spaces' }, n: { N: '1' } } }),
      );
    } finally {
      client.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
    assert.equal(seen.length, 2);
    for (const req of seen) {
      const auth = parseAuthorization(req, { region: 'eu-west-3', service: 'dynamodb', nowMs: Date.now() });
      assert.equal(auth.accessKeyId, accessKeyId);
      assert.equal(auth.sessionToken, sessionToken);
      assert.ok(auth.signedHeaders.includes('host'));
      verifySignature(req, auth, secretAccessKey);
      assertAwsError(() => verifySignature(req, auth, secretAccessKey + 'x'), 'InvalidSignatureException', MISMATCH);
      const tampered = { ...req, body: Buffer.from(req.body.toString('utf8').replace('5', '6').replace('1', '2')) };
      assertAwsError(() => verifySignature(tampered, auth, secretAccessKey), 'InvalidSignatureException', MISMATCH);
    }
  });
});

describe('canonicalization details', () => {
  test('paths are encoded once more (double encoding) and normalized', () => {
    assert.equal(canonicalUri('/example%20space/'), '/example%2520space/');
    assert.equal(canonicalUri('/a b/ሴ'), '/a%20b/%E1%88%B4');
    assert.equal(canonicalUri(''), '/');
    assert.equal(canonicalUri('//a/./b/../c//'), '/a/c/');
    assert.equal(canonicalUri('/a/b/..'), '/a');
    assert.equal(canonicalUri('/..'), '/');
    assert.equal(canonicalUri('//a//', false), '//a//');
    assert.equal(canonicalUri('/%2E%2E/x'), '/%252E%252E/x');
    assert.equal(canonicalUri('/a:b@c!$'), '/a%3Ab%40c%21%24');
  });

  test('query: decoded, strictly re-encoded, sorted by key then value', () => {
    assert.equal(canonicalQueryString(''), '');
    assert.equal(canonicalQueryString('b=2&a=2&a=1&c'), 'a=1&a=2&b=2&c=');
    assert.equal(canonicalQueryString('k=%7e%2f%41&sp=a%20b&plus=a+b'), 'k=~%2FA&plus=a%2Bb&sp=a%20b');
    assert.equal(canonicalQueryString('x=a b&&y=%zz'), 'x=a%20b&y=%25zz');
    assert.equal(canonicalQueryString('B=1&a=1&_=1'), 'B=1&_=1&a=1');
    assert.equal(canonicalQueryString('ሴ=1'), '%E1%88%B4=1');
    assert.equal(
      canonicalQueryString('X-Amz-Signature=abc&X-Amz-Date=1', 'X-Amz-Signature'),
      'X-Amz-Date=1',
    );
  });

  test('headers: raw list, lower-cased, trimmed, folded, repeats joined with "," in order', () => {
    const raw = ['Host', 'h', 'My-H', '  b   c  ', 'my-h', 'a\t\tz', 'MY-H', '', 'Other', 'x'];
    assert.equal(canonicalHeaders(raw, ['host', 'my-h']), 'host:h\nmy-h:b c,a z,\n');
    assert.equal(canonicalHeaders(raw, ['absent', 'host']), 'host:h\n');
  });

  test('signed header names are lower-cased, de-duplicated and sorted', () => {
    const v = vectors.find((x) => x.name === 'get-vanilla')!;
    const auth0 = parseAuthorization(v.req, expectFor(v));
    const hdr = v.req.rawHeaders[v.req.rawHeaders.indexOf('Authorization') + 1];
    const req = withHeader(v.req, 'Authorization', hdr.replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=X-Amz-Date;Host;host'));
    const auth = parseAuthorization(req, expectFor(v));
    assert.deepEqual(auth.signedHeaders, ['host', 'x-amz-date']);
    assert.deepEqual(auth0.signedHeaders, auth.signedHeaders);
    verifySignature(req, auth, SECRET);
  });

  test('dates', () => {
    assert.equal(parseAmzDate('20150830T123600Z'), Date.parse('2015-08-30T12:36:00Z'));
    assert.ok(Number.isNaN(parseAmzDate('20151330T123600Z')));
    assert.ok(Number.isNaN(parseAmzDate('20150231T123600Z')));
    assert.equal(parseAmzDate('20240229T235959Z'), Date.parse('2024-02-29T23:59:59Z'));
    assert.ok(Number.isNaN(parseAmzDate('20230229T000000Z')));
    assert.ok(Number.isNaN(parseAmzDate('21000229T000000Z')));
    assert.ok(Number.isNaN(parseAmzDate('20150830T123660Z')));
    assert.ok(Number.isNaN(parseAmzDate('20150830T243600Z')));
    assert.ok(Number.isNaN(parseAmzDate('2015083OT123600Z')));
    assert.ok(Number.isNaN(parseAmzDate('20150830t123600z')));
    assert.ok(Number.isNaN(parseAmzDate('2015-08-30T12:36:00Z')));
    assert.equal(formatAmzDate(Date.parse('2024-01-01T00:05:00.999Z')), '20240101T000500Z');
  });

  test('presigned query detection', () => {
    assert.equal(hasPresignedQuery('/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab'), true);
    assert.equal(hasPresignedQuery('/'), false);
    assert.equal(hasPresignedQuery('/X-Amz-Signature=1'), false);
  });

  test('derived keys are cached, bounded', () => {
    clearSigningKeyCache();
    const a = signingKey('s', '20240101', 'r', 'svc');
    assert.equal(signingKey('s', '20240101', 'r', 'svc'), a);
    assert.notEqual(signingKey('s2', '20240101', 'r', 'svc'), a);
    for (let i = 0; i < 3000; i++) signingKey('s', String(20240000 + i), 'r', 'svc');
    assert.ok(signingKeyCacheSize() <= 1024, `cache grew to ${signingKeyCacheSize()}`);
    assert.deepEqual(signingKey('s', '20240101', 'r', 'svc'), a);
  });
});

describe('errors, exactly as DynamoDB words them', () => {
  const NOW = Date.parse('2024-01-01T00:10:00Z');
  const SCOPE: ScopeExpectation = { region: 'us-east-1', service: 'dynamodb', nowMs: NOW };
  const CRED = 'AKIDEXAMPLE/20240101/us-east-1/dynamodb/aws4_request';
  const SIG = 'a'.repeat(64);

  function req(authorization: string | undefined, headers: Record<string, string> = { 'X-Amz-Date': '20240101T001000Z' }): RawRequest {
    const raw = ['Host', 'dynamodb.us-east-1.amazonaws.com'];
    for (const [k, v] of Object.entries(headers)) raw.push(k, v);
    if (authorization !== undefined) raw.push('Authorization', authorization);
    return { method: 'POST', url: '/', rawHeaders: raw, body: Buffer.from('{}') };
  }
  /** How cove echoes a header in its messages: as AWS does, but never with the signature's value. */
  const redacted = (header: string) => header.replace(/Signature=[^,\s]*/g, 'Signature=[redacted]');
  const full = (cred = CRED, signed = 'host;x-amz-date', alg = 'AWS4-HMAC-SHA256') =>
    `${alg} Credential=${cred}, SignedHeaders=${signed}, Signature=${SIG}`;

  const parse = (r: RawRequest, e: ScopeExpectation = SCOPE): ParsedAuthorization => parseAuthorization(r, e);

  test('MissingAuthenticationTokenException', () => {
    const m = 'Request is missing Authentication Token';
    assertAwsError(() => parse(req(undefined)), 'MissingAuthenticationTokenException', m);
    assertAwsError(() => parse(req('')), 'MissingAuthenticationTokenException', m);
    assertAwsError(() => parse(req('AWS4')), 'MissingAuthenticationTokenException', m);
    assertAwsError(() => parse(req('Basic dXNlcjpwYXNz')), 'MissingAuthenticationTokenException', m);
    assertAwsError(() => parse(req('Bearer x', {})), 'MissingAuthenticationTokenException', m);
  });

  test('IncompleteSignatureException: missing parameters and date header', () => {
    assertAwsError(
      () => parse(req('AWS4-', {})),
      'IncompleteSignatureException',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of " +
        "either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-",
    );
    assertAwsError(
      () => parse(req('AWS4-HMAC-SHA256')),
      'IncompleteSignatureException',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256",
    );
    const noSig = `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;x-amz-date`;
    assertAwsError(
      () => parse(req(noSig)),
      'IncompleteSignatureException',
      `Authorization header requires 'Signature' parameter. Authorization=${noSig}`,
    );
    assertAwsError(
      () => parse(req(full(), {})),
      'IncompleteSignatureException',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + redacted(full()),
    );
    const emptyCred = `AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=${SIG}`;
    assertAwsError(
      () => parse(req(emptyCred)),
      'IncompleteSignatureException',
      `Authorization header requires 'Credential' parameter. Authorization=${redacted(emptyCred)}`,
    );
  });

  test('parameters may be separated by whitespace alone', () => {
    const auth = parse(req(`AWS4-HMAC-SHA256  Credential=${CRED}\tSignedHeaders=host;x-amz-date  Signature=${SIG} `));
    assert.equal(auth.accessKeyId, 'AKIDEXAMPLE');
    assert.deepEqual(auth.signedHeaders, ['host', 'x-amz-date']);
    assert.equal(auth.signature, SIG);
    const h = `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host Signature, Signature=${SIG}`;
    assertAwsError(
      () => parse(req(h)),
      'IncompleteSignatureException',
      `'Signature' not a valid key=value pair (missing equal-sign) in Authorization header: '${redacted(h)}'.`,
    );
  });

  test('IncompleteSignatureException: parameter without "="', () => {
    const h = 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders';
    assertAwsError(
      () => parse(req(h)),
      'IncompleteSignatureException',
      `'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: '${redacted(h)}'.`,
    );
  });

  test('IncompleteSignatureException: date not in ISO 8601 basic form; Date header accepted', () => {
    assertAwsError(
      () => parse(req(full(), { 'X-Amz-Date': '201' })),
      'IncompleteSignatureException',
      "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
    assertAwsError(
      () => parse(req(full(), { Date: 'Mon, 01 Jan 2024 00:10:00 GMT' })),
      'IncompleteSignatureException',
      "Date must be in ISO-8601 'basic format'. Got 'Mon, 01 Jan 2024 00:10:00 GMT'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
    assert.equal(parse(req(full(), { Date: '20240101T001000Z' })).amzDate, '20240101T001000Z');
    // X-Amz-Date wins over Date.
    assert.equal(parse(req(full(), { Date: 'garbage', 'X-Amz-Date': '20240101T000900Z' })).amzDate, '20240101T000900Z');
  });

  test('InvalidSignatureException: clock skew', () => {
    assertAwsError(
      () => parse(req(full(), { 'X-Amz-Date': '20240101T000000Z' })),
      'InvalidSignatureException',
      'Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z - 5 min.)',
    );
    assertAwsError(
      () => parse(req(full(), { 'X-Amz-Date': '20240101T001000Z' }), { ...SCOPE, nowMs: Date.parse('2024-01-01T00:00:00.700Z') }),
      'InvalidSignatureException',
      'Signature not yet current: 20240101T001000Z is still later than 20240101T000500Z (20240101T000000Z + 5 min.)',
    );
    // Exactly 5 minutes either way is accepted.
    parse(req(full(), { 'X-Amz-Date': '20240101T000500Z' }));
    parse(req(full(), { 'X-Amz-Date': '20240101T001500Z' }));
    assertAwsError(
      () => parse(req(full(), { 'X-Amz-Date': '20240101T000000Z' }), { ...SCOPE, maxSkewMs: 90_000 }),
      'InvalidSignatureException',
      'Signature expired: 20240101T000000Z is now earlier than 20240101T000830Z (20240101T001000Z - 90 sec.)',
    );
  });

  test("InvalidSignatureException: Host not signed", () => {
    assertAwsError(
      () => parse(req(full(CRED, 'x-amz-date'))),
      'InvalidSignatureException',
      "'Host' must be a 'SignedHeader' in the AWS Authorization.",
    );
    assertAwsError(
      () => parse(req(full(CRED, ''))),
      'InvalidSignatureException',
      "'Host' must be a 'SignedHeader' in the AWS Authorization.",
    );
    assert.deepEqual(parse(req(full(CRED, 'Host;X-Amz-Date'))).signedHeaders, ['host', 'x-amz-date']);
  });

  test('IncompleteSignatureException: unsupported algorithm', () => {
    assertAwsError(
      () => parse(req(full(CRED, 'host', 'AWS4-HMAC-SHA512'))),
      'IncompleteSignatureException',
      "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
    );
  });

  test('IncompleteSignatureException: credential shape', () => {
    assertAwsError(
      () => parse(req(full('AKIDEXAMPLE/20240101/us-east-1/dynamodb'))),
      'IncompleteSignatureException',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20240101/us-east-1/dynamodb'",
    );
    assertAwsError(
      () => parse(req(full('AKIDEXAMPLE'))),
      'IncompleteSignatureException',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE'",
    );
    assertAwsError(
      () => parse(req(full(CRED + '/extra'))),
      'IncompleteSignatureException',
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${CRED}/extra'`,
    );
    // Trailing slashes are ignored.
    assert.equal(parse(req(full(CRED + '//'))).credentialScope, '20240101/us-east-1/dynamodb/aws4_request');
  });

  test('InvalidSignatureException: credential scope', () => {
    assertAwsError(
      () => parse(req(full('AKIDEXAMPLE/20240101/eu-west-1/dynamodb/aws4_request'))),
      'InvalidSignatureException',
      "Credential should be scoped to a valid region, not 'eu-west-1'. ",
    );
    assertAwsError(
      () => parse(req(full('AKIDEXAMPLE/20240101/us-east-1/dynamo/aws4_request'))),
      'InvalidSignatureException',
      "Credential should be scoped to correct service: 'dynamodb'. ",
    );
    assertAwsError(
      () => parse(req(full('AKIDEXAMPLE/20240101/us-east-1/dynamodb/aws5_request'))),
      'InvalidSignatureException',
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
    );
    assertAwsError(
      () => parse(req(full('AKIDEXAMPLE/20231231/us-east-1/dynamodb/aws4_request'))),
      'InvalidSignatureException',
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20231231' != '20240101', from '20240101T001000Z'.",
    );
    assertAwsError(
      () => parse(req(full('AKIDEXAMPLE/b/c/d/e'))),
      'InvalidSignatureException',
      "Credential should be scoped to a valid region, not 'c'. Credential should be scoped to correct service: 'dynamodb'. " +
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. Date in Credential scope does not " +
        "match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20240101', from '20240101T001000Z'.",
    );
  });

  test('check order: missing token, header shape, date, skew, Host, algorithm, credential, scope', () => {
    // Bad key=value pair beats missing parameters.
    assertAwsError(() => parse(req('AWS4-HMAC-SHA256 Credential', {})), 'IncompleteSignatureException',
      "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential'.");
    // Skew beats Host, algorithm, credential and scope.
    assertAwsError(
      () => parse(req(full('x/y', 'date', 'AWS4-X'), { 'X-Amz-Date': '20240101T000000Z' })),
      'InvalidSignatureException',
      'Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z - 5 min.)',
    );
    // Host beats algorithm.
    assertAwsError(() => parse(req(full('x/y', 'date', 'AWS4-X'))), 'InvalidSignatureException',
      "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    // Algorithm beats credential shape.
    assertAwsError(() => parse(req(full('x/y', 'host', 'AWS4-X'))), 'IncompleteSignatureException',
      "Unsupported AWS 'algorithm': 'AWS4-X' (only AWS4-HMAC-SHA256 for now). ");
    // Credential shape beats scope.
    assertAwsError(() => parse(req(full('x/y'))), 'IncompleteSignatureException',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'x/y'");
  });

  test('InvalidSignatureException: bad signature, malformed signature, payload hash mismatch', () => {
    const secret = 'secret/secret/secret/secret/secret/secre';
    const base = req(undefined, { 'X-Amz-Date': '20240101T001000Z', 'Content-Type': 'application/x-amz-json-1.0' });
    const sign = (r: RawRequest, signed: string[]) => {
      const cr = canonicalRequest(r, signed, sha256Hex(r.body));
      const sts = stringToSign('20240101T001000Z', '20240101/us-east-1/dynamodb/aws4_request', cr);
      return signature(signingKey(secret, '20240101', 'us-east-1', 'dynamodb'), sts);
    };
    const good = sign(base, ['content-type', 'host', 'x-amz-date']);
    const mk = (sig: string, extra: string[] = []) => ({
      ...base,
      rawHeaders: [
        ...base.rawHeaders,
        ...extra,
        'Authorization',
        `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=content-type;host;x-amz-date, Signature=${sig}`,
      ],
    });
    const ok = mk(good);
    verifySignature(ok, parse(ok), secret);
    for (const sig of [good.toUpperCase(), good.slice(1), good + '0', 'zz' + good.slice(2), 'x']) {
      const r = mk(sig);
      assertAwsError(() => verifySignature(r, parse(r), secret), 'InvalidSignatureException', MISMATCH);
    }
    // X-Amz-Content-Sha256 present: must be the hash of the body actually received.
    const withHash = mk(good, ['X-Amz-Content-Sha256', sha256Hex(base.body)]);
    verifySignature(withHash, parse(withHash), secret); // unsigned, but matches the body
    const lying = mk(good, ['X-Amz-Content-Sha256', sha256Hex(Buffer.from('{"other":1}'))]);
    assertAwsError(() => verifySignature(lying, parse(lying), secret), 'InvalidSignatureException', MISMATCH);
    const unsignedPayload = mk(good, ['X-Amz-Content-Sha256', 'UNSIGNED-PAYLOAD']);
    assertAwsError(() => verifySignature(unsignedPayload, parse(unsignedPayload), secret), 'InvalidSignatureException', MISMATCH);
  });
});

describe('readSigning: the one reader of the SigV4 headers, before anything is checked', () => {
  const request = (authorization: string | undefined) => ({ method: 'POST', url: '/', rawHeaders: authorization === undefined ? ['Host', 'h'] : ['Host', 'h', 'Authorization', authorization], body: Buffer.alloc(0) });

  test('never throws, whatever the Authorization header holds; the checks throw later, in AWS order', () => {
    for (const header of [undefined, '', 'AWS4', 'AWS4-', 'Basic abc', 'AWS4-HMAC-SHA256 Credential', 'AWS4-HMAC-SHA256 Credential=,Signature', 'AWS4-HMAC-SHA256 ,,, \t']) {
      const fields = readSigning(request(header));
      assert.throws(() => checkAuthorization(fields, { region: 'us-east-1', service: 'dynamodb', nowMs: Date.now() }), AwsError, String(header));
    }
  });

  test("scopeRegion is the credential scope's region, for the route stage; none when the scope is not five parts", () => {
    const region = (header: string) => scopeRegion(readSigning(request(header)));
    assert.equal(region('AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00'), 'eu-west-1');
    assert.equal(region('AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/dynamodb/aws4_request, Credential=AKID/20150830/us-west-2/dynamodb/aws4_request'), 'us-west-2');
    assert.equal(region('AWS4-HMAC-SHA256 Credential=AKID/20150830'), undefined);
    assert.equal(region('AWS4-HMAC-SHA256 Credential=AKID/20150830//dynamodb/aws4_request'), undefined);
    assert.equal(region('Bearer Credential=AKID/20150830/eu-west-1/dynamodb/aws4_request'), undefined);
  });
});

describe('the Authorization header is never ambiguous, and never echoed with its signature', () => {
  const request = (authorization: string) => ({ method: 'POST', url: '/', rawHeaders: ['Host', 'h', 'X-Amz-Date', '20240101T000000Z', 'Authorization', authorization], body: Buffer.alloc(0) });
  const expect = { region: 'us-east-1', service: 'dynamodb', nowMs: Date.UTC(2024, 0, 1) };
  const CREDENTIAL = 'AKIDEXAMPLE/20240101/us-east-1/dynamodb/aws4_request';

  test('a Credential, SignedHeaders or Signature given twice is refused, whichever comes last', () => {
    for (const [name, header] of [
      ['Credential', `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, Credential=AKIDOTHER/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc`],
      ['SignedHeaders', `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host, SignedHeaders=host;x-amz-date, Signature=abc`],
      ['Signature', `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host, Signature=abc, Signature=def`],
    ]) {
      assert.throws(
        () => parseAuthorization(request(header), expect),
        (error: unknown) => error instanceof AwsError && error.code === 'IncompleteSignatureException' && error.message.startsWith(`Authorization header has more than one '${name}' parameter.`) && !/abc|def/.test(error.message),
        name,
      );
    }
  });

  test("an IncompleteSignatureException quotes the header without the signature's value", () => {
    const secretLooking = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
    const header = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, Signature=${secretLooking}`;
    assert.throws(
      () => parseAuthorization(request(header), expect),
      (error: unknown) => error instanceof AwsError && error.message.endsWith(`Authorization=AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, Signature=[redacted]`) && !error.message.includes(secretLooking),
    );
  });
});

describe('official SigV4 suite, query (presigned) form', () => {
  const queryVectors = readdirSync(SUITE)
    .sort()
    .filter((name) => existsSync(new URL(`${name}/query-signed-request.txt`, SUITE)))
    .map((name) => {
      const read = (f: string) => readFileSync(new URL(`${name}/${f}`, SUITE), 'utf8');
      const ctx = JSON.parse(read('context.json')) as Context & { expiration_in_seconds: number };
      return { name, ctx, req: parseHttp(read('query-signed-request.txt')), canonical: read('query-canonical-request.txt'), sig: read('query-signature.txt').trim(), nowMs: Date.parse(ctx.timestamp) };
    });

  test('the suite has query-form vectors', () => {
    assert.ok(queryVectors.length >= 30, `only ${queryVectors.length} query vectors`);
  });

  for (const v of queryVectors) {
    test(`${v.name} (query)`, () => {
      const fields = readSigning(v.req);
      assert.equal(fields.presigned, true);
      const auth = checkAuthorization(fields, { region: v.ctx.region, service: v.ctx.service, nowMs: v.nowMs });
      assert.equal(auth.signature, v.sig);
      // omit_session_token: the token rides along but was added after signing.
      assert.equal(auth.sessionToken, v.req.url.includes('X-Amz-Security-Token=') ? v.ctx.credentials.token : undefined);
      const opts = { normalizePath: v.ctx.normalize, excludeQueryParam: v.ctx.omit_session_token ? ['X-Amz-Signature', 'X-Amz-Security-Token'] : 'X-Amz-Signature' };
      assert.equal(canonicalRequest(v.req, auth.signedHeaders, sha256Hex(v.req.body), opts), v.canonical, 'canonical request');
      verifySignature(v.req, auth, SECRET, { normalizePath: v.ctx.normalize });
      // Changing the signature's own parameter, or any other, breaks it.
      const tampered = { ...v.req, url: v.req.url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`) };
      assertAwsError(() => verifySignature(tampered, checkAuthorization(readSigning(tampered), { region: v.ctx.region, service: v.ctx.service, nowMs: v.nowMs }), SECRET, { normalizePath: v.ctx.normalize }), 'InvalidSignatureException', MISMATCH);
    });
  }

  test('X-Amz-Expires bounds the request\'s life, up to seven days; the parameters must all be there', () => {
    const v = queryVectors.find((q) => q.name === 'get-vanilla')!;
    const expect = (nowMs: number) => ({ region: 'us-east-1', service: 'service', nowMs });
    checkAuthorization(readSigning(v.req), expect(v.nowMs + 3600_000));
    assertAwsError(() => checkAuthorization(readSigning(v.req), expect(v.nowMs + 3601_000)), 'InvalidSignatureException', 'Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T133601Z - 60 min.)');
    const week = { ...v.req, url: v.req.url.replace('X-Amz-Expires=3600', 'X-Amz-Expires=604801') };
    assertAwsError(() => checkAuthorization(readSigning(week), expect(v.nowMs)), 'IncompleteSignatureException', 'X-Amz-Expires must be less than a week (in seconds) that is 604800');
    const noDate = { ...v.req, url: v.req.url.replace(/&X-Amz-Date=[^&]*/, '') };
    assertAwsError(
      () => checkAuthorization(readSigning(noDate), expect(v.nowMs)),
      'IncompleteSignatureException',
      "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'. Re-examine the query-string parameters.",
    );
    const twice = { ...v.req, url: `${v.req.url}&X-Amz-Credential=other` };
    assertAwsError(() => checkAuthorization(readSigning(twice), expect(v.nowMs)), 'IncompleteSignatureException', "AWS query-string parameter 'X-Amz-Credential' is given more than once.");
  });
});
