// The platform's processes, in start order. One place: the local stack,
// the tests and the benchmarks read it. Ports are local defaults only.
'use strict';

/**
 * `app` (default: `name`) is the build under dist/apps; `args` follow main.js
 * (`worker` for publishing's job runner); only entries without `args` migrate.
 * @type {{ name: string, app?: string, args?: string[], httpPort: number, database: string | null,
 *          env?: (infra: { s3: { endpoint: string, bucket: string }, mail: { smtpUrl: string, api: string }, secrets: Record<string, any> }) => Record<string, string> }[]}
 */
const SERVICES = [
  { name: 'control-plane', httpPort: 3101, database: 'control_plane' },
  { name: 'content', httpPort: 3102, database: 'content' },
  {
    name: 'publishing',
    httpPort: 3104,
    database: 'publishing',
    env: publishingEnv,
  },
  {
    name: 'publishing-worker',
    app: 'publishing',
    args: ['worker'],
    httpPort: 3105,
    database: 'publishing',
    env: publishingEnv,
  },
  {
    name: 'media',
    httpPort: 3103,
    database: 'media',
    env: ({ s3, secrets }) => ({
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: 'us-east-1',
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      CDN_BASE_URL: `${s3.endpoint}/${s3.bucket}`,
      MEDIA_WEBHOOK_SECRET: secrets.mediaWebhook,
    }),
  },
  { name: 'notifications', httpPort: 3106, database: 'notifications', env: notificationsEnv },
  { name: 'analytics', httpPort: 3107, database: 'analytics' },
  { name: 'seo', httpPort: 3108, database: 'seo', env: seoEnv },
  // `nx g @smartbeak/tools:service <name>` adds new services above this line.
];

/** Local destinations (a WordPress on localhost) are allowed in development only. */
function publishingEnv({ mail, secrets }) {
  return {
    PUBLISHING_ENCRYPTION_KEYS: `dev:${secrets.credentialKey}`,
    SMTP_URL: mail.smtpUrl,
    OUTBOUND_ALLOWLIST: '127.0.0.0/8,::1',
    OUTBOUND_ALLOW_HTTP: 'true',
  };
}

/**
 * Every notification provider points at the local catchers (SMTP, and the
 * provider catcher on the mail port: SendGrid, SES, Twilio, FCM, Web Push,
 * PagerDuty), so every channel works without an account anywhere.
 */
function notificationsEnv({ mail, secrets }) {
  const catcher = new URL(mail.api).origin;
  return {
    SMTP_URL: mail.smtpUrl,
    NOTIFICATIONS_LINK_SECRET: secrets.notificationsLink,
    EMAIL_PROVIDERS: 'smtp,sendgrid,ses',
    SENDGRID_API_URL: `${catcher}/sendgrid`,
    SENDGRID_API_KEY: 'SG.local-catcher',
    SES_ENDPOINT: `${catcher}/ses`,
    SES_ACCESS_KEY_ID: 'AKIALOCALCATCHER',
    SES_SECRET_ACCESS_KEY: 'local-catcher',
    TWILIO_API_URL: `${catcher}/twilio`,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000local',
    TWILIO_AUTH_TOKEN: secrets.notificationsLink.slice(0, 32),
    TWILIO_FROM: '+15005550006',
    FCM_API_URL: `${catcher}/fcm`,
    GOOGLE_OAUTH_TOKEN_URL: `${catcher}/google/token`,
    FCM_SERVICE_ACCOUNT: secrets.fcmServiceAccount,
    VAPID_PUBLIC_KEY: secrets.vapid.publicKey,
    VAPID_PRIVATE_KEY: secrets.vapid.privateKey,
    PAGERDUTY_EVENTS_URL: `${catcher}/pagerduty/v2/enqueue`,
    PAGERDUTY_ROUTING_KEY: 'local-routing-key',
    OUTBOUND_ALLOWLIST: '127.0.0.0/8,::1',
    OUTBOUND_ALLOW_HTTP: 'true',
  };
}

/** Search Console and Ahrefs point at the catcher's stand-ins (tools/stack/seo-standin.js), which have data for any property. */
function seoEnv({ mail, secrets }) {
  const catcher = new URL(mail.api).origin;
  return {
    SEO_ENCRYPTION_KEYS: `dev:${secrets.credentialKey}`,
    GSC_API_BASE_URL: `${catcher}/seo`,
    GOOGLE_OAUTH_TOKEN_URL: `${catcher}/seo/token`,
    AHREFS_API_BASE_URL: `${catcher}/seo`,
    OUTBOUND_ALLOWLIST: '127.0.0.0/8,::1',
    OUTBOUND_ALLOW_HTTP: 'true',
  };
}

/** The gateway's public port, and the internal one of its /metrics. */
const GATEWAY = { name: 'api-gateway', httpPort: 3000, metricsPort: 3190 };

module.exports = { SERVICES, GATEWAY };
