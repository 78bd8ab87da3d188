import { createHmac, timingSafeEqual } from 'node:crypto';

import { type OutboundPolicy, retryAfterMs } from '@smartbeak/outbound';

import { call, PermanentSendError, type Provider, type Sent, TransientSendError } from './provider';

export interface SmsMessage {
  /** E.164. */
  to: string;
  body: string;
}

/** Twilio error codes that say the number itself is unusable (invalid, not mobile, opted out with STOP). */
const UNUSABLE_NUMBER = new Set([21211, 21214, 21217, 21401, 21407, 21408, 21610, 21612, 21614]);

/** Twilio Messages API: `POST /2010-04-01/Accounts/{sid}/Messages.json`, Basic auth, a form body. */
export class TwilioSmsProvider implements Provider<SmsMessage> {
  readonly name = 'twilio';

  constructor(
    private readonly options: {
      baseUrl: string;
      accountSid: string;
      authToken: string;
      from: string;
      /** Where Twilio posts delivery status (the gateway's public URL), if set. */
      statusCallback?: string;
    },
    private readonly policy: OutboundPolicy,
  ) {}

  async send(message: SmsMessage): Promise<Sent> {
    const form = new URLSearchParams({ To: message.to, Body: message.body });
    if (this.options.from.startsWith('MG')) form.set('MessagingServiceSid', this.options.from);
    else form.set('From', this.options.from);
    if (this.options.statusCallback) form.set('StatusCallback', this.options.statusCallback);
    const auth = Buffer.from(`${this.options.accountSid}:${this.options.authToken}`).toString('base64');
    const response = await call(
      `${this.options.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(this.options.accountSid)}/Messages.json`,
      this.policy,
      {
        method: 'POST',
        headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      },
    );
    if (response.status === 201 || response.status === 200) {
      const sid = (response.json<{ sid?: string }>().sid as string | undefined) ?? null;
      return { provider: this.name, messageId: sid };
    }
    let error: { code?: number; message?: string } = {};
    try {
      error = response.json();
    } catch {
      // not JSON: the status says enough
    }
    const detail = `Twilio ${response.status}${error.code ? ` (${error.code})` : ''}: ${error.message ?? response.text().slice(0, 200)}`;
    if (response.status === 429)
      throw new TransientSendError(detail, retryAfterMs(response.headers['retry-after']));
    if (response.status >= 500 || response.status === 401 || response.status === 403) {
      throw new TransientSendError(detail);
    }
    throw new PermanentSendError(detail, error.code !== undefined && UNUSABLE_NUMBER.has(error.code));
  }
}

/**
 * Twilio's webhook signature (`X-Twilio-Signature`): base64 HMAC-SHA1, keyed
 * with the auth token, of the full URL followed by every POST parameter
 * name and value, sorted by name.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, key) => text + key + params[key], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
  signature: string,
): boolean {
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
