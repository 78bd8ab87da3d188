import { randomBytes } from 'node:crypto';

import {
  createTestDatabase,
  createTestKeys,
  freePort,
  isHttpOk,
  migrateApp,
  mintToken,
  runAppCommand,
  type RunningProcess,
  spawnApp,
  type TestDatabase,
  type TestKeys,
  testInfra,
  type TokenOptions,
  uniqueName,
  waitFor,
} from '@smartbeak/testing';

export interface PlatformOptions {
  gatewayEnv?: Record<string, string>;
  mediaEnv?: Record<string, string>;
  contentEnv?: Record<string, string>;
  publishingEnv?: Record<string, string>;
}

/**
 * The real thing, black-box: control-plane and api-gateway from their
 * builds, on a fresh database and a Redis prefix of their own.
 */
export class Platform {
  gateway!: RunningProcess;
  controlPlane!: RunningProcess;
  media!: RunningProcess;
  mediaUrl!: string;
  /** Content replicas: one at start; `startContentReplica` adds more. */
  content: RunningProcess[] = [];
  contentDb!: TestDatabase;
  private contentEnv!: Record<string, string>;
  publishing!: RunningProcess;
  /** Publishing job runners (`main.js worker`): one at start; `startPublishingWorker` adds more. */
  publishingWorkers: RunningProcess[] = [];
  publishingDb!: TestDatabase;
  readonly credentialKey = randomBytes(32).toString('base64');
  private publishingEnv!: Record<string, string>;
  mediaWebhookSecret = uniqueName('media_secret');
  keys!: TestKeys;
  /** The Redis prefix of this platform's queues and RPC lists. */
  prefix!: string;
  url!: string;
  controlPlaneUrl!: string;
  webhookSecret = `whsec_${Buffer.from(uniqueName('secret').padEnd(32, 'x')).toString('base64')}`;
  private db!: TestDatabase;
  private mediaDb!: TestDatabase;
  private cpEnv!: Record<string, string>;

  static async start(options: PlatformOptions = {}): Promise<Platform> {
    const platform = new Platform();
    await platform.boot(options);
    return platform;
  }

  private async boot(options: PlatformOptions): Promise<void> {
    const { redisUrl, s3Endpoint, s3Bucket } = testInfra();
    const prefix = uniqueName('e2e');
    this.prefix = prefix;
    this.keys = await createTestKeys();
    this.db = await createTestDatabase('cp');
    await migrateApp('control-plane', this.db.url);
    this.mediaDb = await createTestDatabase('media');
    await migrateApp('media', this.mediaDb.url);
    this.contentDb = await createTestDatabase('content');
    await migrateApp('content', this.contentDb.url);
    this.publishingDb = await createTestDatabase('publishing');
    await migrateApp('publishing', this.publishingDb.url);
    const [gatewayPort, cpPort, mediaPort] = [await freePort(), await freePort(), await freePort()];
    this.cpEnv = {
      DATABASE_URL: this.db.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      HTTP_PORT: String(cpPort),
      OUTBOX_POLL_MS: '200',
    };
    this.controlPlaneUrl = `http://127.0.0.1:${cpPort}`;
    await this.startControlPlane();
    this.mediaUrl = `http://127.0.0.1:${mediaPort}`;
    this.media = spawnApp('media', {
      DATABASE_URL: this.mediaDb.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      HTTP_PORT: String(mediaPort),
      S3_ENDPOINT: s3Endpoint,
      S3_BUCKET: s3Bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      CDN_BASE_URL: `${s3Endpoint}/${s3Bucket}`,
      MEDIA_WEBHOOK_SECRET: this.mediaWebhookSecret,
      OUTBOX_POLL_MS: '200',
      ...options.mediaEnv,
    });
    await waitFor(() => isHttpOk(`${this.mediaUrl}/health/ready`), 30_000, 'media').catch((error: Error) => {
      throw new Error(`${error.message}\n${this.media.tail()}`);
    });
    this.contentEnv = {
      DATABASE_URL: this.contentDb.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      OUTBOX_POLL_MS: '200',
      ...options.contentEnv,
    };
    await this.startContentReplica();
    const { smtpUrl } = testInfra();
    this.publishingEnv = {
      DATABASE_URL: this.publishingDb.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      OUTBOX_POLL_MS: '200',
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
    const publishingPort = await freePort();
    this.publishing = spawnApp('publishing', { ...this.publishingEnv, HTTP_PORT: String(publishingPort) });
    await waitFor(
      () => isHttpOk(`http://127.0.0.1:${publishingPort}/health/ready`),
      30_000,
      'publishing',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${this.publishing.tail()}`);
    });
    await this.startPublishingWorker();
    this.gateway = spawnApp('api-gateway', {
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      GATEWAY_PORT: String(gatewayPort),
      CLERK_JWT_KEY: this.keys.publicKeyPem,
      CLERK_WEBHOOK_SIGNING_SECRET: this.webhookSecret,
      RPC_TIMEOUT_MS: '2000',
      RATE_LIMIT_PER_MINUTE: '0',
      BODY_LIMIT_BYTES: '65536',
      ...options.gatewayEnv,
    });
    this.url = `http://127.0.0.1:${gatewayPort}`;
    await waitFor(() => isHttpOk(`${this.url}/api/health`), 30_000, 'the gateway').catch((error: Error) => {
      throw new Error(
        `${error.message}\n${this.gateway.tail()}\n${this.controlPlane.tail()}\n${this.media.tail()}\n${this.content[0]?.tail()}`,
      );
    });
  }

  async startControlPlane(): Promise<void> {
    this.controlPlane = spawnApp('control-plane', this.cpEnv);
    await waitFor(() => isHttpOk(`${this.controlPlaneUrl}/health/ready`), 30_000, 'control-plane').catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${this.controlPlane.tail()}`);
      },
    );
  }

  /** Starts one more content process on the same database and Redis prefix. */
  async startContentReplica(): Promise<RunningProcess> {
    const port = await freePort();
    const replica = spawnApp('content', { ...this.contentEnv, HTTP_PORT: String(port) });
    this.content.push(replica);
    await waitFor(() => isHttpOk(`http://127.0.0.1:${port}/health/ready`), 30_000, 'content').catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${replica.tail()}`);
      },
    );
    return replica;
  }

  /** Starts one more publishing worker (`main.js worker`) on the same database and queue. */
  async startPublishingWorker(): Promise<RunningProcess> {
    const port = await freePort();
    const worker = spawnApp('publishing', { ...this.publishingEnv, HTTP_PORT: String(port) }, ['worker']);
    this.publishingWorkers.push(worker);
    await waitFor(
      () => isHttpOk(`http://127.0.0.1:${port}/health/ready`),
      30_000,
      'a publishing worker',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${worker.tail()}`);
    });
    return worker;
  }

  /** A one-off command of the content service against this platform's database. */
  contentCommand(...args: string[]): Promise<{ code: number | null; output: string }> {
    return runAppCommand('content', this.contentDb.url, args);
  }

  token(options: TokenOptions = {}): Promise<string> {
    return mintToken(this.keys, options);
  }

  async stop(): Promise<void> {
    await Promise.all([
      this.gateway?.stop(),
      this.controlPlane?.stop(),
      this.media?.stop(),
      ...this.content.map((replica) => replica.stop()),
      this.publishing?.stop(),
      ...this.publishingWorkers.map((worker) => worker.stop()),
    ]);
    await Promise.all([
      this.db?.drop(),
      this.mediaDb?.drop(),
      this.contentDb?.drop(),
      this.publishingDb?.drop(),
    ]);
  }
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
