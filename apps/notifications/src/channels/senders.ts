import { Logger } from '@nestjs/common';
import { outboundPolicyOf, smtpTransport } from '@smartbeak/outbound';

import { type NotificationsConfig } from '../config/notifications.config';
import { type EmailMessage, SendGridEmailProvider, SesEmailProvider, SmtpEmailProvider } from './email';
import { type Provider, ProviderChain } from './provider';
import { FcmPushSender, parseServiceAccount, type PushSender, WebPushSender } from './push';
import { type SmsMessage, TwilioSmsProvider } from './sms';
import { type Pager, PagerDutyPager, WebhookPager } from '../alerts/pager';

/** Every channel's providers, as configured. */
export interface ChannelSenders {
  email: ProviderChain<EmailMessage>;
  sms: ProviderChain<SmsMessage>;
  push: { fcm: PushSender | null; webpush: PushSender | null };
}

/** Builds the providers the settings name, in their order; one that lacks its settings is left out (and logged). */
export function channelSenders(config: NotificationsConfig): ChannelSenders {
  const logger = new Logger('ChannelSenders');
  const policy = outboundPolicyOf(config);
  const email: Provider<EmailMessage>[] = [];
  for (const name of config.EMAIL_PROVIDERS.split(',')) {
    if (name === 'smtp' && config.SMTP_URL) {
      email.push(new SmtpEmailProvider(smtpTransport(config.SMTP_URL)));
    } else if (name === 'sendgrid' && config.SENDGRID_API_KEY) {
      email.push(new SendGridEmailProvider(config.SENDGRID_API_URL, config.SENDGRID_API_KEY, policy));
    } else if (name === 'ses' && config.SES_ACCESS_KEY_ID) {
      email.push(
        SesEmailProvider.create({
          region: config.SES_REGION,
          endpoint: config.SES_ENDPOINT,
          accessKeyId: config.SES_ACCESS_KEY_ID,
          secretAccessKey: config.SES_SECRET_ACCESS_KEY,
        }),
      );
    } else logger.warn(`email provider ${name} is listed in EMAIL_PROVIDERS but not configured: left out`);
  }
  const sms: Provider<SmsMessage>[] = [];
  if (config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_FROM) {
    sms.push(
      new TwilioSmsProvider(
        {
          baseUrl: config.TWILIO_API_URL,
          accountSid: config.TWILIO_ACCOUNT_SID,
          authToken: config.TWILIO_AUTH_TOKEN,
          from: config.TWILIO_FROM,
          statusCallback: `${config.PUBLIC_APP_URL}/api/notifications/webhooks/twilio/status`,
        },
        policy,
      ),
    );
  }
  const onFailover = (channel: string) => (from: string, error: Error) =>
    logger.warn(`${channel} provider ${from} failed (${error.message}); trying the next one`);
  return {
    email: new ProviderChain(
      email,
      config.NOTIFICATIONS_CIRCUIT_FAILURES,
      config.NOTIFICATIONS_CIRCUIT_COOLDOWN_MS,
      onFailover('email'),
    ),
    sms: new ProviderChain(
      sms,
      config.NOTIFICATIONS_CIRCUIT_FAILURES,
      config.NOTIFICATIONS_CIRCUIT_COOLDOWN_MS,
      onFailover('sms'),
    ),
    push: {
      fcm: config.FCM_SERVICE_ACCOUNT
        ? new FcmPushSender(
            parseServiceAccount(config.FCM_SERVICE_ACCOUNT),
            { apiUrl: config.FCM_API_URL, tokenUrl: config.GOOGLE_OAUTH_TOKEN_URL },
            policy,
          )
        : null,
      webpush:
        config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY
          ? new WebPushSender(
              {
                subject: config.VAPID_SUBJECT,
                publicKey: config.VAPID_PUBLIC_KEY,
                privateKey: config.VAPID_PRIVATE_KEY,
              },
              policy,
            )
          : null,
    },
  };
}

/** The on-call pagers the settings configure (none: alerts are only logged). */
export function operatorPagers(config: NotificationsConfig): Pager[] {
  const policy = outboundPolicyOf(config);
  const pagers: Pager[] = [];
  if (config.PAGERDUTY_ROUTING_KEY)
    pagers.push(new PagerDutyPager(config.PAGERDUTY_EVENTS_URL, config.PAGERDUTY_ROUTING_KEY, policy));
  if (config.OPERATOR_WEBHOOK_URL && config.OPERATOR_WEBHOOK_SECRET) {
    pagers.push(new WebhookPager(config.OPERATOR_WEBHOOK_URL, config.OPERATOR_WEBHOOK_SECRET, policy));
  }
  return pagers;
}
