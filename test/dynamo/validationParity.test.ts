/**
 * Validation parity: the same corpus of invalid requests (test/support/validationCorpus.ts) sent
 * as raw signed JSON to dynalite, whose validation texts were recorded from the live DynamoDB,
 * and to cove; each answer's error type (after '#') and message must be the same, except for the
 * cases in KNOWN_DIFFERENCES, where dynalite is older than DynamoDB or cove has better evidence.
 * Raw JSON, not the SDK: the SDK's own checks would refuse most of these before sending them.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { fullAccessConfig, removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { signedCall } from '../support/signed.js';
import { TABLES, validationCorpus, type ParityCase } from '../support/validationCorpus.js';
import { ACCEPTED_UNVERIFIED, KNOWN_DIFFERENCES } from './validationParity.allowlist.js';

const KEY_ID = 'AKIAPARITY000000001';
const SECRET = 'parity-secret';

interface Answer {
  status: number;
  /** The error's type without its namespace, or `OK` for a success. */
  type: string;
  message: string;
}

type DynaliteFactory = (options: Record<string, number>) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

async function send(endpoint: string, operation: string, body: unknown): Promise<Answer> {
  const reply = await signedCall({
    endpoint, target: `DynamoDB_20120810.${operation}`, body: JSON.stringify(body), accessKeyId: KEY_ID, secretAccessKey: SECRET,
  });
  if (reply.status === 200) return { status: 200, type: 'OK', message: '' };
  const parsed = JSON.parse(reply.body) as { __type?: string; message?: string; Message?: string };
  const type = String(parsed.__type ?? '');
  return { status: reply.status, type: type.slice(type.indexOf('#') + 1), message: String(parsed.message ?? parsed.Message ?? '') };
}

async function createTables(endpoint: string): Promise<void> {
  for (const table of TABLES) {
    const answer = await send(endpoint, 'CreateTable', table);
    assert.equal(answer.type, 'OK', `CreateTable ${String(table.TableName)}: ${answer.message}`);
  }
  // dynalite makes a table ACTIVE on a timer even with createTableMs 0: wait for it.
  for (const table of TABLES) {
    for (;;) {
      const reply = await signedCall({
        endpoint, target: 'DynamoDB_20120810.DescribeTable', body: JSON.stringify({ TableName: table.TableName }), accessKeyId: KEY_ID, secretAccessKey: SECRET,
      });
      if ((JSON.parse(reply.body) as { Table?: { TableStatus?: string } }).Table?.TableStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

const render = (a: Answer): string => `${a.type}: ${a.message}`;

interface Findings {
  /** Answers that differ, not listed in KNOWN_DIFFERENCES. */
  unexpected: string[];
  /** KNOWN_DIFFERENCES entries whose answers now agree. */
  stale: string[];
  /** Cases cove accepts though not in ACCEPTED_UNVERIFIED, or refuses though in it. */
  accepted: string[];
}

/** Files one case's pair of answers. COVE_PARITY_REPORT=1 prints every difference, listed or not. */
function judge(c: ParityCase, expected: Answer, actual: Answer, findings: Findings): void {
  // A case dynalite accepts is one where dynalite checks less than DynamoDB: cove must refuse it, and list it.
  if ((actual.type === 'OK') !== Object.hasOwn(ACCEPTED_UNVERIFIED, c.name)) findings.accepted.push(`${c.name}: cove ${render(actual)}`);
  const same = expected.type === actual.type && expected.message === actual.message;
  const known = Object.hasOwn(KNOWN_DIFFERENCES, c.name);
  const report = `${c.name}\n    dynalite: ${render(expected)}\n    cove:     ${render(actual)}`;
  if (!same && !known) findings.unexpected.push(report);
  if (same && known) findings.stale.push(c.name);
  if (process.env.COVE_PARITY_REPORT && !same) console.log(`${known ? 'KNOWN' : 'DIFF'} ${report}`);
}

describe('validation parity with dynalite (DynamoDB texts recorded from the live service)', () => {
  let cove: CoveProcess;
  let server: Server;
  let dynaliteEndpoint: string;
  const corpus: ParityCase[] = validationCorpus();

  before(async () => {
    cove = await startCove({ config: fullAccessConfig('parity', KEY_ID, SECRET) });
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dynaliteEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await createTables(cove.endpoint);
    await createTables(dynaliteEndpoint);
  });

  after(async () => {
    await cove?.stop();
    if (cove) removeDirectory(cove.dataDirectory);
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it(`answers each of the corpus's invalid requests as dynalite does, known differences aside`, async () => {
    assert.ok(corpus.length >= 200, `only ${corpus.length} cases`);
    const findings: Findings = { unexpected: [], stale: [], accepted: [] };
    for (const c of corpus) {
      const expected = await send(dynaliteEndpoint, c.operation, c.body);
      const actual = await send(cove.endpoint, c.operation, c.body);
      judge(c, expected, actual, findings);
    }
    assert.deepEqual(findings.accepted, [], 'invalid requests that cove accepts, or ACCEPTED_UNVERIFIED entries it now refuses');
    assert.deepEqual(findings.stale, [], 'cases in KNOWN_DIFFERENCES that now agree: remove them from the allowlist');
    assert.equal(findings.unexpected.length, 0, `${findings.unexpected.length} of ${corpus.length} cases differ:\n${findings.unexpected.join('\n')}`);
  });

  it('lists only corpus cases as known differences', () => {
    const names = new Set(corpus.map((c) => c.name));
    const listed = [...Object.keys(KNOWN_DIFFERENCES), ...Object.keys(ACCEPTED_UNVERIFIED)];
    assert.deepEqual(listed.filter((name) => !names.has(name)), []);
  });
});
