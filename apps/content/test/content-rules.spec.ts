import { randomUUID } from 'node:crypto';

import { DomainAccess, type RpcSender } from '@smartbeak/auth';
import { loadConfig } from '@smartbeak/config';
import {
  CommonError,
  ContentError,
  type ContentItemDto,
  type ContentStatus,
  type DomainCheckResult,
  type Permission,
  type RequestContext,
} from '@smartbeak/contracts';
import { bullPrefix } from '@smartbeak/messaging';
import { orgScope } from '@smartbeak/persistence';
import { type MigratedTestDatabase, migratedTestDatabase, testInfra, uniqueName } from '@smartbeak/testing';
import { Queue } from 'bullmq';

import { ContentConfig } from '../src/config/content.config';
import { contentDatabaseOptions } from '../src/database/schema';
import { ContentRepository } from '../src/items/content.repository';
import { ContentSystem } from '../src/items/content.system';
import { ContentCommands } from '../src/items/content-commands.service';
import { ContentQueries } from '../src/items/content-queries.service';
import { ContentWriter } from '../src/items/content-writer';
import { EditLocksRepository } from '../src/locks/edit-locks.repository';
import { EditLocksService } from '../src/locks/edit-locks.service';
import { MAINTENANCE_QUEUE } from '../src/queues/queues';
import { SchedulingService } from '../src/scheduling/scheduling.service';

/**
 * Content's rules against the real PostgreSQL and Redis, one level below the
 * e2e suite: the services wired as the app wires them. Control-plane is the
 * one neighbour not run here; its answer to "is domain D this org's?" is
 * given by `controlPlane` below (the e2e suite runs the real one).
 */
