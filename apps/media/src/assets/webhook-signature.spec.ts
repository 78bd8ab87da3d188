import { signWebhook, verifyWebhookSignature } from './webhook-signature';

describe(verifyWebhookSignature.name, () => {
  const body = '{"Records":[]}';
  const now = 1_800_000_000;

  it('accepts a fresh signature over the exact body', () => {
    expect(verifyWebhookSignature('secret', signWebhook('secret', body, now), body, now + 10)).toMatch(
      /^[0-9a-f]{64}$/,
    );
  });

  it.each([
    ['another secret', () => signWebhook('other', body, now), body, now],
    ['another body', () => signWebhook('secret', body, now), body + ' ', now],
    ['an old timestamp', () => signWebhook('secret', body, now - 301), body, now],
    ['a future timestamp', () => signWebhook('secret', body, now + 301), body, now],
    ['garbage', () => 'nonsense', body, now],
    ['no v1', () => `t=${now}`, body, now],
    ['a short digest', () => `t=${now},v1=abcd`, body, now],
  ])('refuses %s', (_label, header, payload, at) => {
    expect(verifyWebhookSignature('secret', header(), payload, at)).toBeNull();
  });
});
