import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import {
  createTestDatabase,
  createTestKeys,
  freePort,
  inPool,
  isHttpOk,
  type MessageKey,
  type MessageKeyring,
  messageKeyring,
  mintToken,
  runAppCommand,
  type RunningProcess,
  spawnApp,
  type TestDatabase,
  type TestKeys,
  testInfra,
  testStorageEnv,
  type TokenOptions,
  uniqueName,
  waitFor,
} from '@smartbeak/testing';
import { exportPKCS8, importPKCS8 } from 'jose';
import request from 'supertest';
import webpush from 'web-push';

/** The services behind the gateway a spec may ask for (the gateway always runs). */
export type ServiceName =
  'control-plane' | 'media' | 'content' | 'publishing' | 'notifications' | 'analytics' | 'seo';
export const ALL_SERVICES: ServiceName[] = [
  'control-plane',
  'media',
  'content',
  'publishing',
  'notifications',
  'analytics',
];

/** The provider catcher's accounts every platform's notifications uses (README § Notifications). */
export const CATCHER_ACCOUNTS = {
  sendgridKey: 'SG.e2e',
  sesAccessKey: 'AKIAE2ECATCHER',
  twilioSid: 'AC00000000000000000000000000e2e0',
  twilioToken: 'e2e-twilio-auth-token',
  twilioFrom: '+15005550006',
  fcmProject: 'smartbeak-e2e',
  pagerRoutingKey: 'e2e-routing-key',
};

export interface PlatformOptions {
  /** Which services to run (default: all). `publishing` brings one worker; control-plane is always there. */
  services?: ServiceName[];
  gatewayEnv?: Record<string, string>;
  controlPlaneEnv?: Record<string, string>;
  mediaEnv?: Record<string, string>;
  contentEnv?: Record<string, string>;
  publishingEnv?: Record<string, string>;
  notificationsEnv?: Record<string, string>;
  analyticsEnv?: Record<string, string>;
  /** SEO runs only when asked for (its specs bring their own provider stand-ins and point it at them). */
  seoEnv?: Record<string, string>;
  /** Another Redis than the test stack's (its ACL users set up): the URL of each process's user. */
  redisUrlFor?: (user: string) => string;
  /** A service's database settings from its database's URL (default: `DATABASE_URL` = that URL). */
  databaseEnv?: (service: ServiceName, url: string) => Record<string, string>;
}

/** What a shared platform's specs need to reach it (written by the global setup). */
export interface PlatformAddress {
  url: string;
  /** The gateway's internal /metrics port (never its public one). */
  metricsUrl: string;
  controlPlaneUrl: string;
  prefix: string;
  privateKeyPem: string;
  publicKeyPem: string;
  webhookSecret: string;
  mediaWebhookSecret: string;
  credentialKey: string;
  /** Every signer's message key pair (a spec may sign as a service, or forge). */
  messageKeys: Record<string, MessageKey>;
  /** The notifications database (a spec may move time forward in it, or look at deliveries). */
  notificationsDbUrl: string;
  /** The analytics database (a spec may look at raw rows and tiers). */
  analyticsDbUrl: string;
}

/** The org whose admins operate every platform the specs boot (dead letters, dashboards). */
export const OPERATOR_ORG = 'org_ops';

/** Where the global setup put the migrated template of each service's database. */
export const TEMPLATES_ENV = 'SMARTBEAK_E2E_TEMPLATES';
/** The JSON file describing the shared platform (written by the global setup). */
export const SHARED_ENV = 'SMARTBEAK_E2E_SHARED';

function templates(): Partial<Record<ServiceName, string>> {
  return JSON.parse(process.env[TEMPLATES_ENV] ?? '{}');
}

/** A database for `service`: a copy of its migrated template, or (no template) created and migrated here. */
async function serviceDatabase(service: ServiceName): Promise<TestDatabase> {
  const template = templates()[service];
  const db = await createTestDatabase(service.replace('-', '_'), template);
  if (!template) {
    const { code, output } = await runAppCommand(service, db.url, ['migrate']);
    if (code !== 0) throw new Error(`${service} migrate exited ${code}:\n${output}`);
  }
  return db;
}

