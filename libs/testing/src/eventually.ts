/**
 * Retries `check` until it returns without throwing (every `expect` in it
 * passed) and gives back what it returned; after `timeoutMs`, rethrows its
 * last failure, so a test that times out says what was still wrong. Use it
 * instead of a fixed sleep or a hand-written polling loop.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves at `at` (a moment in the future), for tests about scheduled times. */
export function until(at: Date | number): Promise<void> {
  const ms = (typeof at === 'number' ? at : at.getTime()) - Date.now();
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
