// When to restart a server that exited: after 1, 2, 4, 8, 16 s; a server that ran for a
// minute starts the count again; after five quick crashes in a row we stop and say so.

export const DELAYS_MS = [1000, 2000, 4000, 8000, 16000];
export const HEALTHY_AFTER_MS = 60_000;

export class Backoff {
  private crashes = 0;
  private startedAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  started(): void {
    this.startedAt = this.now();
  }

  /** The server exited unexpectedly: the delay before the next start, or null to give up. */
  crashed(): number | null {
    if (this.now() - this.startedAt >= HEALTHY_AFTER_MS) {
      this.crashes = 0;
    }
    if (this.crashes >= DELAYS_MS.length) {
      return null;
    }
    return DELAYS_MS[this.crashes++];
  }

  get crashCount(): number {
    return this.crashes;
  }

  reset(): void {
    this.crashes = 0;
  }
}