async function ready(process: RunningProcess, url: string, what: string): Promise<void> {
  // Generous: the e2e platforms boot while the other projects' tests load both cores.
  await waitFor(() => isHttpOk(url), 60_000, what).catch(async (error: Error) => {
    const last = await fetch(url)
      .then(async (res) => `${url} answers ${res.status}: ${(await res.text()).slice(0, 500)}`)
      .catch((failure: Error) => `${url}: ${failure.message}`);
    throw new Error(`${error.message}\n${last}\n${process.tail()}`);
  });
}

/**
 * The real thing, black-box: the gateway and the services a spec asks for,
 * from their builds, each on a database of its own and all on a Redis prefix
 * of their own. Databases are copied from templates migrated once per run;
 * processes start together.
 *
 * `Platform.start()` owns its processes (a spec that kills, restarts or
 * reconfigures them); `Platform.shared()` attaches to the platform this jest
 * worker shares with other specs — give each such spec its own tenant
 * (`seedTenant`) and never stop or reconfigure it.
 */
export class Platform {
  gateway!: RunningProcess;
  controlPlane!: RunningProcess;
  media?: RunningProcess;
  mediaUrl!: string;
  /** Content replicas: one at start; `startContentReplica` adds more. */
  content: RunningProcess[] = [];
  contentDb!: TestDatabase;
  publishing?: RunningProcess;
  /** Publishing job runners (`main.js worker`): one at start; `startPublishingWorker` adds more. */
  publishingWorkers: RunningProcess[] = [];
  publishingDb!: TestDatabase;
  notifications?: RunningProcess;
  notificationsDb!: TestDatabase;
  /** Analytics' processes: one at start; `startAnalytics` adds more (or restarts a killed one). */
  analytics: RunningProcess[] = [];
  analyticsDb!: TestDatabase;
  seo?: RunningProcess;
  seoDb!: TestDatabase;
  credentialKey = randomBytes(32).toString('base64');
  mediaWebhookSecret = uniqueName('media_secret');
  keys!: TestKeys;
  /** The Ed25519 keys the gateway and each service sign their messages with. */
  messageKeys: MessageKeyring = messageKeyring(['api-gateway', ...ALL_SERVICES, 'seo']);
  /** The Redis prefix of this platform's queues and RPC lists. */
  prefix!: string;
  url!: string;
  /** The gateway's `/metrics`, on its internal port. */
  metricsUrl!: string;
  controlPlaneUrl!: string;
  webhookSecret = `whsec_${Buffer.from(uniqueName('secret').padEnd(32, 'x')).toString('base64')}`;
  /** Attached to a shared platform: not ours to stop. */
  private attached = false;
  private databases: TestDatabase[] = [];
  private env: Record<ServiceName, Record<string, string>> = {} as never;

  static async start(options: PlatformOptions = {}): Promise<Platform> {
    const platform = new Platform();
    try {
      await platform.boot(options);
    } catch (error) {
      await platform.stop();
      throw error;
    }
    return platform;
  }

