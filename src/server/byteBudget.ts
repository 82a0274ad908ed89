/**
 * A budget of bytes shared by every connection of a process: a request takes its body's size
 * before reading it and gives it back once answered. Requests that do not fit wait, in arrival
 * order, with their sockets unread (backpressure), instead of being refused: a burst of large
 * uploads slows down, memory stays bounded. A request takes all it will need at once, so those
 * holding bytes can always finish and the waiters cannot deadlock each other.
 */
export class ByteBudget {
  private usedBytes = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly capacityBytes: number) {}

  get inUseBytes(): number {
    return this.usedBytes;
  }

  /**
   * Takes `bytes` now if they fit and no one waits before them, or if they fit and `overtake`
   * (a small body may pass a large one that waits: it cannot hold the large one back for long).
   */
  tryTake(bytes: number, overtake: boolean): boolean {
    if (this.usedBytes + bytes > this.capacityBytes || (this.waiting.length > 0 && !overtake)) return false;
    this.usedBytes += bytes;
    return true;
  }

  /** Waits its turn for `bytes`; `cancel` withdraws the request (its client went away) if not yet granted. */
  take(bytes: number): { granted: Promise<void>; cancel(): void } {
    if (bytes > this.capacityBytes) throw new Error(`a request of ${bytes} bytes can never fit a budget of ${this.capacityBytes}`);
    let waiter: Waiter | undefined;
    const granted = new Promise<void>((resolve) => {
      if (this.tryTake(bytes, false)) return resolve();
      waiter = { bytes, grant: resolve };
      this.waiting.push(waiter);
    });
    const cancel = () => {
      const index = waiter === undefined ? -1 : this.waiting.indexOf(waiter);
      if (index >= 0) this.waiting.splice(index, 1);
      // Someone behind the withdrawn waiter may fit now.
      if (index === 0) this.grantWaiting();
    };
    return { granted, cancel };
  }

  give(bytes: number): void {
    this.usedBytes -= bytes;
    if (this.usedBytes < 0) throw new Error(`byte budget gave back more than it lent (${this.usedBytes})`);
    this.grantWaiting();
  }

  private grantWaiting(): void {
    while (this.waiting.length > 0 && this.usedBytes + this.waiting[0].bytes <= this.capacityBytes) {
      const waiter = this.waiting.shift()!;
      this.usedBytes += waiter.bytes;
      waiter.grant();
    }
  }
}

interface Waiter {
  bytes: number;
  grant: () => void;
}