describe('content rules (services on the real database)', () => {
  const DOMAIN = randomUUID();
  const suspended = new Set<string>();
  let db: MigratedTestDatabase;
  let queue: Queue;
  let commands: ContentCommands;
  let queries: ContentQueries;
  let locks: EditLocksService;
  /** The services as another replica would wire them: its own DomainAccess (and so its own cache). */
  let wire: () => { commands: ContentCommands; locks: EditLocksService };

  const controlPlane: RpcSender = {
    send: <T>(_pattern: string, data: unknown) => {
      const { ctx } = data as { ctx: RequestContext };
      const answer: DomainCheckResult = {
        id: DOMAIN,
        orgId: ctx.orgId,
        hostname: 'blog.example.com',
        status: suspended.has(DOMAIN) ? 'suspended' : 'active',
      };
      return Promise.resolve(answer as T);
    },
  };

  const orgId = uniqueName('org_rules');
  const ctx = (userId: string, permissions: Permission[], org = orgId): RequestContext => ({
    userId,
    orgId: org,
    domainId: DOMAIN,
    permissions,
    requestId: randomUUID(),
  });
  const writer = ctx('user_writer', ['content:read', 'content:write']);
  const reviewer = ctx('user_reviewer', ['content:read', 'content:review']);
  const publisher = ctx('user_publisher', ['content:read', 'content:publish']);

  beforeAll(async () => {
    const { redisUrl } = testInfra();
    db = await migratedTestDatabase('content_rules', contentDatabaseOptions);
    const prefix = uniqueName('content_rules');
    const config = loadConfig(ContentConfig, {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
    });
    queue = new Queue(MAINTENANCE_QUEUE, { connection: { url: redisUrl }, prefix: bullPrefix(prefix) });
    const items = new ContentRepository(db.database);
    const leases = new EditLocksRepository(db.database);
    const contentWriter = new ContentWriter(db.database, items);
    const scheduling = new SchedulingService(contentWriter, new ContentSystem(db.database), queue);
    wire = () => {
      const domains = new DomainAccess(controlPlane);
      queries = new ContentQueries(items, leases, domains);
      return {
        commands: new ContentCommands(contentWriter, queries, scheduling, domains),
        locks: new EditLocksService(db.database, items, leases, config, domains),
      };
    };
    ({ commands, locks } = wire());
  });
  afterAll(async () => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await db.drop();
  });

  const move = (item: ContentItemDto, to: ContentStatus, who: RequestContext, scheduledFor?: string) =>
    commands.transition(who, { id: item.id, to, version: item.version, scheduledFor });

  it('walks every allowed move with the permission docs/api.md names, and refuses the rest', async () => {
    let item = await commands.create(writer, { title: 'Lifecycle' });

    // draft → review: content:write
    await expect(move(item, 'review', reviewer)).rejects.toMatchObject({ code: CommonError.FORBIDDEN });
    item = await move(item, 'review', writer);
    expect(item).toEqual(expect.objectContaining({ status: 'review', version: 2 }));

    // review → draft and back: content:review
    await expect(move(item, 'draft', writer)).rejects.toMatchObject({ code: CommonError.FORBIDDEN });
    item = await move(item, 'draft', reviewer);
    item = await move(item, 'review', writer);

    // review → scheduled needs a future scheduledFor
    await expect(move(item, 'scheduled', reviewer)).rejects.toMatchObject({
      code: CommonError.VALIDATION,
      errors: [{ field: 'scheduledFor', message: expect.any(String) }],
    });
    await expect(move(item, 'scheduled', reviewer, '2001-01-01T00:00:00Z')).rejects.toMatchObject({
      code: CommonError.VALIDATION,
    });
    await expect(move(item, 'scheduled', reviewer, 'tomorrow')).rejects.toMatchObject({
      code: CommonError.VALIDATION,
    });
    const at = new Date(Date.now() + 3_600_000).toISOString();
    item = await move(item, 'scheduled', reviewer, at);
    expect(item).toEqual(expect.objectContaining({ status: 'scheduled', scheduledFor: at }));
    // …and one delayed job publishes it then.
    expect(await queue.getJob(`publish-${item.id}-${item.version}`)).toEqual(
      expect.objectContaining({ name: 'publish-due', data: { id: item.id } }),
    );

    // scheduled → published is the system's; a request is refused, naming what is allowed
    await expect(move(item, 'published', publisher)).rejects.toMatchObject({
      code: ContentError.ILLEGAL_TRANSITION,
      extras: { currentStatus: 'scheduled', allowed: ['draft'] },
    });

    // scheduled → draft: content:write; the schedule is dropped
    item = await move(item, 'draft', writer);
    expect(item.scheduledFor).toBeNull();

    // draft → published skips review: refused with the allowed move named
    const skip = move(item, 'published', reviewer);
    await expect(skip).rejects.toMatchObject({
      code: ContentError.ILLEGAL_TRANSITION,
      extras: expect.objectContaining({ allowed: ['review'] }),
    });
    await expect(skip).rejects.toThrow(/draft to published.*allowed: review/);

    // review → published: content:review
    item = await move(item, 'review', writer);
    await expect(move(item, 'published', writer)).rejects.toMatchObject({ code: CommonError.FORBIDDEN });
    item = await move(item, 'published', reviewer);
    expect(item.status).toBe('published');
    expect(Date.parse(item.publishedAt!)).toBeGreaterThan(Date.now() - 60_000);

    // published → archived and archived → draft: content:publish; archived items cannot be edited
    await expect(move(item, 'archived', reviewer)).rejects.toMatchObject({ code: CommonError.FORBIDDEN });
    item = await move(item, 'archived', publisher);
    await expect(
      commands.update(writer, { id: item.id, version: item.version, title: 'x' }),
    ).rejects.toMatchObject({
      code: ContentError.ILLEGAL_TRANSITION,
    });
    await expect(move(item, 'draft', writer)).rejects.toMatchObject({ code: CommonError.FORBIDDEN });
    item = await move(item, 'draft', publisher);
    expect(item).toEqual(expect.objectContaining({ status: 'draft', version: 10 }));

    const events = await queries.events(writer, item.id, { limit: 100 });
    expect(events.items.map((e) => e.type)).toEqual([
      'content.item.created',
      'content.item.submitted',
      'content.item.drafted',
      'content.item.submitted',
      'content.item.scheduled',
      'content.item.drafted',
      'content.item.submitted',
      'content.item.published',
      'content.item.archived',
      'content.item.drafted',
    ]);
    expect(events.items.map((e) => e.version)).toEqual(
      Array.from({ length: events.items.length }, (_, i) => i + 1),
    );
    // Every version is a revision too.
    const revisions = await queries.revisions(writer, item.id, { limit: 100 });
    expect(revisions.items.map((r) => r.version)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('lets exactly one of many concurrent updates with the same version win', async () => {
    const item = await commands.create(writer, { title: 'Race' });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        commands.update(writer, { id: item.id, version: 1, body: `writer ${i}` }),
      ),
    );
    const winners = results.filter(
      (r): r is PromiseFulfilledResult<ContentItemDto> => r.status === 'fulfilled',
    );
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(11);
    for (const loser of losers) {
      expect(loser.reason).toMatchObject({
        code: ContentError.VERSION_CONFLICT,
        extras: { currentVersion: 2 },
      });
    }
    const now = await queries.get(writer, item.id);
    expect(now).toEqual(expect.objectContaining({ version: 2, body: winners[0]!.value.body }));
    const revisions = await queries.revisions(writer, item.id, {});
    expect(revisions.items.map((r) => r.version)).toEqual([2, 1]);
  });

  it('keeps every query inside the caller’s org: another org’s item is as missing as one that never was', async () => {
    const item = await commands.create(writer, { title: 'Mine' });
    const stranger = ctx(
      'user_writer',
      ['content:read', 'content:write', 'org:admin'],
      uniqueName('org_other'),
    );
    for (const attempt of [
      () => queries.get(stranger, item.id),
      () => queries.revisions(stranger, item.id, {}),
      () => queries.events(stranger, item.id, {}),
      () => commands.update(stranger, { id: item.id, version: 1, title: 'Theirs' }),
      () => commands.delete(stranger, item.id),
      () => locks.acquire(stranger, item.id),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: ContentError.ITEM_NOT_FOUND });
    }
    expect((await queries.list(stranger, {})).items).toEqual([]);
    expect(await queries.get(writer, item.id)).toEqual(
      expect.objectContaining({ title: 'Mine', version: 1 }),
    );
  });

  it('an edit lock makes another user’s writes a 423 naming the holder, until it is released', async () => {
    const item = await commands.create(writer, { title: 'Locked' });
    const other = ctx('user_other', ['content:read', 'content:write']);
    const lease = await locks.acquire(writer, item.id, 60);
    expect(lease.lockedBy).toBe('user_writer');
    await expect(commands.update(other, { id: item.id, version: 1, title: 'No' })).rejects.toMatchObject({
      code: ContentError.LOCKED,
      extras: { lockedBy: 'user_writer', expiresAt: lease.expiresAt },
    });
    await expect(locks.release(other, item.id)).rejects.toMatchObject({ code: ContentError.NOT_LOCK_HOLDER });
    await locks.release(writer, item.id);
    expect(await commands.update(other, { id: item.id, version: 1, title: 'Yes' })).toEqual(
      expect.objectContaining({ title: 'Yes', version: 2, lock: null }),
    );
  });

  it('refuses every write to an item of a suspended domain (403), and still reads it', async () => {
    const item = await commands.create(writer, { title: 'Before suspension' });
    suspended.add(DOMAIN);
    try {
      const after = wire(); // a replica that has not cached the domain as active
      for (const write of [
        () => after.commands.update(writer, { id: item.id, version: 1, title: 'No' }),
        () => after.commands.transition(writer, { id: item.id, to: 'review', version: 1 }),
        () => after.commands.delete(writer, item.id),
        () => after.commands.restoreRevision(writer, item.id, 1, 1),
        () => after.locks.acquire(writer, item.id),
        () => after.commands.create(writer, { title: 'New' }),
      ]) {
        await expect(write()).rejects.toMatchObject({ code: CommonError.FORBIDDEN });
      }
      expect(await queries.get(writer, item.id)).toEqual(expect.objectContaining({ version: 1 }));
    } finally {
      suspended.delete(DOMAIN);
    }
  });

  describe('plans on statistics older than the data (an org or domain that grew since the last ANALYZE)', () => {
    // The repository's own statements, as it sends them, planned by PostgreSQL on the real table.
    const sent: { text: string; params: readonly unknown[] }[] = [];
    let items: ContentRepository;
    const grownOrg = uniqueName('org_grown');
    const grownDomain = randomUUID();
    let someId: string;

    const seed = (org: string, domainId: string, count: number) =>
      db.database.rows<{ id: string }>(
        `INSERT INTO content_items (id, org_id, domain_id, title, slug, body, excerpt, tags, status, version,
                                    created_by, updated_by, created_at, updated_at)
         SELECT gen_random_uuid(), $1, $2, 'Seeded ' || g, 'seeded-' || g, '', '', '{}', 'draft', 1, 'seed', 'seed',
                now() - make_interval(secs => g), now() - make_interval(secs => g)
           FROM generate_series(1, $3::int) g RETURNING id`,
        [org, domainId, count],
      );
    /** The plan of the last statement sent, as `<node type> [<index>]` lines. */
    const lastPlan = async (): Promise<string[]> => {
      const [{ text, params }] = sent.slice(-1) as [(typeof sent)[number]];
      const [{ 'QUERY PLAN': plan }] = await db.database.rows<{ 'QUERY PLAN': unknown }>(
        `EXPLAIN (FORMAT JSON) ${text}`,
        params,
      );
      const nodes: string[] = [];
      const walk = (node: { 'Node Type': string; 'Index Name'?: string; Plans?: unknown[] }) => {
        nodes.push(node['Index Name'] ? `${node['Node Type']} ${node['Index Name']}` : node['Node Type']);
        for (const child of node.Plans ?? []) walk(child as typeof node);
      };
      walk((plan as [{ Plan: Parameters<typeof walk>[0] }])[0].Plan);
      return nodes;
    };

    beforeAll(async () => {
      const recording = {
        rows: (text: string, params: readonly unknown[] = []) => {
          sent.push({ text, params });
          return db.database.rows(text, params);
        },
        one: async (text: string, params: readonly unknown[] = []) => (await recording.rows(text, params))[0],
      };
      items = new ContentRepository(recording as unknown as typeof db.database);
      await seed(orgId, randomUUID(), 5_000);
      await db.database.rows('ANALYZE content_items');
      // Statistics still say this domain, and this org, have no items.
      await seed(orgId, grownDomain, 5_000);
      [{ id: someId }] = (await seed(grownOrg, randomUUID(), 5_000)) as [{ id: string }];
    });

    it('pages a domain along its index, not through all of its items', async () => {
      const page = await items.list(orgScope(orgId), { domainId: grownDomain, sort: 'createdAt', limit: 20 });
      expect(page.items).toHaveLength(20);
      const nodes = await lastPlan();
      expect(nodes).toContainEqual(expect.stringMatching(/^Index (Only )?Scan content_items_created_idx$/));
      // A sort or a hash join means every item of the domain was read for one page.
      expect(nodes.filter((node) => /Sort|Hash/.test(node))).toEqual([]);
    });

    it('finds an item of an org by its primary key, not by reading the org', async () => {
      for (const lookup of [
        () => items.find(orgScope(grownOrg), someId),
        () => items.findMany(orgScope(grownOrg), [someId]),
        () => items.findForUpdate(orgScope(grownOrg), someId),
      ]) {
        expect([await lookup()].flat()).toEqual([expect.objectContaining({ id: someId })]);
        const onItems = (await lastPlan()).filter((node) => /content_items/.test(node));
        expect(onItems).toEqual([expect.stringMatching(/content_items_pkey$/)]);
      }
      // Still scoped: the same id is missing for another org.
      expect(await items.find(orgScope(orgId), someId)).toBeUndefined();
    });
  });
});
