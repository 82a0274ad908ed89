/**
 * The digest chain and its validation: digests as CloudTrail's (fields, chain, signature), and
 * `validateTrail` reporting every kind of tampering `aws cloudtrail validate-logs` reports.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash, verify } from 'node:crypto';
import { buildRecord } from '../../src/audit/recordStage.js';
import { AuditWriter } from '../../src/audit/writer.js';
import { DigestProducer } from '../../src/audit/digestProducer.js';
import { ensureSigningKey, loadSigningKey } from '../../src/audit/signingKey.js';
import { dataToSign, sha256Hex, type DigestFile } from '../../src/audit/digest.js';
import { allLogObjects, listObjects, objectPath } from '../../src/audit/layout.js';
import { oldestDigestEndMs, validateTrail } from '../../src/audit/validate.js';
import { removeDirectory, tempDirectory } from '../support/cove.js';
import { testContext } from '../support/context.js';
import { trailIn } from '../support/audit.js';

const PERIOD_MS = 1000;

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 1000 && !condition(); attempt++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), what);
}

function readDigest(directory: string, object: string): DigestFile {
  return JSON.parse(gunzipSync(fs.readFileSync(objectPath({ directory }, object))).toString('utf8')) as DigestFile;
}

/** A trail of a few log files over a few digest periods, one of them with no log file: made once, copied per test. */
async function makeTrail(directory: string): Promise<void> {
  const trail = trailIn(directory);
  ensureSigningKey(directory);
  const key = loadSigningKey(directory);
  const producer = new DigestProducer({ trail, periodMs: PERIOD_MS, key, budget: { retentionDays: 90, maxSizeBytes: 1 << 30 }, log: () => {} });
  await producer.start();
  const writer = new AuditWriter({ trail, deliveryIntervalMs: 300, deliveryRecords: 2 });
  const digests = () => listObjects(directory, 'AWSLogs/123456789012/CloudTrail-Digest/us-east-1');
  for (let i = 0; i < 6; i++) {
    writer.append(buildRecord(testContext({ requestId: `R${i}`, eventId: `E${i}`, operationName: 'GetItem', receivedAtMs: Date.now() }), { region: 'us-east-1', accountId: '123456789012' }));
    await new Promise((r) => setTimeout(r, 50));
  }
  await writer.close();
  const logFiles = allLogObjects(directory).length;
  await until(() => namedLogFiles(directory) === logFiles, 'every log file named by a digest');
  const named = digests().length;
  await until(() => digests().length > named && digests().length >= 3, 'a digest for a period without log files, and three at least');
  await producer.close();
}

function namedLogFiles(directory: string): number {
  return listObjects(directory, 'AWSLogs/123456789012/CloudTrail-Digest/us-east-1').reduce((sum, object) => sum + readDigest(directory, object).logFiles.length, 0);
}

function validate(directory: string) {
  const key = loadSigningKey(directory);
  return validateTrail(trailIn(directory), new Map([[key.fingerprint, key.publicKey]]), { startMs: 0, endMs: Date.now() + 60_000 });
}

