import { randomUUID } from 'node:crypto';

import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CommonError, type EventEnvelope, Patterns, type RequestContext } from '@smartbeak/contracts';
import { messagesRefused } from '@smartbeak/observability';
import { Database, systemScope } from '@smartbeak/persistence';
import {
  createTestDatabase,
  eventually,
  messageKeyring,
  newMessageKey,
  type TestDatabase,
  testInfra,
  uniqueName,
} from '@smartbeak/testing';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';

import {
  bullPrefix,
  EventConsumer,
  EventDeadLetters,
  MessageKeys,
  mintPassport,
  EventDeadLetters1765100000000,
  OutboxAndInbox1764000000000,
  OutboxClaims1765300000000,
  RedisRpcServer,
  RpcClient,
  RpcErrorFilter,
  rpcKeys,
  sealEvent,
  sealRequest,
  serviceCallContext,
  signRequest,
} from '../src';

// Signers as deployed: the gateway and three services, each with its own key pair.
const ring = messageKeyring(['api-gateway', 'content', 'publishing', 'control-plane']);
const keysOf = (signer: string, trusted = ring.env(signer).MESSAGE_TRUSTED_KEYS) =>
  MessageKeys.parse(signer, ring.env(signer).MESSAGE_SIGNING_KEY, trusted);

async function refusals(kind: string, reason: string): Promise<number> {
  const metric = await messagesRefused.get();
  return metric.values.find((v) => v.labels['kind'] === kind && v.labels['reason'] === reason)?.value ?? 0;
}

/** What content's handlers were asked to do, and as whom. */
const written: { pattern: string; ctx: RequestContext; payload: unknown }[] = [];

function contentModule(forwardTo: () => RpcClient) {
  @Controller()
  class ContentHandler {
    @MessagePattern(Patterns.content.create)
    create(@Payload('ctx') ctx: RequestContext, @Payload('payload') payload: unknown): { ok: true } {
      written.push({ pattern: Patterns.content.create, ctx, payload });
      return { ok: true };
    }

    @MessagePattern(Patterns.content.get)
    get(@Payload('ctx') ctx: RequestContext): RequestContext {
      return ctx;
    }

    /** Asks control-plane for the same request: the user's context is forwarded, not re-minted. */
    @MessagePattern(Patterns.content.list)
    list(@Payload('ctx') ctx: RequestContext): Promise<RequestContext> {
      return forwardTo().send(Patterns.controlPlane.domainCheck, { ctx, payload: {} });
    }
  }
  @Module({ controllers: [ContentHandler] })
  class ContentModule {}
  return ContentModule;
}

@Controller()
class ControlPlaneHandler {
  @MessagePattern(Patterns.controlPlane.domainCheck)
  check(@Payload('ctx') ctx: RequestContext): RequestContext {
    return ctx;
  }
}
@Module({ controllers: [ControlPlaneHandler] })
class ControlPlaneModule {}

