import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { NotificationsError, Patterns, TwilioWebhookDto } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { RpcPayload } from '@smartbeak/messaging';
import { Database } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';

import { verifyTwilioSignature } from '../channels/sms';
import { type NotificationsConfig } from '../config/notifications.config';

/** Twilio error codes of a final status that make the number unusable. */
const UNUSABLE = new Set(['21211', '21610', '21614', '30003', '30005', '30006']);
const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);

/**
 * Twilio's webhooks, passed on by the gateway: delivery status callbacks and
 * inbound messages (STOP / START). Checked against `X-Twilio-Signature` over
 * the URL Twilio was given (PUBLIC_APP_URL + the path) before anything changes.
 */
@Controller()
export class TwilioHandler {
  private readonly logger = new Logger(TwilioHandler.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: NotificationsConfig,
    private readonly database: Database,
  ) {}

  private check(hook: TwilioWebhookDto): void {
    const token = this.config.TWILIO_AUTH_TOKEN;
    const url = `${this.config.PUBLIC_APP_URL}${hook.url}`;
    if (!token || !verifyTwilioSignature(token, url, hook.params, hook.signature)) {
      throw new DomainError(
        NotificationsError.WEBHOOK_SIGNATURE_INVALID,
        'The Twilio signature does not match',
      );
    }
  }

  @MessagePattern(Patterns.notifications.twilioStatus)
  async status(@RpcPayload(TwilioWebhookDto) hook: TwilioWebhookDto): Promise<{ updated: number }> {
    this.check(hook);
    const sid = hook.params['MessageSid'] ?? hook.params['SmsSid'];
    const status = hook.params['MessageStatus'] ?? hook.params['SmsStatus'];
    if (!sid || (status !== 'failed' && status !== 'undelivered')) return { updated: 0 };
    const code = hook.params['ErrorCode'] ?? '';
    const rows = await this.database.rows<{ address: string | null }>(
      `UPDATE deliveries SET status = 'failed', last_error = $2, updated_at = now()
        WHERE provider = 'twilio' AND provider_message_id = $1 AND status = 'sent' RETURNING address`,
      [sid, `Twilio ${status}${code ? ` (${code})` : ''}`],
    );
    if (UNUSABLE.has(code)) {
      for (const row of rows.filter((r) => r.address)) {
        await this.database.run(
          `INSERT INTO suppressions (channel, address, reason) VALUES ('sms', lower($1), $2) ON CONFLICT DO NOTHING`,
          [row.address, `Twilio ${status} (${code})`],
        );
      }
    }
    return { updated: rows.length };
  }

  @MessagePattern(Patterns.notifications.twilioInbound)
  async inbound(@RpcPayload(TwilioWebhookDto) hook: TwilioWebhookDto): Promise<{ optedOut: boolean }> {
    this.check(hook);
    const from = hook.params['From'];
    const word = (hook.params['Body'] ?? '').trim().toUpperCase();
    if (!from) return { optedOut: false };
    if (STOP_WORDS.has(word)) {
      await this.database.run(
        `INSERT INTO suppressions (channel, address, reason) VALUES ('sms', lower($1), 'replied STOP')
         ON CONFLICT (channel, address) DO UPDATE SET reason = EXCLUDED.reason`,
        [from],
      );
      this.logger.log(`${from.slice(0, 5)}… opted out of SMS`);
      return { optedOut: true };
    }
    if (START_WORDS.has(word)) {
      await this.database.run(
        `DELETE FROM suppressions WHERE channel = 'sms' AND address = lower($1) AND reason = 'replied STOP'`,
        [from],
      );
    }
    return { optedOut: false };
  }
}