describe('audit digests', () => {
  let original: string;
  const copies: string[] = [];
  before(async () => {
    original = tempDirectory('cove-digest-');
    await makeTrail(original);
  });
  after(() => {
    for (const copy of [original, ...copies]) removeDirectory(copy);
  });

  function copy(): { directory: string; digests: string[]; logs: string[] } {
    const directory = tempDirectory('cove-digest-copy-');
    copies.push(directory);
    fs.cpSync(original, directory, { recursive: true });
    return { directory, digests: listObjects(directory, 'AWSLogs/123456789012/CloudTrail-Digest/us-east-1'), logs: allLogObjects(directory) };
  }

  it('are CloudTrail digests: a chain from a first with null previous*, each log file named once with its SHA-256, signed', () => {
    const { directory, digests, logs } = copy();
    const key = loadSigningKey(directory);
    const contents = digests.map((object) => readDigest(directory, object));
    assert.match(digests[0], /^AWSLogs\/123456789012\/CloudTrail-Digest\/us-east-1\/\d{4}\/\d\d\/\d\d\/123456789012_CloudTrail-Digest_us-east-1_cove_us-east-1_\d{8}T\d{6}Z\.json\.gz$/);
    const first = contents[0];
    assert.equal(first.previousDigestSignature, null);
    assert.equal(first.previousDigestS3Object, null);
    assert.equal(first.previousDigestHashValue, null);
    assert.equal(first.digestSignatureAlgorithm, 'SHA256withRSA');
    assert.equal(first.digestPublicKeyFingerprint, createHash('md5').update(key.publicKeyDer).digest('hex'));
    assert.deepEqual(contents.flatMap((d) => d.logFiles.map((f) => f.s3Object)).sort(), [...logs].sort(), 'each log file in one digest');
    assert.ok(contents.some((d) => d.logFiles.length === 0 && d.oldestEventTime === null), 'an empty period has its digest');
    for (const [i, digest] of contents.entries()) {
      assert.equal(digest.digestS3Object, digests[i]);
      const bytes = gunzipSync(fs.readFileSync(objectPath({ directory }, digests[i])));
      const signature = fs.readFileSync(objectPath({ directory }, digests[i]) + '.sig', 'utf8');
      if (i > 0) {
        assert.equal(digest.previousDigestS3Object, digests[i - 1]);
        assert.equal(digest.digestStartTime, contents[i - 1].digestEndTime);
        assert.equal(digest.previousDigestHashValue, sha256Hex(gunzipSync(fs.readFileSync(objectPath({ directory }, digests[i - 1])))));
        assert.equal(digest.previousDigestSignature, fs.readFileSync(objectPath({ directory }, digests[i - 1]) + '.sig', 'utf8'));
      }
      const signed = `${digest.digestEndTime}\ncove-audit/${digests[i]}\n${sha256Hex(bytes)}\n${digest.previousDigestSignature ?? 'null'}`;
      assert.equal(dataToSign(digest, sha256Hex(bytes)), signed);
      assert.match(signature, /^[0-9a-f]{512}$/, 'a hex RSA-2048 signature');
      assert.ok(verify('sha256', Buffer.from(signed), key.publicKey, Buffer.from(signature, 'hex')), 'RSASSA-PKCS1-v1_5 SHA-256 over the data to sign');
      for (const logFile of digest.logFiles) assert.equal(logFile.hashValue, sha256Hex(gunzipSync(fs.readFileSync(objectPath({ directory }, logFile.s3Object)))));
    }
    const report = validate(directory);
    assert.equal(report.ok, true, report.lines.join('\n'));
    assert.ok(report.lines.includes(`${digests.length}/${digests.length} digest files valid`), report.lines.join('\n'));
    assert.ok(report.lines.includes(`${logs.length}/${logs.length} log files valid`));
    assert.equal(report.lines.filter((line) => line.endsWith('\tvalid')).length, digests.length + logs.length);
  });

  it('reports a log file with one byte changed', () => {
    const { directory, logs } = copy();
    const path = objectPath({ directory }, logs[0]);
    const content = gunzipSync(fs.readFileSync(path));
    content[20] ^= 1;
    fs.writeFileSync(path, gzipSync(content));
    const report = validate(directory);
    assert.equal(report.ok, false);
    assert.ok(report.lines.includes(`Log file\ts3://cove-audit/${logs[0]}\tINVALID: hash value doesn't match`), report.lines.join('\n'));
    assert.ok(report.lines.includes(`${logs.length - 1}/${logs.length} log files valid, 1/${logs.length} log files INVALID`));
  });

  it('reports a byte flipped in a compressed log file', () => {
    const { directory, logs } = copy();
    const path = objectPath({ directory }, logs.at(-1)!);
    const bytes = fs.readFileSync(path);
    bytes[bytes.length - 12] ^= 0x40;
    fs.writeFileSync(path, bytes);
    const report = validate(directory);
    assert.equal(report.ok, false);
    assert.ok(report.lines.includes(`Log file\ts3://cove-audit/${logs.at(-1)}\tINVALID: hash value doesn't match`), report.lines.join('\n'));
  });

  it('reports a deleted log file as not found', () => {
    const { directory, logs } = copy();
    fs.rmSync(objectPath({ directory }, logs[1]));
    const report = validate(directory);
    assert.equal(report.ok, false);
    assert.ok(report.lines.includes(`Log file\ts3://cove-audit/${logs[1]}\tINVALID: not found`), report.lines.join('\n'));
  });

  it('reports a digest whose content was changed (signature) and one whose successor no longer matches it (hash)', () => {
    const { directory, digests } = copy();
    const path = objectPath({ directory }, digests[0]);
    const digest = readDigest(directory, digests[0]);
    digest.oldestEventTime = '2000-01-01T00:00:00Z';
    fs.writeFileSync(path, gzipSync(JSON.stringify(digest)));
    const report = validate(directory);
    assert.equal(report.ok, false);
    assert.ok(report.lines.includes(`Digest file\ts3://cove-audit/${digests[0]}\tINVALID: hash value doesn't match`), report.lines.join('\n'));
  });

  it('reports the newest digest with one byte flipped, and a replaced signature', () => {
    const { directory, digests } = copy();
    const newest = objectPath({ directory }, digests.at(-1)!);
    const content = gunzipSync(fs.readFileSync(newest));
    content[content.indexOf('digestStartTime') + 20] ^= 1;
    fs.writeFileSync(newest, gzipSync(content));
    const middle = objectPath({ directory }, digests[1]) + '.sig';
    fs.writeFileSync(middle, fs.readFileSync(objectPath({ directory }, digests[0]) + '.sig'));
    const report = validate(directory);
    assert.equal(report.ok, false);
    assert.ok(report.lines.includes(`Digest file\ts3://cove-audit/${digests.at(-1)}\tINVALID: signature verification failed`), report.lines.join('\n'));
  });

  it('reports digests put in each other\'s place', () => {
    const { directory, digests } = copy();
    const [a, b] = [objectPath({ directory }, digests[0]), objectPath({ directory }, digests[1])];
    for (const suffix of ['', '.sig']) {
      const first = fs.readFileSync(a + suffix);
      fs.writeFileSync(a + suffix, fs.readFileSync(b + suffix));
      fs.writeFileSync(b + suffix, first);
    }
    const report = validate(directory);
    assert.equal(report.ok, false);
    assert.ok(report.lines.some((line) => line.startsWith(`Digest file\ts3://cove-audit/${digests[1]}\tINVALID`)), report.lines.join('\n'));
  });

  it('starts, by default, at the oldest digest kept: digests deleted by retention are not a broken chain, unless an earlier start asks for them', () => {
    const { directory, digests } = copy();
    const gone = digests[0];
    fs.rmSync(objectPath({ directory }, gone));
    fs.rmSync(objectPath({ directory }, gone) + '.sig');
    const key = loadSigningKey(directory);
    const keys = new Map([[key.fingerprint, key.publicKey]]);
    const byDefault = validateTrail(trailIn(directory), keys, { startMs: oldestDigestEndMs(trailIn(directory))!, endMs: Date.now() + 60_000 });
    assert.equal(byDefault.ok, true, byDefault.lines.join('\n'));
    const fromTheBeginning = validateTrail(trailIn(directory), keys, { startMs: 0, endMs: Date.now() + 60_000 });
    assert.ok(fromTheBeginning.lines.includes(`Digest file\ts3://cove-audit/${gone}\tINVALID: not found`), fromTheBeginning.lines.join('\n'));
  });

  it('reports a deleted digest as not found and goes on from the next older one', () => {
    const { directory, digests } = copy();
    // Not the newest: nothing names it (as on AWS, whose chain starts at the newest digest found).
    const gone = digests.at(-2)!;
    fs.rmSync(objectPath({ directory }, gone));
    const report = validate(directory);
    assert.equal(report.ok, false);
    assert.ok(report.lines.includes(`Digest file\ts3://cove-audit/${gone}\tINVALID: not found`), report.lines.join('\n'));
    assert.ok(report.lines.includes(`Digest file\ts3://cove-audit/${digests[0]}\tvalid`), report.lines.join('\n'));
  });
});