  /** The platform the specs share (booted once by the global setup). */
  static async shared(): Promise<Platform> {
    const file = process.env[SHARED_ENV];
    if (!file)
      throw new Error(`no shared platform: run the e2e through jest (global setup sets ${SHARED_ENV})`);
    const address = JSON.parse(readFileSync(file, 'utf8')) as PlatformAddress;
    const platform = new Platform();
    platform.attached = true;
    platform.url = address.url;
    platform.metricsUrl = address.metricsUrl;
    platform.controlPlaneUrl = address.controlPlaneUrl;
    platform.prefix = address.prefix;
    platform.keys = {
      privateKey: await importPKCS8(address.privateKeyPem, 'RS256'),
      publicKeyPem: address.publicKeyPem,
    };
    platform.webhookSecret = address.webhookSecret;
    platform.mediaWebhookSecret = address.mediaWebhookSecret;
    platform.credentialKey = address.credentialKey;
    platform.messageKeys = messageKeyring([], address.messageKeys);
    platform.notificationsDb = {
      name: new URL(address.notificationsDbUrl).pathname.slice(1),
      url: address.notificationsDbUrl,
      drop: () => Promise.reject(new Error('the shared platform owns its databases')),
    };
    platform.analyticsDb = {
      name: new URL(address.analyticsDbUrl).pathname.slice(1),
      url: address.analyticsDbUrl,
      drop: () => Promise.reject(new Error('the shared platform owns its databases')),
    };
    return platform;
  }

  /** What another process needs to attach to this platform (see `shared`). */
  async address(): Promise<PlatformAddress> {
    return {
      url: this.url,
      metricsUrl: this.metricsUrl,
      controlPlaneUrl: this.controlPlaneUrl,
      prefix: this.prefix,
      privateKeyPem: await exportPKCS8(this.keys.privateKey),
      publicKeyPem: this.keys.publicKeyPem,
      webhookSecret: this.webhookSecret,
      mediaWebhookSecret: this.mediaWebhookSecret,
      credentialKey: this.credentialKey,
      messageKeys: this.messageKeys.keys,
      notificationsDbUrl: this.notificationsDb.url,
      analyticsDbUrl: this.analyticsDb.url,
    };
  }

