import type { IncomingMessage } from 'node:http';
import type { ByteBudget } from './byteBudget.js';
import { SERVER_LIMITS } from './limits.js';

/** How a body read ended: its bytes, over the service's limit (drained, not kept), or cut short on purpose. */
export type BodyOutcome = Buffer | 'tooLarge' | 'cut';

const EMPTY = Buffer.alloc(0);

/**
 * Reads one request's body within the process's byte budget (src/server/byteBudget.ts). A body
 * with a Content-Length takes its whole length from the budget before its first byte is read,
 * and waits, unread, until it fits; a chunked one takes a small share first and the rest of the
 * largest request once it outgrows it. The caller gives the bytes back (`release`) once the
 * request is answered: until then its bytes are referenced by the request being executed.
 */
export class BodyReader {
  private reservedBytes = 0;

  constructor(
    private readonly req: IncomingMessage,
    private readonly budget: ByteBudget,
  ) {}

  /**
   * The body, or `tooLarge` past `maxBytes`, or `cut` past `cutAfterBytes` (a request certain to
   * be refused whatever its body: the rest is drained, never buffered; a declared length past it
   * is not read at all, node:http discards it once the answer is sent). `beforeReading` runs once
   * the body has its share of the budget, before its first byte is read (a `100 Continue`).
   */
  async read(declaredBytes: number | undefined, maxBytes: number, cutAfterBytes: number | undefined, beforeReading?: () => void): Promise<BodyOutcome> {
    if (declaredBytes === undefined) {
      await this.reserve(Math.min(cutAfterBytes ?? SERVER_LIMITS.unauthenticatedBodyBytesMax, maxBytes));
      beforeReading?.();
      return this.collect(maxBytes, cutAfterBytes, maxBytes);
    }
    if (cutAfterBytes !== undefined && declaredBytes > cutAfterBytes) return 'cut';
    if (declaredBytes === 0) return EMPTY;
    await this.reserve(declaredBytes);
    beforeReading?.();
    return this.collectDeclared(declaredBytes);
  }

  /** Gives the budget back; call once the request is answered (or failed). */
  release(): void {
    if (this.reservedBytes > 0) this.budget.give(this.reservedBytes);
    this.reservedBytes = 0;
  }

  /** Takes `bytes` from the budget, waiting with the socket unread; rejects if the client goes away first. */
  private reserve(bytes: number): Promise<void> | void {
    if (this.budget.tryTake(bytes, bytes <= SERVER_LIMITS.unauthenticatedBodyBytesMax)) {
      this.reservedBytes += bytes;
      return;
    }
    return new Promise((resolve, reject) => {
      const { granted, cancel } = this.budget.take(bytes);
      let gone = false;
      const onClose = () => {
        gone = true;
        cancel();
        reject(new Error('the client went away while its body waited for the byte budget'));
      };
      this.req.once('close', onClose);
      void granted.then(() => {
        // Granted in the same turn as the close: nobody will release these bytes but us.
        if (gone) return this.budget.give(bytes);
        this.req.off('close', onClose);
        this.reservedBytes += bytes;
        resolve();
      });
    });
  }

  /**
   * A body of known length, copied into one buffer of that length as it arrives: never more than
   * its reserved size plus one chunk in memory (collecting chunks and concatenating them would
   * hold it twice). node:http has checked the framing: exactly `declaredBytes` arrive.
   */
  private collectDeclared(declaredBytes: number): Promise<Buffer> {
    const req = this.req;
    return new Promise((resolve, reject) => {
      // The usual small body comes in one chunk: kept as it is, nothing allocated.
      let whole: Buffer | undefined;
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        if (whole === undefined && chunk.length === declaredBytes) {
          whole = chunk;
          size = chunk.length;
          return;
        }
        whole ??= Buffer.allocUnsafe(declaredBytes);
        size += chunk.copy(whole, size);
      });
      req.on('end', () => resolve(whole === undefined ? EMPTY : size === whole.length ? whole : whole.subarray(0, size)));
      req.on('error', reject);
      req.on('close', () => this.closedMidBody(reject));
    });
  }

  /** Collects a chunked body; `growTo`: the reservation to take once the body outgrows the one it has. */
  private collect(maxBytes: number, cutAfterBytes: number | undefined, growTo: number): Promise<BodyOutcome> {
    const req = this.req;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          // Drained to its end as before, so that the 413 reaches a client still sending.
          tooLarge = true;
          chunks.length = 0;
          return;
        }
        if (cutAfterBytes !== undefined && size > cutAfterBytes) {
          req.off('data', onData);
          req.off('end', onEnd);
          req.resume(); // the rest flows to no listener: drained, not buffered
          return resolve('cut');
        }
        chunks.push(chunk);
        if (size > this.reservedBytes) this.grow(growTo, reject);
      };
      const onEnd = () => resolve(tooLarge ? 'tooLarge' : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', reject);
      // A client that goes away mid-body: nothing more will come, and its budget must come back.
      req.on('close', () => this.closedMidBody(reject));
    });
  }

  /**
   * Every request closes once answered: the Error (and its stack) is made only for one whose
   * client went away before the whole request arrived (node:http's `complete`).
   */
  private closedMidBody(reject: (error: Error) => void): void {
    if (!this.req.complete) reject(new Error('the client went away mid-body'));
  }

  /** A chunked body outgrew its first share: stop reading until the rest of the largest request fits. */
  private grow(toBytes: number, reject: (error: Error) => void): void {
    const more = toBytes - this.reservedBytes;
    if (more <= 0) return;
    this.req.pause();
    const pending = this.reserve(more);
    if (pending === undefined) return void this.req.resume();
    pending.then(() => this.req.resume(), reject);
  }
}
