import { randomUUID } from 'node:crypto';

import { Events, EventQueues, Patterns, type RequestContext } from '@smartbeak/contracts';
import { bullPrefix, MessageKeys, rpcKeys, sealRequest } from '@smartbeak/messaging';
import { eventually, testInfra } from '@smartbeak/testing';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import request from 'supertest';

import { expectProblem, OPERATOR_ORG, Platform, seedTenant, type Tenant } from './platform';

/**
 * Redis is not a trust boundary: a client holding nothing but the Redis URL
 * (any pod, the internet-facing gateway included) tries to act for an org.
 * Every attempt is refused before a handler runs, nothing is written, and
 * control-plane counts each refusal on its /metrics.
 */
describe('a hostile client on Redis', () => {
  let platform: Platform;
  let tenant: Tenant;
  let redis: Redis;
  let events: Queue;

  beforeAll(async () => {
    platform = await Platform.shared();
    tenant = await seedTenant(platform, 'trust');
    redis = new Redis(testInfra().redisUrl);
    events = new Queue(EventQueues.controlPlane, { connection: redis, prefix: bullPrefix(platform.prefix) });
  });
  afterAll(async () => {
    await events?.close();
    redis?.disconnect();
    await platform?.stop();
  });

  async function refused(kind: string, reason: string): Promise<number> {
    const text = await (await fetch(`${platform.controlPlaneUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`smartbeak_messages_refused_total{kind="${kind}",reason="${reason}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  const admin = (): RequestContext => ({
    userId: 'user_attacker',
    orgId: tenant.orgId,
    domainId: null,
    permissions: ['org:admin'],
    requestId: randomUUID(),
  });

  async function push(message: object, reason: string): Promise<void> {
    const before = await refused('rpc', reason);
    await redis.lpush(rpcKeys.requests(platform.prefix, 'control-plane'), JSON.stringify(message));
    await eventually(async () => expect(await refused('rpc', reason)).toBe(before + 1));
  }

  async function domains(): Promise<{ hostname: string; status: string }[]> {
    const res = await request(platform.url)
      .get('/api/domains')
      .set('Authorization', `Bearer ${tenant.admin}`)
      .expect(200);
    return res.body.items;
  }

  it('cannot create a domain, delete an org or write an audit entry with a forged request', async () => {
    const plain = (pattern: string, payload: object) => ({
      id: randomUUID(),
      pattern,
      data: { ctx: admin(), payload },
      deadline: Date.now() + 10_000,
    });
    await push(
      plain(Patterns.controlPlane.domainCreate, { name: 'Evil', hostname: 'evil.example.com' }),
      'unsigned',
    );
    await push(
      plain(Patterns.controlPlane.clerkWebhook, {
        svixId: `msg_${randomUUID()}`,
        type: 'organization.deleted',
        data: { id: tenant.orgId },
        timestamp: Date.now(),
      }),
      'unsigned',
    );
    await push(
      plain(Patterns.controlPlane.auditRecord, {
        category: 'security',
        action: 'forged.entry',
        targetType: 'organization',
        targetId: tenant.orgId,
      }),
      'unsigned',
    );

    // A request the gateway really signed, captured on Redis and pushed again with another payload.
    const gatewayKeys = MessageKeys.parse(
      'api-gateway',
      platform.messageKeys.env('api-gateway').MESSAGE_SIGNING_KEY,
      platform.messageKeys.env('api-gateway').MESSAGE_TRUSTED_KEYS,
    );
    const captured = sealRequest(
      gatewayKeys,
      { id: randomUUID(), pattern: Patterns.controlPlane.domainList, deadline: Date.now() + 10_000 },
      { ctx: admin(), payload: {} },
    );
    const body = JSON.parse(captured.body) as { payload: unknown };
    body.payload = { name: 'Evil', hostname: 'evil2.example.com' };
    await push(
      { ...captured, pattern: Patterns.controlPlane.domainCreate, body: JSON.stringify(body) },
      'bad-signature',
    );

    const after = await domains();
    expect(after.map((d) => d.hostname)).toEqual([tenant.hostname]);
    expect(after[0]?.status).toBe('active');
    const audit = await request(platform.url)
      .get('/api/audit-logs')
      .set('Authorization', `Bearer ${tenant.admin}`)
      .expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).not.toContain('forged.entry');
    expect(audit.body.items.map((e: { action: string }) => e.action)).not.toContain('organization.deleted');
  });

  it('cannot inject an event into a consumer queue', async () => {
    const before = await refused('event', 'unsigned');
    const id = randomUUID();
    await events.add(
      Events.content.lockRevoked,
      {
        id,
        type: Events.content.lockRevoked,
        aggregateId: randomUUID(),
        orgId: tenant.orgId,
        domainId: tenant.domainId,
        occurredAt: new Date().toISOString(),
        payload: { holder: 'user_victim', title: 'forged' },
      },
      { jobId: id },
    );
    await eventually(async () => expect(await refused('event', 'unsigned')).toBe(before + 1));
    const job = await events.getJob(id);
    await eventually(async () => expect(await job?.getState()).toBe('failed'));
    const audit = await request(platform.url)
      .get('/api/audit-logs?action=content.lock_broken')
      .set('Authorization', `Bearer ${tenant.admin}`)
      .expect(200);
    expect(audit.body.items).toEqual([]);

    // Kept as control-plane's dead letter: operators see it; a customer org's admin does not.
    const operator = await platform.token({
      userId: 'user_ops',
      orgId: OPERATOR_ORG,
      permissions: ['org:admin'],
    });
    const letters = await request(platform.url)
      .get('/api/admin/event-dead-letters?service=control-plane&pending=true&limit=100')
      .set('Authorization', `Bearer ${operator}`)
      .expect(200);
    const letter = letters.body.items.find((l: { eventId: string }) => l.eventId === id);
    expect(letter).toMatchObject({
      consumer: 'control-plane',
      queue: EventQueues.controlPlane,
      eventType: Events.content.lockRevoked,
      errorType: 'refused',
      orgId: tenant.orgId,
      redrivenAt: null,
    });
    expectProblem(
      await request(platform.url)
        .get('/api/admin/event-dead-letters?service=control-plane')
        .set('Authorization', `Bearer ${tenant.admin}`),
      403,
    );
    expectProblem(
      await request(platform.url)
        .get('/api/admin/event-dead-letters?service=nowhere')
        .set('Authorization', `Bearer ${operator}`),
      400,
    );
    // Re-driven, it is checked again and refused again: a forgery stays one.
    const redriven = await request(platform.url)
      .post(`/api/admin/event-dead-letters/control-plane/${letter.id}/redrive`)
      .set('Authorization', `Bearer ${operator}`)
      .expect(200);
    expect(redriven.body.redrivenAt).toEqual(expect.any(String));
    await eventually(async () => expect(await refused('event', 'unsigned')).toBe(before + 2));
    const again = await request(platform.url)
      .get('/api/admin/event-dead-letters?service=control-plane&pending=true&limit=100')
      .set('Authorization', `Bearer ${operator}`)
      .expect(200);
    expect(again.body.items.find((l: { eventId: string }) => l.eventId === id)).toMatchObject({
      attempts: 2,
    });
    expect(
      (
        await request(platform.url)
          .get('/api/audit-logs?action=content.lock_broken')
          .set('Authorization', `Bearer ${tenant.admin}`)
          .expect(200)
      ).body.items,
    ).toEqual([]);
  });

  it("gives each service a Redis user that cannot read another's requests, queues or settings", async () => {
    const content = new Redis(testInfra().redisUrlFor('content'), { maxRetriesPerRequest: 1 });
    try {
      const p = platform.prefix;
      // What content needs: its own list, pushing to others' lists, their liveness, the event queues.
      await expect(content.llen(`${p}:rpc:content:requests`)).resolves.toEqual(expect.any(Number));
      await expect(content.zcount(`${p}:rpc:control-plane:replicas`, 0, '+inf')).resolves.toBeGreaterThan(0);
      await expect(content.exists(`${bullPrefix(p)}:notifications-events:meta`)).resolves.toEqual(
        expect.any(Number),
      );
      // What it must not: read control-plane's requests, publishing's job queue, the gateway's keys, admin commands.
      await expect(content.lrange(`${p}:rpc:control-plane:requests`, 0, -1)).rejects.toThrow(/NOPERM/);
      await expect(content.hgetall(`${bullPrefix(p)}:publishing:meta`)).rejects.toThrow(/NOPERM/);
      await expect(content.get(`${p}:idem:anything`)).rejects.toThrow(/NOPERM/);
      await expect(content.call('CONFIG', 'GET', 'maxmemory')).rejects.toThrow(/NOPERM/);
      await expect(content.call('FLUSHALL')).rejects.toThrow(/NOPERM/);
    } finally {
      content.disconnect();
    }
  });
});