  private async boot(options: PlatformOptions): Promise<void> {
    const services = new Set<ServiceName>(['control-plane', ...(options.services ?? ALL_SERVICES)]);
    const { smtpUrl } = testInfra();
    const redisUrlFor = options.redisUrlFor ?? testInfra().redisUrlFor;
    this.prefix = uniqueName('e2e');
    const [keys, ...databases] = await Promise.all([
      createTestKeys(),
      ...[...services].map((service) => serviceDatabase(service)),
    ]);
    this.keys = keys as TestKeys;
    this.databases = databases as TestDatabase[];
    const dbOf = (service: ServiceName) => this.databases[[...services].indexOf(service)] as TestDatabase;
    // Its database: directly, or as `databaseEnv` says (through a pooler, with its settings).
    const databaseEnv = (service: ServiceName, url: string): Record<string, string> =>
      options.databaseEnv ? options.databaseEnv(service, url) : { DATABASE_URL: url };
    // Each process as deployed: its own Redis ACL user, its own signing key.
    const common = (service: ServiceName) => ({
      REDIS_URL: redisUrlFor(service),
      REDIS_PREFIX: this.prefix,
      OUTBOX_POLL_MS: '200',
      OPERATOR_ORGS: OPERATOR_ORG,
      ...this.messageKeys.env(service),
    });

    this.env['control-plane'] = {
      ...common('control-plane'),
      ...databaseEnv('control-plane', dbOf('control-plane').url),
      HTTP_PORT: String(await freePort()),
      ...options.controlPlaneEnv,
    };
    this.controlPlaneUrl = `http://127.0.0.1:${this.env['control-plane']['HTTP_PORT']}`;
    const starting: Promise<unknown>[] = [this.startControlPlane()];

    if (services.has('media')) {
      const port = await freePort();
      this.mediaUrl = `http://127.0.0.1:${port}`;
      this.env.media = {
        ...common('media'),
        ...databaseEnv('media', dbOf('media').url),
        HTTP_PORT: String(port),
        ...testStorageEnv(),
        MEDIA_WEBHOOK_SECRET: this.mediaWebhookSecret,
        ...options.mediaEnv,
      };
      this.media = spawnApp('media', this.env.media);
      starting.push(ready(this.media, `${this.mediaUrl}/health/ready`, 'media'));
    }
    if (services.has('content')) {
      this.contentDb = dbOf('content');
      this.env.content = {
        ...common('content'),
        ...databaseEnv('content', this.contentDb.url),
        ...options.contentEnv,
      };
      starting.push(this.startContentReplica());
    }
    if (services.has('publishing')) {
      this.publishingDb = dbOf('publishing');
      this.env.publishing = {
        ...common('publishing'),
        ...databaseEnv('publishing', this.publishingDb.url),
        PUBLISHING_ENCRYPTION_KEYS: `test:${this.credentialKey}`,
        // The contract fakes listen on loopback over http: allowed here, and only here.
        OUTBOUND_ALLOWLIST: '127.0.0.1',
        OUTBOUND_ALLOW_HTTP: 'true',
        OUTBOUND_TIMEOUT_MS: '3000',
        SMTP_URL: smtpUrl,
        PUBLISHING_BACKOFF_MS: '200',
        PUBLISHING_STALLED_MS: '3000',
        PUBLISHING_SWEEP_EVERY_MS: '2000',
        ...options.publishingEnv,
      };
      const port = await freePort();
      this.publishing = spawnApp('publishing', { ...this.env.publishing, HTTP_PORT: String(port) });
      starting.push(ready(this.publishing, `http://127.0.0.1:${port}/health/ready`, 'publishing'));
      starting.push(this.startPublishingWorker());
    }

    if (services.has('notifications')) {
      this.notificationsDb = dbOf('notifications');
      const catcher = new URL(testInfra().mailApi).origin;
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const vapid = webpush.generateVAPIDKeys();
      this.env.notifications = {
        ...common('notifications'),
        ...databaseEnv('notifications', this.notificationsDb.url),
        NOTIFICATIONS_LINK_SECRET: randomBytes(32).toString('hex'),
        SMTP_URL: smtpUrl,
        EMAIL_PROVIDERS: 'smtp,sendgrid,ses',
        SENDGRID_API_URL: `${catcher}/sendgrid`,
        SENDGRID_API_KEY: CATCHER_ACCOUNTS.sendgridKey,
        SES_ENDPOINT: `${catcher}/ses`,
        SES_ACCESS_KEY_ID: CATCHER_ACCOUNTS.sesAccessKey,
        SES_SECRET_ACCESS_KEY: 'e2e',
        TWILIO_API_URL: `${catcher}/twilio`,
        TWILIO_ACCOUNT_SID: CATCHER_ACCOUNTS.twilioSid,
        TWILIO_AUTH_TOKEN: CATCHER_ACCOUNTS.twilioToken,
        TWILIO_FROM: CATCHER_ACCOUNTS.twilioFrom,
        FCM_API_URL: `${catcher}/fcm`,
        GOOGLE_OAUTH_TOKEN_URL: `${catcher}/google/token`,
        FCM_SERVICE_ACCOUNT: JSON.stringify({
          project_id: CATCHER_ACCOUNTS.fcmProject,
          client_email: 'e2e@smartbeak-e2e.iam.gserviceaccount.com',
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        }),
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        PAGERDUTY_EVENTS_URL: `${catcher}/pagerduty/v2/enqueue`,
        PAGERDUTY_ROUTING_KEY: CATCHER_ACCOUNTS.pagerRoutingKey,
        OUTBOUND_ALLOWLIST: '127.0.0.1',
        OUTBOUND_ALLOW_HTTP: 'true',
        OUTBOUND_TIMEOUT_MS: '3000',
        NOTIFICATIONS_BACKOFF_MS: '200',
        NOTIFICATIONS_SWEEP_EVERY_MS: '1000',
        NOTIFICATIONS_MAX_ATTEMPTS: '3',
        NOTIFICATIONS_CIRCUIT_COOLDOWN_MS: '300',
        ...options.notificationsEnv,
      };
      const port = await freePort();
      this.notifications = spawnApp('notifications', { ...this.env.notifications, HTTP_PORT: String(port) });
      starting.push(ready(this.notifications, `http://127.0.0.1:${port}/health/ready`, 'notifications'));
    }

    if (services.has('analytics')) {
      this.analyticsDb = dbOf('analytics');
      this.env.analytics = {
        ...common('analytics'),
        ...databaseEnv('analytics', this.analyticsDb.url),
        // Fast cycles: a finished hour or a late event shows within a second or so.
        ANALYTICS_ROLLUP_EVERY_MS: '500',
        ANALYTICS_BATCH_WAIT_MS: '50',
        ...options.analyticsEnv,
      };
      starting.push(this.startAnalytics());
    }

    if (services.has('seo')) {
      this.seoDb = dbOf('seo');
      const port = await freePort();
      this.env.seo = {
        ...common('seo'),
        ...databaseEnv('seo', this.seoDb.url),
        HTTP_PORT: String(port),
        SEO_ENCRYPTION_KEYS: `e2e:${this.credentialKey}`,
        // The providers' stand-ins run on this machine; back-offs short so retries show within a test.
        OUTBOUND_ALLOWLIST: '127.0.0.0/8,::1',
        OUTBOUND_ALLOW_HTTP: 'true',
        SEO_RETRY_BASE_MS: '100',
        SEO_RETRY_MAX_MS: '500',
        GSC_MIN_INTERVAL_MS: '0',
        ...options.seoEnv,
      };
      this.seo = spawnApp('seo', this.env.seo);
      starting.push(ready(this.seo, `http://127.0.0.1:${port}/health/ready`, 'seo'));
    }

    const [gatewayPort, metricsPort] = [await freePort(), await freePort()];
    this.url = `http://127.0.0.1:${gatewayPort}`;
    this.metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    this.gateway = spawnApp('api-gateway', {
      REDIS_URL: redisUrlFor('api-gateway'),
      REDIS_PREFIX: this.prefix,
      OPERATOR_ORGS: OPERATOR_ORG,
      ...this.messageKeys.env('api-gateway'),
      GATEWAY_PORT: String(gatewayPort),
      METRICS_PORT: String(metricsPort),
      // The development key, as under npm start (the console's dev sign-in exists); a spec that
      // passes a Clerk key in gatewayEnv gets a gateway that trusts Clerk alone.
      ...(options.gatewayEnv?.['CLERK_JWT_KEY'] || options.gatewayEnv?.['CLERK_SECRET_KEY']
        ? {}
        : { DEV_SESSION_KEY: await exportPKCS8(this.keys.privateKey) }),
      CLERK_WEBHOOK_SIGNING_SECRET: this.webhookSecret,
      // The console uploads to and shows images from the test S3 server (its CDN here).
      WEB_CSP_ORIGINS: testInfra().s3Endpoint,
      RPC_TIMEOUT_MS: '2000',
      RATE_LIMIT_PER_MINUTE: '0',
      AUTH_FAILURE_LIMIT_PER_MINUTE: '0',
      BODY_LIMIT_BYTES: '65536',
      HEALTH_SERVICES: [...services].join(','),
      USAGE_METER_FLUSH_MS: '500',
      ...options.gatewayEnv,
    });
    starting.push(ready(this.gateway, `${this.url}/health/ready`, 'the gateway'));
    await Promise.all(starting);
    // Every service announced itself on Redis: the gateway can reach them all.
    await waitFor(() => isHttpOk(`${this.url}/api/health`), 30_000, 'every service behind the gateway').catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${this.gateway.tail()}`);
      },
    );
  }

  async startControlPlane(): Promise<void> {
    this.controlPlane = spawnApp('control-plane', this.env['control-plane']);
    await ready(this.controlPlane, `${this.controlPlaneUrl}/health/ready`, 'control-plane');
  }

  /** Starts one more content process on the same database and Redis prefix. */
  async startContentReplica(): Promise<RunningProcess> {
    const port = await freePort();
    const replica = spawnApp('content', { ...this.env.content, HTTP_PORT: String(port) });
    this.content.push(replica);
    await ready(replica, `http://127.0.0.1:${port}/health/ready`, 'content');
    return replica;
  }

