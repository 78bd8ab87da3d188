import { ControlPlaneError, type RequestContext } from '@smartbeak/contracts';
import { type MigratedTestDatabase, migratedTestDatabase } from '@smartbeak/testing';
import { type DataSource } from 'typeorm';

import { AuditRepository } from '../src/audit/audit.repository';
import { AuditService } from '../src/audit/audit.service';
import { AuditSystem } from '../src/audit/audit.system';
import { ClerkSyncService } from '../src/clerk/clerk-sync.service';
import { MIGRATIONS, controlPlaneDatabaseOptions } from '../src/database/schema';
import { DomainsRepository } from '../src/domains/domains.repository';
import { DomainsService } from '../src/domains/domains.service';
import { IdentityRepository } from '../src/identity/identity.repository';
import { IdentityService } from '../src/identity/identity.service';
import { UsersSystem } from '../src/identity/users.system';

const ctx = (orgId: string, userId = 'user_1'): RequestContext => ({
  userId,
  orgId,
  domainId: null,
  permissions: ['org:admin'],
  requestId: 'req-1',
});

describe('control-plane database', () => {
  let db: MigratedTestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await migratedTestDatabase('cp_db', controlPlaneDatabaseOptions, { migrate: false });
    dataSource = db.dataSource;
  });
  afterAll(() => db.drop());

  const identityService = () => new IdentityService(new IdentityRepository(db.database));
  const auditService = (identity: IdentityService) =>
    new AuditService(new AuditRepository(db.database), new AuditSystem(db.database), identity);

  const tables = async () =>
    (
      await dataSource.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY 1`,
      )
    ).map((r: { tablename: string }) => r.tablename);

  it('migrates up, all the way down, and up again (down() undoes up())', async () => {
    await dataSource.runMigrations();
    const created = await tables();
    expect(created).toEqual([
      'audit_logs',
      'clerk_webhook_events',
      'domains',
      'event_dead_letters',
      'idempotency_keys',
      'memberships',
      'orgs',
      'outbox',
      'processed_events',
      'users',
    ]);
    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
    expect(await tables()).toEqual([]);
    await dataSource.runMigrations();
    expect(await tables()).toEqual(created);
  });

  describe(DomainsService.name, () => {
    let sut: DomainsService;
    let identity: IdentityService;

    beforeAll(() => {
      identity = identityService();
      sut = new DomainsService(
        db.database,
        new DomainsRepository(db.database),
        auditService(identity),
        identity,
      );
    });

    it('creates the org and user just in time, once, even when asked concurrently', async () => {
      await Promise.all(
        Array.from({ length: 10 }, () => identityService().ensure(ctx('org_jit', 'user_jit'))),
      );
      const [counts] = await dataSource.query(
        `SELECT (SELECT count(*) FROM orgs WHERE id = 'org_jit')::int AS orgs,
                (SELECT count(*) FROM memberships WHERE org_id = 'org_jit')::int AS members`,
      );
      expect(counts).toEqual({ orgs: 1, members: 1 });
    });

    it('writes the domain, its audit entry and its event in one transaction', async () => {
      await identity.ensure(ctx('org_tx'));
      const domain = await sut.create(ctx('org_tx'), { name: 'Tx', hostname: 'tx.example.com' });
      const [row] = await dataSource.query(
        `SELECT (SELECT count(*) FROM audit_logs WHERE target_id = $1)::int AS audits,
                (SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND type = 'control-plane.domain.created')::int AS events`,
        [domain.id],
      );
      expect(row).toEqual({ audits: 1, events: 1 });

      await expect(
        sut.create(ctx('org_tx'), { name: 'Again', hostname: 'tx.example.com' }),
      ).rejects.toMatchObject({
        code: ControlPlaneError.HOSTNAME_TAKEN,
      });
      const [after] = await dataSource.query(
        `SELECT count(*)::int AS n FROM outbox WHERE type = 'control-plane.domain.created' AND org_id = 'org_tx'`,
      );
      expect(after.n).toBe(1); // the refused create left no event and no audit entry behind
    });

    it('answers the domain check only for the owning org', async () => {
      await identity.ensure(ctx('org_owner'));
      const domain = await sut.create(ctx('org_owner'), { name: 'Mine', hostname: 'mine.example.com' });
      await expect(sut.check(ctx('org_owner'), domain.id)).resolves.toEqual(
        expect.objectContaining({ id: domain.id, orgId: 'org_owner' }),
      );
      await expect(sut.check(ctx('org_thief'), domain.id)).rejects.toMatchObject({
        code: ControlPlaneError.DOMAIN_NOT_FOUND,
      });
      await expect(sut.check(ctx('org_owner'), 'not-a-uuid')).rejects.toMatchObject({
        code: ControlPlaneError.DOMAIN_NOT_FOUND,
      });
    });
  });

  describe(ClerkSyncService.name, () => {
    it('forgets webhook deliveries after 30 days, keeping the recent ones (replays are still refused)', async () => {
      await dataSource.query(
        `INSERT INTO clerk_webhook_events (svix_id, type, received_at)
         VALUES ('msg_old', 'user.updated', now() - interval '31 days'), ('msg_new', 'user.updated', now() - interval '1 day')`,
      );
      const identity = identityService();
      const sut = new ClerkSyncService(
        db.database,
        new UsersSystem(db.database),
        new IdentityRepository(db.database),
        new DomainsRepository(db.database),
        auditService(identity),
        identity,
      );
      expect(await sut.pruneDeliveries()).toBe(1);
      const left = await dataSource.query(
        `SELECT svix_id FROM clerk_webhook_events WHERE svix_id LIKE 'msg_%'`,
      );
      expect(left).toEqual([{ svix_id: 'msg_new' }]);
      await expect(
        sut.apply({ svixId: 'msg_new', type: 'user.updated', data: { id: 'user_x' }, timestamp: Date.now() }),
      ).resolves.toBe('duplicate');
    });
  });

  describe(AuditService.name, () => {
    it('prunes each category past its own retention and keeps the rest', async () => {
      const sut = auditService(identityService());
      const insert = (category: string, daysAgo: number) =>
        dataSource.query(
          `INSERT INTO audit_logs (org_id, actor_id, category, action, target_type, target_id, created_at)
           VALUES ('org_ret', 'u', $1, 'x', 't', $2, now() - make_interval(days => $3))`,
          [category, `${category}-${daysAgo}`, daysAgo],
        );
      for (const [category, days] of [
        ['data_access', 91],
        ['data_access', 80],
        ['auth', 366],
        ['auth', 300],
        ['admin', 731],
        ['admin', 700],
        ['security', 1096],
        ['security', 1000],
      ] as const) {
        await insert(category, days);
      }
      expect(await sut.prune()).toBe(4);
      const left = (
        await dataSource.query(`SELECT target_id FROM audit_logs WHERE org_id = 'org_ret' ORDER BY 1`)
      ).map((r: { target_id: string }) => r.target_id);
      expect(left).toEqual(['admin-700', 'auth-300', 'data_access-80', 'security-1000']);
    });
  });
});
