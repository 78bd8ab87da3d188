import { OutboundFailedError, type OutboundPolicy, outboundRequest } from '@smartbeak/outbound';

/** What a provider answered for one message. */
export interface Sent {
  provider: string;
  messageId: string | null;
}

/** Worth trying again (later, or at once with the next provider): timeouts, 429, 5xx, auth trouble on our side. */
export class TransientSendError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransientSendError';
  }
}

/**
 * Never worth retrying: the provider refused this message for what it is.
 * `addressUnusable` when the address itself is bad (a hard bounce, an invalid
 * or opted-out number): nothing is sent to it again.
 */
export class PermanentSendError extends Error {
  constructor(
    message: string,
    readonly addressUnusable = false,
  ) {
    super(message);
    this.name = 'PermanentSendError';
  }
}

export interface Provider<M> {
  readonly name: string;
  send(message: M): Promise<Sent>;
}

/**
 * Consecutive failures open the circuit: the provider is skipped until the
 * cooldown has passed, then one trial send decides (half-open). One per
 * provider per process.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a send may go to this provider now (a half-open circuit lets one trial through). */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = null;
    this.trialInFlight = false;
  }

  failed(): void {
    this.trialInFlight = false;
    this.failures += 1;
    if (this.openedAt !== null || this.failures >= this.threshold) this.openedAt = this.now();
  }

  /** A send that ended for a reason that says nothing about the provider's health. */
  released(): void {
    this.trialInFlight = false;
  }
}

/**
 * A channel's providers in order of preference. A send goes to the first
 * whose circuit lets it; a transient failure moves it to the next at once
 * (the message was not accepted, so it cannot go out twice); a permanent one
 * ends it. When every provider failed, the last transient error is thrown
 * (the delivery is retried later, with backoff).
 */
export class ProviderChain<M> {
  private readonly breakers: CircuitBreaker[];

  constructor(
    readonly providers: Provider<M>[],
    threshold: number,
    cooldownMs: number,
    private readonly onFailover?: (from: string, error: Error) => void,
  ) {
    this.breakers = providers.map(() => new CircuitBreaker(threshold, cooldownMs));
  }

  states(): Record<string, string> {
    return Object.fromEntries(this.providers.map((p, i) => [p.name, this.breakers[i]!.state]));
  }

  async send(message: M): Promise<Sent> {
    if (!this.providers.length) throw new PermanentSendError('no provider is configured for this channel');
    let last: Error | null = null;
    let tried = 0;
    for (const [index, provider] of this.providers.entries()) {
      const breaker = this.breakers[index]!;
      if (!breaker.tryAcquire()) continue;
      tried += 1;
      try {
        const sent = await provider.send(message);
        breaker.succeeded();
        return sent;
      } catch (error) {
        if (error instanceof PermanentSendError) {
          breaker.released();
          throw error;
        }
        breaker.failed();
        last = error instanceof Error ? error : new Error(String(error));
        this.onFailover?.(provider.name, last);
      }
    }
    if (!tried) throw new TransientSendError('every provider of this channel is failing (circuits open)');
    throw last instanceof TransientSendError ? last : new TransientSendError(last?.message ?? 'send failed');
  }
}

/** An HTTP exchange with a provider through the outbound guard; a network failure is transient. */
export async function call(
  url: string,
  policy: OutboundPolicy,
  request: Parameters<typeof outboundRequest>[1],
): ReturnType<typeof outboundRequest> {
  try {
    return await outboundRequest(url, request, policy);
  } catch (error) {
    if (error instanceof OutboundFailedError) throw new TransientSendError(error.message);
    throw new PermanentSendError((error as Error).message);
  }
}
