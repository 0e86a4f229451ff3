// The updates a channel has taken and not finished (answered, replies sent): bounded, so that a surge waits
// at the door instead of starting thousands of handlers, and counted, so that a graceful stop can finish them.

/** Updates in hand. Example: `const release = await inHand.enter(); try { … } finally { release() }`. */
export interface InHand {
  /** Waits for a place (at most `limit` at once), takes it, and gives back the function that frees it. */
  enter(): Promise<() => void>;
  /** Runs `work` in a place; the place is freed when it settles. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** How many are in hand now. */
  count(): number;
  /** Resolves when none is in hand (at once if none is). */
  idle(): Promise<void>;
}

/**
 * Creates a tracker with room for `limit` updates at once.
 * @example const inHand = createInHand(100); await inHand.run(() => handle(update)); await inHand.idle()
 */
export function createInHand(limit: number): InHand {
  let count = 0;
  const queue: (() => void)[] = [];
  const idlers: (() => void)[] = [];
  const release = () => {
    const next = queue.shift();
    // The freed place goes straight to the longest waiter.
    if (next) return next();
    count--;
    if (count === 0) for (const resolve of idlers.splice(0)) resolve();
  };
  const enter = (): Promise<() => void> => {
    let freed = false;
    const once = () => {
      if (!freed) {
        freed = true;
        release();
      }
    };
    if (count < limit) {
      count++;
      return Promise.resolve(once);
    }
    return new Promise((resolve) => queue.push(() => resolve(once)));
  };
  return {
    enter,
    async run(work) {
      const free = await enter();
      try {
        return await work();
      } finally {
        free();
      }
    },
    count: () => count,
    idle: () => (count === 0 && queue.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => idlers.push(resolve))),
  };
}
