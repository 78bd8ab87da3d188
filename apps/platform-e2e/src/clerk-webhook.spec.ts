import { eventually } from '@smartbeak/testing';
import request from 'supertest';
import { Webhook } from 'svix';

import { expectProblem, Platform } from './platform';

describe('Clerk webhooks (Svix-signed) keep users, orgs and memberships in step', () => {
  let platform: Platform;
  let signer: Webhook;
  let sequence = 0;

  beforeAll(async () => {
    platform = await Platform.shared();
    signer = new Webhook(platform.webhookSecret);
  });
  afterAll(() => platform?.stop());

  function deliver(event: object, options: { id?: string; at?: Date; signature?: string } = {}) {
    const id = options.id ?? `msg_${++sequence}_${Date.now()}`;
    const at = options.at ?? new Date();
    const body = JSON.stringify(event);
    return request(platform.url)
      .post('/api/webhooks/clerk')
      .set('Content-Type', 'application/json')
      .set('svix-id', id)
      .set('svix-timestamp', String(Math.floor(at.getTime() / 1000)))
      .set('svix-signature', options.signature ?? signer.sign(id, at, body))
      .send(body);
  }

  const membership = (role: string, updatedAt: number) => ({
    type: 'organizationMembership.created',
    object: 'event',
    data: {
      id: 'orgmem_1',
      role,
      updated_at: updatedAt,
      organization: { id: 'org_hook', name: 'Hooked Inc', slug: 'hooked' },
      public_user_data: {
        user_id: 'user_hook',
        first_name: 'Ada',
        last_name: 'Lovelace',
        identifier: 'ada@example.com',
      },
    },
  });

  it('applies a signed event once; a redelivery of the same message changes nothing', async () => {
    const first = await deliver(membership('org:admin', 1000), { id: 'msg_once' }).expect(200);
    expect(first.body).toEqual({ received: true, outcome: 'applied' });
    const again = await deliver(membership('org:admin', 1000), { id: 'msg_once' }).expect(200);
    expect(again.body).toEqual({ received: true, outcome: 'duplicate' });

    const admin = await platform.token({
      userId: 'user_hook',
      orgId: 'org_hook',
      permissions: ['org:admin'],
    });
    const log = await request(platform.url)
      .get('/api/audit-logs?action=membership.created')
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(log.body.items).toHaveLength(1);
    expect(log.body.items[0]).toEqual(
      expect.objectContaining({ actorId: 'clerk', targetId: 'user_hook', metadata: { role: 'org:admin' } }),
    );
  });

  it('mirrors user and organisation updates, ignoring an older one that arrives late', async () => {
    await deliver({
      type: 'organization.updated',
      data: { id: 'org_hook', name: 'New Name', slug: 'hooked', updated_at: 3000 },
    }).expect(200);
    await deliver({
      type: 'organization.updated',
      data: { id: 'org_hook', name: 'Stale Name', slug: 'hooked', updated_at: 2000 },
    }).expect(200);
    await deliver({
      type: 'user.updated',
      data: {
        id: 'user_hook',
        first_name: 'Ada',
        last_name: 'King',
        primary_email_address_id: 'e2',
        email_addresses: [
          { id: 'e1', email_address: 'old@example.com' },
          { id: 'e2', email_address: 'ada@king.example' },
        ],
        updated_at: 5,
      },
    }).expect(200);
    await deliver({ type: 'session.created', data: { id: 'sess_1' } }).expect(200);
  });

  it("a deleted org's domains read suspended at once, though the gateway keeps control-plane reads", async () => {
    const orgId = `org_gone_${Date.now()}`;
    const admin = await platform.token({ userId: 'user_gone', orgId, permissions: ['org:admin'] });
    const read = () =>
      request(platform.url)
        .get(`/api/domains/${domain.id}`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
    const domain = (
      await request(platform.url)
        .post('/api/domains')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'Gone', hostname: `gone-${Date.now()}.example.com` })
        .expect(201)
    ).body;
    // Read twice: the second answer is the gateway's kept one.
    expect((await read()).body.status).toBe('active');
    expect((await read()).body.status).toBe('active');
    // The deletion reaches control-plane as a webhook, not through the domain routes: the gateway
    // learns of it from control-plane's relay signal, well before its answers would expire (30 s).
    await deliver({
      type: 'organization.deleted',
      object: 'event',
      data: { id: orgId, deleted: true },
    }).expect(200);
    await eventually(async () => expect((await read()).body.status).toBe('suspended'), { timeoutMs: 10_000 });
  });

  it('refuses a bad signature, a missing one and a stale timestamp with 401, applying nothing', async () => {
    const event = membership('org:member', 9_999);
    expectProblem(
      await deliver(event, { signature: 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' }),
      401,
    );
    expectProblem(
      await request(platform.url)
        .post('/api/webhooks/clerk')
        .set('Content-Type', 'application/json')
        .send(event),
      401,
    );
    expectProblem(await deliver(event, { at: new Date(Date.now() - 10 * 60_000) }), 401);

    const admin = await platform.token({
      userId: 'user_hook',
      orgId: 'org_hook',
      permissions: ['org:admin'],
    });
    const log = await request(platform.url)
      .get('/api/audit-logs?action=membership.updated')
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(log.body.items).toHaveLength(0);
  });

  it('refuses a signed body that is not a Clerk event with 400', async () => {
    expectProblem(await deliver({ hello: 'world' }), 400);
  });
});
