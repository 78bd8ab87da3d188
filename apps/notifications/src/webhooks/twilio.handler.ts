import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { NotificationsError, Patterns, TwilioWebhookDto } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { RpcPayload } from '@smartbeak/messaging';
import { systemScope } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';

import { verifyTwilioSignature } from '../channels/sms';
import { type NotificationsConfig } from '../config/notifications.config';
import { DeliveriesSystem } from '../delivery/deliveries.system';

const SYSTEM = systemScope("Twilio webhooks: a number's status is platform-wide");
/** Twilio error codes of a final status that make the number unusable. */
const UNUSABLE = new Set(['21211', '21610', '21614', '30003', '30005', '30006']);
const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);
const STOPPED = 'replied STOP';

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
    private readonly deliveries: DeliveriesSystem,
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
    const reason = `Twilio ${status}${code ? ` (${code})` : ''}`;
    const addresses = await this.deliveries.failSent(SYSTEM, 'twilio', sid, reason);
    if (UNUSABLE.has(code)) {
      for (const address of addresses) await this.deliveries.suppress(SYSTEM, 'sms', address, reason);
    }
    return { updated: addresses.length };
  }

  @MessagePattern(Patterns.notifications.twilioInbound)
  async inbound(@RpcPayload(TwilioWebhookDto) hook: TwilioWebhookDto): Promise<{ optedOut: boolean }> {
    this.check(hook);
    const from = hook.params['From'];
    const word = (hook.params['Body'] ?? '').trim().toUpperCase();
    if (!from) return { optedOut: false };
    if (STOP_WORDS.has(word)) {
      await this.deliveries.suppress(SYSTEM, 'sms', from, STOPPED, true);
      this.logger.log(`${from.slice(0, 5)}… opted out of SMS`);
      return { optedOut: true };
    }
    if (START_WORDS.has(word)) await this.deliveries.unsuppress(SYSTEM, 'sms', from, STOPPED);
    return { optedOut: false };
  }
}
