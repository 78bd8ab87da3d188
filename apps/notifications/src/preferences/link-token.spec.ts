import { LinkTokens } from './link-token';

describe('LinkTokens (one-click unsubscribe links)', () => {
  const tokens = new LinkTokens('s'.repeat(32));
  const claim = { orgId: 'org_1', userId: 'user_1', type: 'publishing.job.failed', channel: 'email' };

  it('verifies what it signed', () => {
    expect(tokens.verify(tokens.sign(claim))).toEqual(claim);
  });

  it('refuses a changed claim, a changed signature, another key and garbage', () => {
    const token = tokens.sign(claim);
    const [v, body, mac] = token.split('.');
    const otherBody = Buffer.from(
      JSON.stringify({ o: 'org_2', u: 'user_1', t: claim.type, c: 'email' }),
    ).toString('base64url');
    expect(tokens.verify(`${v}.${otherBody}.${mac}`)).toBeNull();
    expect(tokens.verify(`${v}.${body}.${mac!.slice(0, -1)}A`)).toBeNull();
    expect(new LinkTokens('t'.repeat(32)).verify(token)).toBeNull();
    for (const bad of ['', 'v1', 'v1..', 'v2.a.b', token.replace('v1', 'v2')])
      expect(tokens.verify(bad)).toBeNull();
  });
});
