import { OutboundFailedError, OutboundRefusedError, retryAfterMs } from '@smartbeak/outbound';

/** Why an ingestion or a test failed, as the API reports it (`errorCode`). */
export type ProviderErrorCode =
  'auth' | 'not_found' | 'quota' | 'budget' | 'provider' | 'invalid' | 'refused';

/**
 * A provider refused or failed. `retryable` errors (429, rate limits, 5xx,
 * timeouts) are tried again after a back-off; the rest end the ingestion.
 */
export class ProviderError extends Error {
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly retryable = false,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** The provider's `Retry-After` in ms, capped at the longest back-off (a provider asking for a day is not waited for inline). */
export function retryAfter(header: string | string[] | undefined, capMs: number): number | undefined {
  const ms = retryAfterMs(header);
  return ms === undefined ? undefined : Math.min(ms, capMs);
}

/** Outbound failures as provider errors: a refused destination is final; a failed exchange is worth a retry. */
export function fromOutbound(error: unknown, provider: string): never {
  if (error instanceof OutboundRefusedError)
    throw new ProviderError('refused', `${provider}: ${error.message}`);
  if (error instanceof OutboundFailedError)
    throw new ProviderError('provider', `${provider}: ${error.message}`, true);
  throw error;
}

export interface RetryPolicy {
  /** Tries after the first. */
  retries: number;
  baseMs: number;
  maxMs: number;
}

/**
 * Calls `attempt` until it succeeds, retrying retryable provider errors with
 * exponential back-off and full jitter (or the provider's Retry-After).
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  onRetry?: (error: ProviderError, delayMs: number) => void,
): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.retryable || tries >= policy.retries) throw error;
      const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** tries);
      const delayMs = error.retryAfterMs ?? Math.round(backoff / 2 + (Math.random() * backoff) / 2);
      onRetry?.(error, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
