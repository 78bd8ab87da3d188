import {
  CircuitBreaker,
  PermanentSendError,
  type Provider,
  ProviderChain,
  TransientSendError,
} from './provider';

function provider(
  name: string,
  answers: ('ok' | 'transient' | 'permanent')[],
): Provider<string> & { calls: string[] } {
  const calls: string[] = [];
  return {
    name,
    calls,
    async send(message: string) {
      calls.push(message);
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      if (answer === 'transient') throw new TransientSendError(`${name} 500`);
      if (answer === 'permanent') throw new PermanentSendError(`${name} 400`, true);
      return { provider: name, messageId: `${name}-${calls.length}` };
    },
  };
}

describe('ProviderChain (failover) and CircuitBreaker', () => {
  it('a failing first provider hands the message to the next at once; each message goes out once', async () => {
    const first = provider('first', ['transient']);
    const second = provider('second', ['ok']);
    const chain = new ProviderChain([first, second], 3, 60_000);
    expect(await chain.send('m1')).toEqual({ provider: 'second', messageId: 'second-1' });
    expect(first.calls).toEqual(['m1']);
    expect(second.calls).toEqual(['m1']);
  });

  it('after N failures the circuit opens and the first provider is skipped; after the cooldown one trial brings it back', async () => {
    let now = 0;
    const breaker = new CircuitBreaker(2, 1000, () => now);
    breaker.failed();
    expect(breaker.state).toBe('closed');
    breaker.failed();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    now = 1000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false); // one trial at a time
    breaker.succeeded();
    expect(breaker.state).toBe('closed');
  });

  it('a permanent refusal stops the chain (no other provider is tried)', async () => {
    const first = provider('first', ['permanent']);
    const second = provider('second', ['ok']);
    await expect(new ProviderChain([first, second], 3, 1000).send('m')).rejects.toThrow(PermanentSendError);
    expect(second.calls).toEqual([]);
  });

  it('every provider down: a transient error for the retry, and nothing sent', async () => {
    const chain = new ProviderChain([provider('a', ['transient']), provider('b', ['transient'])], 1, 60_000);
    await expect(chain.send('m')).rejects.toThrow(TransientSendError);
    // Both circuits are open now: the next send is refused without calling anyone.
    await expect(chain.send('m2')).rejects.toThrow(/circuits open/);
  });
});
