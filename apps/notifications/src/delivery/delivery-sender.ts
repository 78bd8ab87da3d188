import { Inject, Injectable, Logger } from '@nestjs/common';
import { Database, orgScope, systemScope } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';

import { type ChannelSenders } from '../channels/senders';
import { DeviceGoneError, type PushDevice } from '../channels/push';
import { PermanentSendError, type Sent, TransientSendError } from '../channels/provider';
import { renderDigestEmail, renderNotificationEmail } from '../channels/templates';
import { type NotificationsConfig } from '../config/notifications.config';
import { CHANNEL_SENDERS, LINK_TOKENS } from '../notifications.tokens';
import { DevicesRepository } from '../preferences/devices.repository';
import { type LinkTokens } from '../preferences/link-token';
import { DeliveryQueue } from '../queues/delivery-queue';
import { type ClaimedDelivery, DeliveriesSystem } from './deliveries.system';

const SYSTEM = systemScope('delivery: sends what any org queued');

/** Exponential from `baseMs` with ±50 % jitter, never sooner than a provider's Retry-After, at most 6 hours. */
export function backoffMs(attempt: number, baseMs: number, retryAfterMs = 0): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(Math.max(Math.round(exponential * (0.5 + Math.random())), retryAfterMs), 6 * 3600 * 1000);
}

/**
 * Sends one delivery: claims it (so one worker sends it, once), sends it
 * through its channel's providers, and records how it ended — sent; failed
 * (a permanent refusal; a bad address is suppressed for good); due again
 * later (transient, with backoff); or dead-lettered after the last attempt.
 */
@Injectable()
export class DeliverySender {
  private readonly logger = new Logger(DeliverySender.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: NotificationsConfig,
    private readonly database: Database,
    private readonly system: DeliveriesSystem,
    private readonly devices: DevicesRepository,
    private readonly queue: DeliveryQueue,
    @Inject(CHANNEL_SENDERS) private readonly senders: ChannelSenders,
    @Inject(LINK_TOKENS) private readonly links: LinkTokens,
  ) {}

  async run(deliveryId: string): Promise<'sent' | 'failed' | 'retry' | 'dead' | 'skipped'> {
    const delivery = await this.system.claim(
      SYSTEM,
      deliveryId,
      this.config.OUTBOUND_TIMEOUT_MS * 2 + 10_000,
    );
    // Sent, failed, held for later or claimed by another worker: nothing to do here.
    if (!delivery) return 'skipped';
    try {
      const sent = await this.send(delivery);
      await this.system.markSent(SYSTEM, delivery.id, sent);
      return 'sent';
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      if (error instanceof PermanentSendError) {
        await this.system.markFailed(SYSTEM, delivery.id, message);
        if (error.addressUnusable && delivery.address && delivery.channel !== 'push') {
          await this.system.suppress(SYSTEM, delivery.channel, delivery.address, message);
        }
        this.logger.warn(`delivery ${delivery.id} (${delivery.channel}) failed: ${message}`);
        return 'failed';
      }
      if (delivery.attempts >= this.config.NOTIFICATIONS_MAX_ATTEMPTS) {
        await this.database.transaction((tx) => this.system.in(tx).deadLetter(SYSTEM, delivery, message));
        this.logger.error(
          `ALERT delivery dead-lettered: ${delivery.id} (${delivery.channel}) after ${delivery.attempts} attempts: ${message}`,
        );
        return 'dead';
      }
      const delay = backoffMs(
        delivery.attempts,
        this.config.NOTIFICATIONS_BACKOFF_MS,
        error instanceof TransientSendError ? error.retryAfterMs : 0,
      );
      await this.system.retryLater(SYSTEM, delivery.id, message, delay);
      await this.queue.send(delivery.channel, delivery.id, { delayMs: delay, key: `a${delivery.attempts}` });
      return 'retry';
    }
  }