describe('trust boundaries on Redis', () => {
  const { redisUrl } = testInfra();
  const prefix = uniqueName('trust');
  const apps: INestMicroservice[] = [];
  const clients: RpcClient[] = [];
  let redis: Redis;
  let gateway: RpcClient;
  let publishing: RpcClient;
  let contentClient: RpcClient;

  async function client(keys: MessageKeys): Promise<RpcClient> {
    const rpc = new RpcClient({ redisUrl, prefix, timeoutMs: 2_000, keys });
    await rpc.connect();
    clients.push(rpc);
    return rpc;
  }

  async function serve(service: string, module: object, keys: MessageKeys): Promise<INestMicroservice> {
    const app = await NestFactory.createMicroservice(module as never, {
      strategy: new RedisRpcServer({ redisUrl, prefix, service, concurrency: 8, keys }),
      logger: false,
    });
    app.useGlobalFilters(new RpcErrorFilter());
    await app.listen();
    apps.push(app);
    return app;
  }

  const user: RequestContext = {
    userId: 'user_1',
    orgId: 'org_1',
    domainId: null,
    permissions: ['content:write'],
    requestId: 'req_1',
  };

  beforeAll(async () => {
    redis = new Redis(redisUrl);
    contentClient = await client(keysOf('content'));
    await serve(
      'content',
      contentModule(() => contentClient),
      keysOf('content'),
    );
    await serve('control-plane', ControlPlaneModule, keysOf('control-plane'));
    gateway = await client(keysOf('api-gateway'));
    publishing = await client(keysOf('publishing'));
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(apps.map((app) => app.close()));
    redis.disconnect();
  });

  beforeEach(() => {
    written.length = 0;
  });

  /** Pushes `request` as a hostile client with the plain Redis URL would, and waits for the refusal to count. */
  async function push(request: object, kind: string, reason: string): Promise<void> {
    const before = await refusals(kind, reason);
    await redis.lpush(rpcKeys.requests(prefix, 'content'), JSON.stringify(request));
    await eventually(async () => expect(await refusals(kind, reason)).toBe(before + 1));
  }

  it('serves a request the gateway signed, with the user context it minted', async () => {
    await expect(
      gateway.send(Patterns.content.create, { ctx: user, payload: { title: 'ok' } }),
    ).resolves.toEqual({
      ok: true,
    });
    expect(written).toEqual([
      {
        pattern: Patterns.content.create,
        ctx: expect.objectContaining({ userId: 'user_1', orgId: 'org_1' }),
        payload: { title: 'ok' },
      },
    ]);
  });

  it('refuses a forged, unsigned request with an admin context: nothing written, the refusal counted', async () => {
    await push(
      {
        id: randomUUID(),
        pattern: Patterns.content.create,
        data: { ctx: { ...user, orgId: 'org_victim', permissions: ['org:admin'] }, payload: { title: 'x' } },
        deadline: Date.now() + 5_000,
      },
      'rpc',
      'unsigned',
    );
    expect(written).toEqual([]);
  });

  it('refuses a signed request replayed with another payload', async () => {
    const signed = sealRequest(
      keysOf('api-gateway'),
      { id: randomUUID(), pattern: Patterns.content.create, deadline: Date.now() + 5_000 },
      { ctx: user, payload: { title: 'original' } },
    );
    const body = JSON.parse(signed.body) as { payload: unknown };
    body.payload = { title: 'altered' };
    await push({ ...signed, body: JSON.stringify(body) }, 'rpc', 'bad-signature');
    // The same signature moved onto another pattern is refused too.
    await push({ ...signed, pattern: Patterns.content.delete }, 'rpc', 'bad-signature');
    expect(written).toEqual([]);
  });

  it("refuses a pair MAC made by another service, or made for another service, as the gateway's", async () => {
    const gatewayRequest = sealRequest(
      keysOf('api-gateway'),
      { id: randomUUID(), pattern: Patterns.content.create, deadline: Date.now() + 5_000 },
      { ctx: user, payload: { title: 'x' } },
    );
    // The gateway's requests to a service with one key are MACed for that service's key.
    expect(gatewayRequest.seal).toMatchObject({
      signer: 'api-gateway',
      to: expect.stringMatching(/^content\//),
    });
    // Publishing computes a MAC with its own pair key to content and names the gateway as sender.
    const byPublishing = signRequest(keysOf('publishing'), { ...gatewayRequest, id: randomUUID() });
    await push(
      {
        ...byPublishing,
        seal: { ...byPublishing.seal, signer: 'api-gateway', kid: gatewayRequest.seal.kid },
      },
      'rpc',
      'bad-signature',
    );
    // The gateway's request to control-plane, pushed onto content's list: not MACed for content.
    const forControlPlane = signRequest(keysOf('api-gateway'), {
      ...gatewayRequest,
      pattern: Patterns.controlPlane.domainCheck,
    });
    await push(forControlPlane, 'rpc', 'bad-signature');
    expect(written).toEqual([]);
  });

  it('refuses a user context a service minted, or one that has expired', async () => {
    // Signed by publishing, a real service: a valid envelope, but the context is not the gateway's.
    const publishingKeys = keysOf('publishing');
    const forgedPassport = (() => {
      const body = Buffer.from(JSON.stringify({ ctx: user, exp: Date.now() + 30_000 })).toString('base64url');
      const seal = publishingKeys.seal('smartbeak.passport.v1', body);
      return `${body}.${seal.kid}.${Buffer.from(seal.sig, 'base64').toString('base64url')}`;
    })();
    // A well-signed envelope from publishing that carries a user context.
    const envelope = (ctx: string) =>
      signRequest(publishingKeys, {
        id: randomUUID(),
        pattern: Patterns.content.create,
        deadline: Date.now() + 5_000,
        body: JSON.stringify({ ctx, payload: {} }),
      });
    await push(envelope(forgedPassport), 'rpc', 'context-bad-signature');
    await push(
      envelope(mintPassport(keysOf('api-gateway'), user, Date.now() - 120_000)),
      'rpc',
      'context-expired',
    );
    expect(written).toEqual([]);
    // And a service cannot send a user context it did not receive.
    await expect(publishing.send(Patterns.content.create, { ctx: user, payload: {} })).rejects.toThrow(
      /cannot speak for a user/,
    );
  });

  it('lets a service call only where its sender is granted, with the granted permissions', async () => {
    await expect(
      publishing.send<RequestContext>(Patterns.content.get, {
        ctx: serviceCallContext('org_1'),
        payload: {},
      }),
    ).resolves.toMatchObject({ userId: 'service:publishing', orgId: 'org_1', permissions: ['content:read'] });
    const before = await refusals('rpc', 'not-granted');
    await expect(
      publishing.send(Patterns.content.create, { ctx: serviceCallContext('org_1'), payload: { title: 'x' } }),
    ).rejects.toMatchObject({ code: CommonError.INTERNAL });
    expect(await refusals('rpc', 'not-granted')).toBe(before + 1);
    expect(written).toEqual([]);
  });

  it("forwards the user's context unchanged on a call made for the same request", async () => {
    const seen = await gateway.send<RequestContext>(Patterns.content.list, { ctx: user, payload: {} });
    expect(seen).toMatchObject({
      userId: 'user_1',
      orgId: 'org_1',
      requestId: 'req_1',
      permissions: ['content:write'],
    });
  });

  it('rotates the gateway key without a failed request', async () => {
    // Phase 1: the new key k2 is published to every receiver beside k1.
    const k2 = newMessageKey('api-gateway', 'k2');
    const trustedBoth = `${ring.env('content').MESSAGE_TRUSTED_KEYS},${k2.publicKey}`;
    const rotatingPrefix = uniqueName('rotate');
    const content = await NestFactory.createMicroservice(
      contentModule(() => contentClient),
      {
        strategy: new RedisRpcServer({
          redisUrl,
          prefix: rotatingPrefix,
          service: 'content',
          concurrency: 8,
          keys: keysOf('content', trustedBoth),
        }),
        logger: false,
      },
    );
    await content.listen();
    apps.push(content);
    const oldGateway = new RpcClient({
      redisUrl,
      prefix: rotatingPrefix,
      timeoutMs: 2_000,
      keys: keysOf('api-gateway', trustedBoth),
    });
    const newGateway = new RpcClient({
      redisUrl,
      prefix: rotatingPrefix,
      timeoutMs: 2_000,
      keys: MessageKeys.parse('api-gateway', k2.signingKey, trustedBoth),
    });
    await Promise.all([oldGateway.connect(), newGateway.connect()]);
    clients.push(oldGateway, newGateway);
    // Phase 2: gateway replicas switch one by one; old and new signatures are in flight together.
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? newGateway : oldGateway).send(Patterns.content.create, { ctx: user, payload: { i } }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(written).toHaveLength(60);
  });

  describe('events', () => {
    const queue = uniqueName('trust-events');
    let db: TestDatabase;
    let dataSource: DataSource;
    let consumer: EventConsumer;
    let jobs: Queue;
    let deadLetters: EventDeadLetters;
    const applied: string[] = [];
    /** The handler for `publishing.job.failed` fails until this is set (a bug fixed later). */
    let fixed = false;

    beforeAll(async () => {
      db = await createTestDatabase('trust');
      dataSource = new DataSource({
        type: 'postgres',
        url: db.url,
        migrations: [OutboxAndInbox1764000000000, EventDeadLetters1765100000000, OutboxClaims1765300000000],
      });
      await dataSource.initialize();
      await dataSource.runMigrations();
      deadLetters = new EventDeadLetters(Database.of(dataSource));
      consumer = new EventConsumer({
        database: Database.of(dataSource),
        redisUrl,
        prefix,
        queue,
        consumer: 'control-plane',
        keys: keysOf('control-plane'),
        deadLetters,
        handlers: {
          'publishing.job.failed': async (event) => {
            if (!fixed) throw new Error('cannot apply this yet');
            applied.push(event.id);
          },
          'content.item.lock-revoked': async (event) => void applied.push(event.id),
          'publishing.job.completed': async (event) => void applied.push(event.id),
        },
      });
      await consumer.start();
      jobs = new Queue(queue, { connection: { url: redisUrl }, prefix: bullPrefix(prefix) });
    });

    afterAll(async () => {
      await consumer.stop();
      await jobs.close();
      await dataSource.destroy();
      await db.drop();
    });

    const event = (type: string): EventEnvelope => ({
      id: randomUUID(),
      type,
      aggregateId: 'item_1',
      orgId: 'org_1',
      domainId: 'dom_1',
      occurredAt: new Date().toISOString(),
      payload: { revokedUserId: 'user_2' },
    });

    async function deliver(envelope: EventEnvelope, reason?: string): Promise<void> {
      const before = reason ? await refusals('event', reason) : 0;
      const job = await jobs.add(envelope.type, envelope, { jobId: envelope.id, attempts: 5 });
      await eventually(async () => expect(['completed', 'failed']).toContain(await job.getState()));
      if (reason) {
        expect(await job.getState()).toBe('failed');
        // Refused once, never retried.
        expect((await jobs.getJob(envelope.id))?.attemptsMade).toBe(1);
        expect(await refusals('event', reason)).toBe(before + 1);
      }
    }

    it("applies an event its owner signed, and refuses forged, altered or someone else's events", async () => {
      const genuine = sealEvent(keysOf('content'), event('content.item.lock-revoked'));
      await deliver(genuine);
      expect(applied).toEqual([genuine.id]);

      await deliver(event('content.item.lock-revoked'), 'unsigned');
      const altered = sealEvent(keysOf('content'), event('content.item.lock-revoked'));
      await deliver({ ...altered, orgId: 'org_victim' }, 'bad-signature');
      // content may sign only content events: a job "completed" from content is not publishing's.
      await deliver(sealEvent(keysOf('content'), event('publishing.job.completed')), 'not-owner');
      expect(applied).toEqual([genuine.id]);
      const inbox = await dataSource.query(`SELECT event_id FROM processed_events`);
      expect(inbox).toEqual([{ event_id: genuine.id }]);
      // Each refused event is kept as a dead letter of the consumer, for operators to see.
      const letters = await deadLetters.list(systemScope('test'), { pending: true });
      expect(letters.items.map((l) => l.errorType)).toEqual(['refused', 'refused', 'refused']);
      expect(letters.items.map((l) => l.attempts)).toEqual([1, 1, 1]);
    });

    it('dead-letters an event its handler cannot apply, then re-drives it once when fixed', async () => {
      const failing = sealEvent(keysOf('publishing'), event('publishing.job.failed'));
      const job = await jobs.add(failing.type, failing, {
        jobId: failing.id,
        attempts: 3,
        backoff: { type: 'fixed', delay: 50 },
      });
      await eventually(async () => expect(await job.getState()).toBe('failed'));
      const letter = (await deadLetters.list(systemScope('test'), { pending: true })).items.find(
        (l) => l.eventId === failing.id,
      );
      expect(letter).toMatchObject({
        consumer: 'control-plane',
        queue,
        eventType: 'publishing.job.failed',
        orgId: 'org_1',
        errorType: 'Error',
        errorMessage: 'cannot apply this yet',
        attempts: 3,
        redrivenAt: null,
      });
      expect(applied).not.toContain(failing.id);

      fixed = true;
      const redriven = await deadLetters.redrive(systemScope('test'), letter!.id, () => jobs);
      expect(redriven?.redrivenAt).toEqual(expect.any(String));
      await eventually(async () => expect(applied).toContain(failing.id));
      expect(applied.filter((id) => id === failing.id)).toHaveLength(1);
      // Once only: the same dead letter cannot be re-driven twice.
      await expect(deadLetters.redrive(systemScope('test'), letter!.id, () => jobs)).resolves.toBeUndefined();
      expect(
        (await deadLetters.list(systemScope('test'), { pending: true })).items.map((l) => l.eventId),
      ).not.toContain(failing.id);
    });
  });
});