  /** Starts one more publishing worker (`main.js worker`) on the same database and queue. */
  async startPublishingWorker(): Promise<RunningProcess> {
    const port = await freePort();
    const worker = spawnApp('publishing', { ...this.env.publishing, HTTP_PORT: String(port) }, ['worker']);
    this.publishingWorkers.push(worker);
    await ready(worker, `http://127.0.0.1:${port}/health/ready`, 'a publishing worker');
    return worker;
  }

  /** Starts one more analytics process (the batcher, reports, rollups) on the same database and queue. */
  async startAnalytics(): Promise<RunningProcess> {
    const port = await freePort();
    const analytics = spawnApp('analytics', { ...this.env.analytics, HTTP_PORT: String(port) });
    this.analytics.push(analytics);
    await ready(analytics, `http://127.0.0.1:${port}/health/ready`, 'analytics');
    return analytics;
  }

  /** A one-off command of the content service against this platform's database. */
  contentCommand(...args: string[]): Promise<{ code: number | null; output: string }> {
    return runAppCommand('content', this.contentDb.url, args);
  }

  token(options: TokenOptions = {}): Promise<string> {
    return mintToken(this.keys, options);
  }

  async stop(): Promise<void> {
    if (this.attached) return;
    await Promise.all(
      [
        this.gateway,
        this.controlPlane,
        this.media,
        this.publishing,
        this.notifications,
        this.seo,
        ...this.content,
        ...this.publishingWorkers,
        ...this.analytics,
      ].map((process) => process?.stop()),
    );
    await Promise.all(this.databases.map((db) => db.drop()));
  }
}

