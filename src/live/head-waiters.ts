/**
 * Requests waiting for a feed to read the log up to a sequence (`storyAfter`), each resolved
 * once: with true when the feed's head reaches it, with false after its time runs out or when
 * the feed stops.
 */
export class HeadWaiters {
  readonly #waiting = new Set<{ sequence: number; done(reached: boolean): void }>();

  /** Waits for `sequence`; `head` is where the feed stands, `wake` asks it to read now. */
  wait(sequence: number, ms: number, head: number, wake: () => void): Promise<boolean> {
    if (head >= sequence) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        sequence,
        done: (reached: boolean) => {
          clearTimeout(timer);
          this.#waiting.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.done(false), ms);
      this.#waiting.add(waiter);
      wake();
    });
  }

  /** The feed's head moved to `head`. */
  settle(head: number): void {
    for (const waiter of this.#waiting) if (waiter.sequence <= head) waiter.done(true);
  }

  /** The feed stopped: nobody will be reached. */
  stop(): void {
    for (const waiter of this.#waiting) waiter.done(false);
  }
}
