/**
 * Reused buffers for the journal's lines. Each turn's lines are held from their serialization
 * until an fsync confirms them (up to a second for reads), to be written again should it fail.
 * A buffer of its own per turn meant tens of megabytes of new buffers a second, each living long
 * enough to reach V8's old generation, whose growth by external memory then started a full
 * garbage collection every fraction of a second (most of GetItem's p99; bench/README.md).
 * Lines go into slabs instead: a slab is filled turn after turn and reused once every turn
 * written into it is released.
 */

/** One slab: turns' lines one after another from the start. */
export interface Slab {
  readonly buffer: Buffer;
  /** Bytes handed out from the start. */
  used: number;
  /** Turns holding bytes of it, not released yet. */
  live: number;
}

export interface SlabLimits {
  slabBytes: number;
  /** Released slabs kept for reuse; beyond them, the garbage collector takes them back. */
  spareSlabsMax: number;
}

export const SLAB_LIMITS: SlabLimits = { slabBytes: 1024 * 1024, spareSlabsMax: 16 };

export class LineSlabs {
  private current: Slab | undefined;
  private readonly spare: Slab[] = [];

  constructor(private readonly limits: SlabLimits = SLAB_LIMITS) {}

  /**
   * `lines`, each followed by a newline, in one piece of a slab (of a buffer of their own when
   * they are larger than a slab: `slab` undefined). `byteLength` is their UTF-8 size, newlines included.
   */
  take(lines: readonly string[], byteLength: number): { bytes: Buffer; slab: Slab | undefined } {
    if (byteLength > this.limits.slabBytes) return { bytes: writeLines(Buffer.allocUnsafe(byteLength), 0, lines, byteLength), slab: undefined };
    let slab = this.current;
    if (slab === undefined || slab.buffer.length - slab.used < byteLength) {
      slab = this.spare.pop() ?? { buffer: Buffer.allocUnsafeSlow(this.limits.slabBytes), used: 0, live: 0 };
      this.current = slab;
    }
    const bytes = writeLines(slab.buffer, slab.used, lines, byteLength);
    slab.used += byteLength;
    slab.live++;
    return { bytes, slab };
  }

  /** The lines of one `take` are no longer needed. */
  release(slab: Slab | undefined): void {
    if (slab === undefined) return;
    if (slab.live <= 0) throw new Error('audit: a journal slab released more often than taken');
    if (--slab.live > 0) return;
    slab.used = 0;
    if (slab !== this.current && this.spare.length < this.limits.spareSlabsMax) this.spare.push(slab);
  }
}

function writeLines(buffer: Buffer, offset: number, lines: readonly string[], byteLength: number): Buffer {
  let at = offset;
  for (const line of lines) {
    at += buffer.write(line, at, 'utf8');
    buffer[at++] = 0x0a;
  }
  // A short write would put another turn's bytes in this one's lines.
  if (at - offset !== byteLength) throw new Error(`audit: ${at - offset} bytes of lines written where ${byteLength} were counted`);
  return buffer.subarray(offset, at);
}