  private async send(delivery: ClaimedDelivery): Promise<Sent> {
    const url = delivery.link ? `${this.config.PUBLIC_APP_URL}${delivery.link}` : null;
    if (delivery.channel !== 'push' && !delivery.address)
      throw new PermanentSendError('no address to send to');
    const to = delivery.address ?? '';
    switch (delivery.channel) {
      case 'email': {
        const unsubscribeUrl = this.unsubscribeUrl(delivery.orgId, delivery.userId, delivery.type);
        const rendered = renderNotificationEmail(
          { title: delivery.title, body: delivery.body, url },
          { unsubscribeUrl, preferencesUrl: `${this.config.PUBLIC_APP_URL}/settings/notifications` },
        );
        return this.senders.email.send({
          from: this.config.NOTIFICATIONS_EMAIL_FROM,
          to,
          ...rendered,
          headers: unsubscribeHeaders(unsubscribeUrl),
        });
      }
      case 'sms':
        return this.senders.sms.send({
          to,
          body: `${delivery.title}${url ? ` ${url}` : ''}`.slice(0, 320),
        });
      case 'push':
        return this.push(delivery, url);
    }
  }

  /** Every device of the member; a gone one is forgotten; sent when one took it. */
  private async push(delivery: ClaimedDelivery, url: string | null): Promise<Sent> {
    const scope = orgScope(delivery.orgId);
    const devices = await this.devices.list(scope, delivery.userId);
    if (!devices.length) throw new PermanentSendError('no push device registered');
    const sent: Sent[] = [];
    let transient: TransientSendError | null = null;
    let permanent: Error | null = null;
    for (const device of devices as PushDevice[]) {
      const sender = this.senders.push[device.kind];
      if (!sender) {
        permanent = new PermanentSendError(`${device.kind} push is not configured`);
        continue;
      }
      try {
        sent.push(
          await sender.send(device, {
            title: delivery.title,
            body: delivery.body,
            url,
            notificationId: delivery.notificationId,
          }),
        );
      } catch (error) {
        if (error instanceof DeviceGoneError) {
          await this.devices.forget(scope, device.id);
          permanent = error;
        } else if (error instanceof TransientSendError) transient = error;
        else permanent = error as Error;
      }
    }
    if (sent.length) {
      return {
        provider: sent.map((s) => s.provider).join(','),
        messageId: sent
          .map((s) => s.messageId)
          .join(',')
          .slice(0, 300),
      };
    }
    if (transient) throw transient;
    throw permanent instanceof PermanentSendError
      ? permanent
      : new PermanentSendError(String(permanent?.message));
  }

  /** One email for a closed digest window: its held notifications, then all of them sent. */
  async runDigest(digestId: string): Promise<'sent' | 'skipped' | 'retry'> {
    const digest = await this.system.digest(SYSTEM, digestId);
    if (!digest || digest.status !== 'pending') return 'skipped';
    const address = digest.items.find((item) => item.address)?.address;
    if (!digest.items.length || !address) return 'skipped';
    const unsubscribeUrl = this.unsubscribeUrl(digest.orgId, digest.userId, digest.items[0]!.type);
    const rendered = renderDigestEmail(
      digest.items.map((item) => ({
        title: item.title,
        body: item.body,
        url: item.link ? `${this.config.PUBLIC_APP_URL}${item.link}` : null,
      })),
      digest.mode,
      { unsubscribeUrl, preferencesUrl: `${this.config.PUBLIC_APP_URL}/settings/notifications` },
    );
    try {
      const sent = await this.senders.email.send({
        from: this.config.NOTIFICATIONS_EMAIL_FROM,
        to: address,
        ...rendered,
        headers: unsubscribeHeaders(unsubscribeUrl),
      });
      await this.system.digestSent(SYSTEM, digest.id, sent);
      return 'sent';
    } catch (error) {
      // The sweeper queues pending digests again.
      this.logger.warn(`digest ${digest.id}: ${(error as Error).message}`);
      return 'retry';
    }
  }

  private unsubscribeUrl(orgId: string, userId: string, type: string): string {
    const token = this.links.sign({ orgId, userId, type, channel: 'email' });
    return `${this.config.PUBLIC_APP_URL}/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`;
  }
}

/** RFC 2369 and RFC 8058 one-click unsubscribe. */
function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
