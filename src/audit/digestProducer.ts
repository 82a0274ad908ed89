/**
 * Produces the digest chain: every period (an hour by default) one signed digest naming each log
 * file delivered since the previous one, by any process, with the hex SHA-256 of its uncompressed
 * content; a period without log files still gets its digest (`logFiles: []`). Exactly one process
 * per data directory runs it (the one that runs the store's background work, as the TTL
 * sweeper). It also keeps the trail within its budget: files older than the retention are
 * deleted, and a warning is logged from 80% of the size budget.
 *
 * A log file belongs to the first digest produced after it was delivered (by its file time, the
 * rename into place); the files already named are found again at start from the digests
 * themselves, so none is named twice and none is skipped when a delivery straddles a period's end.
 */
import { promises as fsp } from 'node:fs';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { writeDurably } from './delivery.js';
import { DIGEST_SIGNATURE_ALGORITHM, HASH_ALGORITHM, SIGNATURE_SUFFIX, eventTimeRange, sha256Hex, signDigest, type DigestFile, type DigestLogFile } from './digest.js';
import { digestObject, isoSeconds, listObjects, objectPath, type TrailLocation } from './layout.js';
import type { DigestSigningKey } from './signingKey.js';
import { enforceBudget, type TrailBudget } from './retention.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Digests made in one go after a long stop: beyond it, one digest covers the rest of the gap. */
const MISSED_PERIODS_MAX = 1000;
const STATE_FILE = 'digest-state.json';

/** Where the chain stands: the end of the last digest, and what the next one must name of it. */
interface ChainState {
  lastEndMs: number;
  previous: { object: string; hashValue: string; signature: string } | null;
}

export interface DigestProducerOptions {
  trail: TrailLocation;
  periodMs: number;
  key: DigestSigningKey;
  budget: TrailBudget;
  log: (line: string) => void;
}

export class DigestProducer {
  private state: ChainState | undefined;
  /** Log files some digest names already. */
  private readonly named = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closing = false;
  private failing = false;

  constructor(private readonly options: DigestProducerOptions) {}