export interface Tenant {
  orgId: string;
  domainId: string;
  hostname: string;
  /** A token of this org (its domain by default) for `userId` with `permissions`. */
  token(userId: string, permissions: string[], options?: TokenOptions): Promise<string>;
  /** An `org:admin` token of this org. */
  admin: string;
}

/**
 * An org of its own with one domain, so specs sharing a platform never see
 * each other's data: every name carries a random suffix.
 */
export async function seedTenant(platform: Platform, label: string): Promise<Tenant> {
  const orgId = uniqueName(`org_${label}`);
  const hostname = `${uniqueName(label).replace(/_/g, '-')}.example.com`;
  const admin = await platform.token({ userId: 'user_admin', orgId, permissions: ['org:admin'] });
  const res = await request(platform.url)
    .post('/api/domains')
    .set('Authorization', `Bearer ${admin}`)
    .send({ name: label, hostname });
  if (res.status !== 201)
    throw new Error(`seedTenant: POST /api/domains answered ${res.status}: ${res.text}`);
  const domainId = res.body.id as string;
  return {
    orgId,
    domainId,
    hostname,
    admin,
    token: (userId, permissions, options = {}) =>
      platform.token({ userId, orgId, permissions, domainId, ...options }),
  };
}

/** `count` items titled `<label> <n>`, each created and submitted for review (publishable), 16 at a time. */
export async function itemsInReview(
  platform: Platform,
  token: string,
  label: string,
  count: number,
): Promise<{ id: string; slug: string }[]> {
  const post = (path: string) => request(platform.url).post(path).set('Authorization', `Bearer ${token}`);
  return inPool(
    Array.from({ length: count }, (_, i) => `${label} ${i}`),
    16,
    async (title) => {
      const item = (await post('/api/content').send({ title, body: '<p>x</p>' }).expect(201)).body;
      await post(`/api/content/${item.id}/transitions`).send({ to: 'review', version: 1 }).expect(200);
      return item as { id: string; slug: string };
    },
  );
}

/** What every refusal must look like: RFC 9457 problem+json. */
export function expectProblem(
  res: { status: number; headers: Record<string, string>; body: Record<string, unknown> },
  status: number,
): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual(
    expect.objectContaining({
      type: expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
    }),
  );
}
