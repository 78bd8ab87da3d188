import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class ContentInitial1764300000000 implements MigrationInterface {
  name = 'ContentInitial1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    // The read model, projected from content_events (see items/projection.ts).
    await runner.query(`
      CREATE TABLE content_items (
        id uuid PRIMARY KEY,
        org_id varchar(100) NOT NULL,
        domain_id uuid NOT NULL,
        title varchar(300) NOT NULL,
        slug varchar(220) COLLATE "C" NOT NULL,
        body text NOT NULL,
        excerpt text NOT NULL,
        tags text[] NOT NULL,
        status varchar(20) NOT NULL,
        version integer NOT NULL,
        scheduled_for timestamptz(3),
        published_at timestamptz(3),
        created_by varchar(100) NOT NULL,
        updated_by varchar(100) NOT NULL,
        created_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL,
        deleted_at timestamptz(3),
        cold_at timestamptz(3)
      )`);
    // Slugs stay reserved while an item is soft-deleted, so a restore never clashes.
    await runner.query(`CREATE UNIQUE INDEX content_items_slug_uq ON content_items (domain_id, slug)`);
    await runner.query(
      `CREATE INDEX content_items_created_idx ON content_items (org_id, domain_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX content_items_updated_idx ON content_items (org_id, domain_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX content_items_org_created_idx ON content_items (org_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX content_items_org_updated_idx ON content_items (org_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
    await runner.query(`CREATE INDEX content_items_tags_idx ON content_items USING gin (tags)`);
    await runner.query(
      `CREATE INDEX content_items_title_idx ON content_items USING gin (lower(title) gin_trgm_ops)`,
    );
    // What the sweeps look for.
    await runner.query(
      `CREATE INDEX content_items_due_idx ON content_items (scheduled_for) WHERE status = 'scheduled' AND deleted_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX content_items_idle_idx ON content_items (status, updated_at) WHERE deleted_at IS NULL AND cold_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX content_items_deleted_idx ON content_items (deleted_at) WHERE deleted_at IS NOT NULL`,
    );

    // The event store; it is content's outbox too (relayed_at), and is never pruned.
    await runner.query(`
      CREATE TABLE content_events (
        event_id uuid PRIMARY KEY,
        aggregate_id uuid NOT NULL,
        type varchar(120) NOT NULL,
        version integer NOT NULL,
        payload jsonb NOT NULL,
        occurred_at timestamptz(3) NOT NULL,
        org_id varchar(100) NOT NULL,
        domain_id uuid NOT NULL,
        request_id varchar(128),
        relayed_at timestamptz,
        CONSTRAINT content_events_version_uq UNIQUE (aggregate_id, version)
      )`);
    await runner.query(
      `CREATE INDEX content_events_pending_idx ON content_events (occurred_at, event_id) WHERE relayed_at IS NULL`,
    );
    // outbox_notify() comes with the OutboxAndInbox migration: wake the relay at commit.
    await runner.query(
      `CREATE TRIGGER content_events_notify AFTER INSERT ON content_events FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`,
    );

    await runner.query(`
      CREATE TABLE content_revisions (
        item_id uuid NOT NULL,
        version integer NOT NULL,
        org_id varchar(100) NOT NULL,
        domain_id uuid NOT NULL,
        title varchar(300) NOT NULL,
        slug varchar(220) COLLATE "C" NOT NULL,
        body text NOT NULL,
        excerpt text NOT NULL,
        tags text[] NOT NULL,
        status varchar(20) NOT NULL,
        scheduled_for timestamptz(3),
        cause varchar(120) NOT NULL,
        created_by varchar(100) NOT NULL,
        created_at timestamptz(3) NOT NULL,
        PRIMARY KEY (item_id, version)
      )`);

    await runner.query(`
      CREATE TABLE content_locks (
        item_id uuid PRIMARY KEY,
        org_id varchar(100) NOT NULL,
        holder varchar(100) NOT NULL,
        acquired_at timestamptz(3) NOT NULL,
        expires_at timestamptz(3) NOT NULL
      )`);
    await runner.query(`CREATE INDEX content_locks_expires_idx ON content_locks (expires_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE content_locks`);
    await runner.query(`DROP TABLE content_revisions`);
    await runner.query(`DROP TRIGGER content_events_notify ON content_events`);
    await runner.query(`DROP TABLE content_events`);
    await runner.query(`DROP TABLE content_items`);
  }
}
