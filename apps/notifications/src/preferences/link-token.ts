import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a one-click unsubscribe link turns off: one type on one channel, for one member of one org. */
export interface UnsubscribeClaim {
  orgId: string;
  userId: string;
  type: string;
  channel: string;
}

/**
 * Signed links for mail (no login behind them): `v1.<base64url JSON>.<base64url HMAC-SHA256>`.
 * They do not expire — an unsubscribe link in an old email must still work
 * (RFC 8058) — and only ever turn a preference off.
 */
export class LinkTokens {
  constructor(private readonly secret: string) {}

  sign(claim: UnsubscribeClaim): string {
    const body = Buffer.from(
      JSON.stringify({ o: claim.orgId, u: claim.userId, t: claim.type, c: claim.channel }),
    ).toString('base64url');
    return `v1.${body}.${this.mac(body)}`;
  }

  /** The claim, or null for anything not signed by us (tampered, truncated, another format). */
  verify(token: string): UnsubscribeClaim | null {
    const [version, body, mac] = token.split('.');
    if (version !== 'v1' || !body || !mac) return null;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
      const fields = [parsed['o'], parsed['u'], parsed['t'], parsed['c']];
      if (!fields.every((f) => typeof f === 'string' && f.length > 0)) return null;
      const [orgId, userId, type, channel] = fields as string[];
      return { orgId, userId, type, channel };
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(`unsubscribe.${body}`).digest('base64url');
  }
}
