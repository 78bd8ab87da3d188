// What runs on Kubernetes, one entry per Deployment. `tools/deploy/generate.js`
// writes deploy/k8s/base/<name>/ from this table; the manifest checks
// (deploy/test/manifests.spec.ts) prove the rendered overlays against the
// Kubernetes schemas and against each service's config class.
'use strict';

/** Secret keys every service reads (Secret `smartbeak-<secret>`). */
const SERVICE_SECRETS = ['DATABASE_PASSWORD', 'REDIS_PASSWORD', 'MESSAGE_SIGNING_KEY'];

/**
 * - `app`: the build under dist/apps and the image `smartbeak/<app>` (default: `name`);
 * - `args`: after `main.js` (`worker`: publishing's job runner);
 * - `database`: its PostgreSQL database (null: none); `migrates`: it owns the migration Job;
 * - `settings`: its ConfigMap `smartbeak-<name>` (non-secret; overlays patch them);
 * - `secrets`: keys of Secret `smartbeak-<secret ?? name>` (`?`: optional);
 * - `egress`: it calls the internet (HTTPS; SMTP relays with `smtp`);
 * - `queues`: BullMQ queues whose wait lists scale it (KEDA); otherwise HPA on CPU;
 * - `scale`: replicas [min, max].
 * @type {{ name: string, app?: string, args?: string[], port: number, metricsPort?: number,
 *   database: string | null, migrates?: boolean, secret?: string, settings: Record<string, string>,
 *   secrets: string[], egress?: { https?: boolean, smtp?: boolean }, queues?: string[],
 *   scale: [number, number], public?: boolean }[]}
 */
const DEPLOYABLES = [
  {
    name: 'api-gateway',
    port: 3000,
    metricsPort: 9464,
    public: true,
    database: null,
    settings: {
      GATEWAY_PORT: '3000',
      METRICS_PORT: '9464',
      TRUST_PROXY: '1',
      RATE_LIMIT_PER_MINUTE: '600',
      // The console's static assets are in the gateway's image (/web), served by the gateway.
      WEB_ROOT: '/app/web',
      // The overlays set the Clerk instance: CLERK_PUBLISHABLE_KEY, CLERK_AUTHORIZED_PARTIES.
    },
    secrets: [
      'REDIS_PASSWORD',
      'MESSAGE_SIGNING_KEY',
      'CLERK_SECRET_KEY',
      'CLERK_JWT_KEY?',
      'CLERK_WEBHOOK_SIGNING_SECRET',
    ],
    egress: { https: true },
    scale: [2, 20],
  },
  {
    name: 'control-plane',
    port: 3101,
    database: 'control_plane',
    migrates: true,
    settings: {},
    secrets: SERVICE_SECRETS,
    scale: [2, 6],
  },
  {
    name: 'content',
    port: 3102,
    database: 'content',
    migrates: true,
    settings: {
      CONTENT_DRAFT_IDLE_DAYS: '90',
      CONTENT_PURGE_AFTER_DAYS: '30',
      CONTENT_COLD_AFTER_DAYS: '365',
    },
    secrets: SERVICE_SECRETS,
    scale: [2, 10],
  },
  {
    name: 'media',
    port: 3103,
    database: 'media',
    migrates: true,
    settings: {
      S3_REGION: 'auto',
      S3_BUCKET: 'set-per-environment',
      S3_ENDPOINT: 'https://set-per-environment.r2.cloudflarestorage.com',
      CDN_BASE_URL: 'https://set-per-environment.example',
    },
    secrets: [...SERVICE_SECRETS, 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'MEDIA_WEBHOOK_SECRET'],
    egress: { https: true },
    scale: [2, 6],
  },
  {
    name: 'publishing',
    port: 3104,
    database: 'publishing',
    migrates: true,
    settings: { LINKEDIN_API_URL: 'https://api.linkedin.com', PUBLISHING_MAX_ATTEMPTS: '5' },
    secrets: [...SERVICE_SECRETS, 'PUBLISHING_ENCRYPTION_KEYS', 'SMTP_URL?'],
    egress: { https: true, smtp: true },
    scale: [2, 10],
  },
  {
    name: 'publishing-worker',
    app: 'publishing',
    args: ['worker'],
    port: 3105,
    database: 'publishing',
    secret: 'publishing',
    settings: {
      LINKEDIN_API_URL: 'https://api.linkedin.com',
      PUBLISHING_MAX_ATTEMPTS: '5',
      PUBLISHING_WORKER_CONCURRENCY: '32',
    },
    secrets: [...SERVICE_SECRETS, 'PUBLISHING_ENCRYPTION_KEYS', 'SMTP_URL?'],
    egress: { https: true, smtp: true },
    queues: ['publishing'],
    scale: [2, 20],
  },
  {
    name: 'notifications',
    port: 3106,
    database: 'notifications',
    migrates: true,
    settings: {
      PUBLIC_APP_URL: 'https://set-per-environment.example',
      NOTIFICATIONS_EMAIL_FROM: 'SmartBeak <notifications@set-per-environment.example>',
      EMAIL_PROVIDERS: 'sendgrid,ses',
    },
    secrets: [
      ...SERVICE_SECRETS,
      'NOTIFICATIONS_LINK_SECRET',
      'SMTP_URL?',
      'SENDGRID_API_KEY?',
      'SES_ACCESS_KEY_ID?',
      'SES_SECRET_ACCESS_KEY?',
      'TWILIO_ACCOUNT_SID?',
      'TWILIO_AUTH_TOKEN?',
      'TWILIO_FROM?',
      'FCM_SERVICE_ACCOUNT?',
      'VAPID_PUBLIC_KEY?',
      'VAPID_PRIVATE_KEY?',
      'PAGERDUTY_ROUTING_KEY?',
      'OPERATOR_WEBHOOK_URL?',
      'OPERATOR_WEBHOOK_SECRET?',
    ],
    egress: { https: true, smtp: true },
    queues: ['notifications-email', 'notifications-sms', 'notifications-push'],
    scale: [2, 10],
  },
  {
    name: 'analytics',
    port: 3107,
    database: 'analytics',
    migrates: true,
    settings: {},
    // Reports read from a replica when ANALYTICS_READ_DATABASE_URL is set (README § PostgreSQL at scale).
    secrets: [...SERVICE_SECRETS, 'ANALYTICS_READ_DATABASE_URL?'],
    scale: [2, 6],
  },
  {
    name: 'seo',
    port: 3108,
    database: 'seo',
    migrates: true,
    settings: {},
    secrets: [...SERVICE_SECRETS, 'SEO_ENCRYPTION_KEYS'],
    egress: { https: true },
    queues: ['seo-ingestions'],
    scale: [1, 6],
  },
  // `nx g @smartbeak/tools:service <name>` adds new services above this line.
];

/** Apps in apps/ that are not a Deployment of their own, and why. */
const NOT_DEPLOYED = {
  web: 'the console is static assets, built into the api-gateway image (/app/web) and served by it',
  'platform-e2e': 'the end-to-end tests',
};

module.exports = { DEPLOYABLES, NOT_DEPLOYED };
