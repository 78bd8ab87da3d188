import { OutboundServiceConfig } from '@smartbeak/config';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

export const SERVICE_NAME = 'notifications';

const URL_WITHOUT_SLASH = /^https?:\/\/[^\s]+[^/]$/;
const urlMessage = (name: string) => `${name} must be an http(s) URL without a trailing slash`;

export const EMAIL_PROVIDERS = ['smtp', 'sendgrid', 'ses'] as const;
export type EmailProviderName = (typeof EMAIL_PROVIDERS)[number];

/** notifications' settings beside the common service ones (and the outbound guard's); every field is in the README's env table. */
export class NotificationsConfig extends OutboundServiceConfig {
  /** Where links in messages point: the console's origin (the gateway). */
  @Matches(URL_WITHOUT_SLASH, { message: urlMessage('PUBLIC_APP_URL') })
  PUBLIC_APP_URL: string = 'http://127.0.0.1:3000';

  /** Signs one-click unsubscribe links (HMAC-SHA256); at least 32 characters. */
  @IsString()
  @Length(32, 500)
  NOTIFICATIONS_LINK_SECRET!: string;

  /** The From of every notification email. */
  @IsString()
  @Length(3, 200)
  NOTIFICATIONS_EMAIL_FROM: string = 'SmartBeak <notifications@smartbeak.app>';

  /** Email providers in order of preference: the next takes over while one fails (comma-separated). */
  @Matches(/^(smtp|sendgrid|ses)(,(smtp|sendgrid|ses))*$/, {
    message: 'EMAIL_PROVIDERS must list smtp, sendgrid and/or ses, comma-separated',
  })
  EMAIL_PROVIDERS: string = 'smtp';

  @IsOptional()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @Matches(URL_WITHOUT_SLASH, { message: urlMessage('SENDGRID_API_URL') })
  SENDGRID_API_URL: string = 'https://api.sendgrid.com';

  @IsOptional()
  @IsString()
  SENDGRID_API_KEY?: string;

  /** Amazon SES v2; the endpoint only to point it elsewhere (tests, a proxy). */
  @IsOptional()
  @Matches(URL_WITHOUT_SLASH, { message: urlMessage('SES_ENDPOINT') })
  SES_ENDPOINT?: string;

  @IsString()
  SES_REGION: string = 'us-east-1';

  @IsOptional()
  @IsString()
  SES_ACCESS_KEY_ID?: string;

  @IsOptional()
  @IsString()
  SES_SECRET_ACCESS_KEY?: string;

  @Matches(URL_WITHOUT_SLASH, { message: urlMessage('TWILIO_API_URL') })
  TWILIO_API_URL: string = 'https://api.twilio.com';

  @IsOptional()
  @Matches(/^AC[0-9a-zA-Z]{8,64}$/, { message: 'TWILIO_ACCOUNT_SID must be an account SID (AC…)' })
  TWILIO_ACCOUNT_SID?: string;

  @IsOptional()
  @IsString()
  TWILIO_AUTH_TOKEN?: string;

  /** The sending number (E.164) or a Messaging Service SID (MG…). */
  @IsOptional()
  @Matches(/^(\+[1-9]\d{6,14}|MG[0-9a-zA-Z]{8,64})$/, {
    message: 'TWILIO_FROM must be an E.164 number or a Messaging Service SID',
  })
  TWILIO_FROM?: string;

  @Matches(URL_WITHOUT_SLASH, { message: urlMessage('FCM_API_URL') })
  FCM_API_URL: string = 'https://fcm.googleapis.com';

  @Matches(URL_WITHOUT_SLASH, { message: urlMessage('GOOGLE_OAUTH_TOKEN_URL') })
  GOOGLE_OAUTH_TOKEN_URL: string = 'https://oauth2.googleapis.com/token';

  /** A Firebase service account's JSON key (raw or base64): project_id, client_email, private_key. */
  @IsOptional()
  @IsString()
  FCM_SERVICE_ACCOUNT?: string;

  /** Web Push (VAPID) keys, base64url, as `web-push generate-vapid-keys` prints them. */
  @IsOptional()
  @IsString()
  VAPID_PUBLIC_KEY?: string;

  @IsOptional()
  @IsString()
  VAPID_PRIVATE_KEY?: string;

  @IsString()
  VAPID_SUBJECT: string = 'mailto:notifications@smartbeak.app';

  /** PagerDuty Events API v2: on-call is paged for system-error dead letters. */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PAGERDUTY_EVENTS_URL must be an http(s) URL' })
  PAGERDUTY_EVENTS_URL: string = 'https://events.pagerduty.com/v2/enqueue';

  @IsOptional()
  @IsString()
  PAGERDUTY_ROUTING_KEY?: string;

  /** A generic operator webhook, signed like the storage webhook (`X-SmartBeak-Signature`). */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'OPERATOR_WEBHOOK_URL must be an http(s) URL' })
  OPERATOR_WEBHOOK_URL?: string;

  @IsOptional()
  @IsString()
  OPERATOR_WEBHOOK_SECRET?: string;

  /** Tries of a delivery with transient errors before its dead letter. */
  @IsInt()
  @Min(1)
  @Max(30)
  NOTIFICATIONS_MAX_ATTEMPTS: number = 8;

  /** First retry delay; each next one doubles (with jitter), never sooner than a provider's Retry-After. */
  @IsInt()
  @Min(10)
  NOTIFICATIONS_BACKOFF_MS: number = 2_000;

  /** Consecutive failures that open a provider's circuit (the next provider takes over). */
  @IsInt()
  @Min(1)
  @Max(1000)
  NOTIFICATIONS_CIRCUIT_FAILURES: number = 3;

  /** How long an open circuit stays open before one trial send. */
  @IsInt()
  @Min(100)
  NOTIFICATIONS_CIRCUIT_COOLDOWN_MS: number = 30_000;

  /** Sends per second per channel queue, for all replicas (providers' rate limits). */
  @IsInt()
  @Min(1)
  @Max(100_000)
  NOTIFICATIONS_SEND_RATE: number = 200;

  /** Deliveries one process sends at once, per channel. */
  @IsInt()
  @Min(1)
  @Max(500)
  NOTIFICATIONS_CONCURRENCY: number = 16;

  /**
   * How long the members an event goes to (control-plane's answer for an org and
   * audience) are reused: a burst of events asks once. 0 asks for every event.
   */
  @IsInt()
  @Min(0)
  @Max(60_000)
  NOTIFICATIONS_RECIPIENTS_TTL_MS: number = 5_000;

  /** How often the sweeper looks for lost, due and digest work. */
  @IsInt()
  @Min(200)
  NOTIFICATIONS_SWEEP_EVERY_MS: number = 15_000;
}
