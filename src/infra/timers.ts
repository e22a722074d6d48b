/** The longest delay `setTimeout` honours (about 24.8 days); Node fires a longer one at once. */
const MAX_TIMEOUT = 2 ** 31 - 1;

/**
 * Calls `run` at `at` (ms since epoch), however far away, and returns a canceller. Long waits are
 * taken in steps, so a token valid for a year does not fire its expiry on the spot. The timer
 * does not keep the process alive.
 */
export function runAt(at: number, run: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const arm = () => {
    if (cancelled) return;
    const delay = at - Date.now();
    if (delay <= 0) {
      run();
      return;
    }
    timer = setTimeout(arm, Math.min(delay, MAX_TIMEOUT));
    timer.unref();
  };
  arm();
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}