  async start(): Promise<void> {
    this.state = await this.loadState();
    for (const object of listObjects(this.options.trail.directory, this.digestPrefix())) {
      try {
        const digest = JSON.parse((await gunzipAsync(await fsp.readFile(objectPath(this.options.trail, object)))).toString('utf8')) as DigestFile;
        // A digest written after the state's last end (a crash between the two) is made again.
        if (Date.parse(digest.digestEndTime) > this.state.lastEndMs) continue;
        for (const logFile of digest.logFiles) this.named.add(logFile.s3Object);
      } catch {
        // A digest that does not read names nothing here; `cove audit validate` reports it.
      }
    }
    this.schedule();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private digestPrefix(): string {
    const { accountId, region } = this.options.trail;
    return `AWSLogs/${accountId}/CloudTrail-Digest/${region}`;
  }

  private schedule(): void {
    if (this.closing) return;
    const dueInMs = this.state!.lastEndMs + this.options.periodMs - Date.now();
    this.timer = setTimeout(() => {
      this.running = this.produceDue()
        .then(() => this.reported(undefined))
        .catch((error: unknown) => this.reported(error))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, Math.max(0, Math.min(dueInMs, 60_000)));
    this.timer.unref();
  }

  /** A failure is logged once until a digest succeeds again; the period is tried again. */
  private reported(error: unknown): void {
    if (error !== undefined && !this.failing) this.log(`cove: audit: cannot write a digest (${String(error)}); trying again`);
    if (error === undefined && this.failing) this.log('cove: audit: digests are written again');
    this.failing = error !== undefined;
  }

  private log(line: string): void {
    this.options.log(line);
  }

  /** Every digest whose period has ended, in order; then the budget. */
  private async produceDue(): Promise<void> {
    const state = this.state!;
    const periodMs = this.options.periodMs;
    if (Date.now() < state.lastEndMs + periodMs) return;
    const missed = Math.floor((Date.now() - state.lastEndMs) / periodMs);
    if (missed > MISSED_PERIODS_MAX) await this.produce(Math.floor(Date.now() / 1000) * 1000);
    while (!this.closing && Date.now() >= this.state!.lastEndMs + periodMs) await this.produce(this.state!.lastEndMs + periodMs);
    await enforceBudget(this.options.trail, this.options.budget, this.log.bind(this));
  }

  private async produce(endMs: number): Promise<void> {
    const { trail, key } = this.options;
    const state = this.state!;
    const logFiles = await this.deliveredBefore(endMs);
    const object = digestObject(trail, endMs);
    const times = logFiles.flatMap((file) => [file.oldestEventTime, file.newestEventTime]).filter((time): time is string => time !== null).sort();
    const digest: DigestFile = {
      awsAccountId: trail.accountId,
      digestStartTime: isoSeconds(state.lastEndMs),
      digestEndTime: isoSeconds(endMs),
      digestS3Bucket: trail.bucket,
      digestS3Object: object,
      digestPublicKeyFingerprint: key.fingerprint,
      digestSignatureAlgorithm: DIGEST_SIGNATURE_ALGORITHM,
      newestEventTime: times.at(-1) ?? null,
      oldestEventTime: times[0] ?? null,
      previousDigestS3Bucket: state.previous ? trail.bucket : null,
      previousDigestS3Object: state.previous?.object ?? null,
      previousDigestHashValue: state.previous?.hashValue ?? null,
      previousDigestHashAlgorithm: state.previous ? HASH_ALGORITHM : null,
      previousDigestSignature: state.previous?.signature ?? null,
      logFiles,
    };
    const bytes = Buffer.from(JSON.stringify(digest), 'utf8');
    const hashValue = sha256Hex(bytes);
    const signature = signDigest(digest, hashValue, key.privateKey);
    // The signature first: a digest is never in place without it.
    await writeDurably(objectPath(trail, object) + SIGNATURE_SUFFIX, Buffer.from(signature));
    await writeDurably(objectPath(trail, object), await gzipAsync(bytes));
    this.state = { lastEndMs: endMs, previous: { object, hashValue, signature } };
    await writeDurably(this.statePath(), Buffer.from(JSON.stringify(this.state)));
    for (const file of logFiles) this.named.add(file.s3Object);
  }

  /** The log files delivered before `endMs` that no digest names yet, hashed. */
  private async deliveredBefore(endMs: number): Promise<DigestLogFile[]> {
    const { trail } = this.options;
    const files: DigestLogFile[] = [];
    for (const object of listObjects(trail.directory, `AWSLogs/${trail.accountId}/CloudTrail/${trail.region}`)) {
      if (this.named.has(object)) continue;
      const path = objectPath(trail, object);
      const stat = await fsp.stat(path).catch(() => undefined);
      if (stat === undefined || stat.mtimeMs >= endMs) continue;
      const content = await gunzipAsync(await fsp.readFile(path));
      const { oldest, newest } = eventTimeRange(content.toString('utf8'));
      files.push({ s3Bucket: trail.bucket, s3Object: object, hashValue: sha256Hex(content), hashAlgorithm: HASH_ALGORITHM, newestEventTime: newest, oldestEventTime: oldest });
    }
    return files;
  }

  private statePath(): string {
    return objectPath(this.options.trail, STATE_FILE);
  }

  /** The chain's state, or a new chain starting now (its first digest's previous* are null). */
  private async loadState(): Promise<ChainState> {
    try {
      return JSON.parse(await fsp.readFile(this.statePath(), 'utf8')) as ChainState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`cove: audit: the digest chain's state does not read (${String(error)}): a new chain starts`);
      return { lastEndMs: Math.floor(Date.now() / 1000) * 1000, previous: null };
    }
  }
}
