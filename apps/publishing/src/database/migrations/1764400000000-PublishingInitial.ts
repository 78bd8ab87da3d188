import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class PublishingInitial1764400000000 implements MigrationInterface {
  name = 'PublishingInitial1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE publishing_targets (
        id uuid PRIMARY KEY,
        org_id varchar(100) NOT NULL,
        domain_id uuid NOT NULL,
        type varchar(20) NOT NULL,
        name varchar(200) NOT NULL,
        config jsonb NOT NULL,            -- the public part only
        secret text NOT NULL,             -- AES-256-GCM, see credentials.ts
        auto_publish boolean NOT NULL DEFAULT true,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_at timestamptz(3)
      )`);
    await runner.query(
      `CREATE INDEX publishing_targets_domain_idx ON publishing_targets (org_id, domain_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
    await runner.query(`
      CREATE TABLE publishing_jobs (
        id uuid PRIMARY KEY,
        org_id varchar(100) NOT NULL,
        domain_id uuid NOT NULL,
        content_id uuid NOT NULL,
        content jsonb NOT NULL,           -- what is published: the item as it was when the job was made
        state varchar(20) NOT NULL,
        scheduled_for timestamptz(3),
        attempts integer NOT NULL DEFAULT 0,
        run integer NOT NULL DEFAULT 0,     -- the BullMQ job of the current run is <id>-<run>
        created_by varchar(100) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        completed_at timestamptz(3)
      )`);
    await runner.query(
      `CREATE INDEX publishing_jobs_list_idx ON publishing_jobs (org_id, created_at DESC, id DESC)`,
    );
    await runner.query(`CREATE INDEX publishing_jobs_content_idx ON publishing_jobs (content_id)`);
    await runner.query(
      `CREATE INDEX publishing_jobs_open_idx ON publishing_jobs (updated_at) WHERE state IN ('pending', 'queued', 'active', 'retrying')`,
    );
    await runner.query(`
      CREATE TABLE job_targets (
        job_id uuid NOT NULL REFERENCES publishing_jobs (id) ON DELETE CASCADE,
        target_id uuid NOT NULL,
        type varchar(20) NOT NULL,
        position smallint NOT NULL,
        state varchar(20) NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        external_id varchar(300),
        external_url text,
        last_error text,
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (job_id, target_id)
      )`);
    // The post a destination holds for an item: a later job updates it instead of posting again.
    await runner.query(`
      CREATE TABLE target_posts (
        target_id uuid NOT NULL,
        content_id uuid NOT NULL,
        external_id varchar(300) NOT NULL,
        external_url text,
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (target_id, content_id)
      )`);
    // Who is publishing an item to a destination right now: two jobs for the same pair take turns,
    // so neither posts while the other's post is in flight. Claims expire (a crashed worker).
    await runner.query(`
      CREATE TABLE post_claims (
        target_id uuid NOT NULL,
        content_id uuid NOT NULL,
        job_id uuid NOT NULL,
        until timestamptz(3) NOT NULL,
        PRIMARY KEY (target_id, content_id)
      )`);
    await runner.query(`
      CREATE TABLE job_events (
        id bigserial PRIMARY KEY,
        job_id uuid NOT NULL REFERENCES publishing_jobs (id) ON DELETE CASCADE,
        target_id uuid,
        state varchar(20) NOT NULL,
        detail text,
        at timestamptz(3) NOT NULL DEFAULT clock_timestamp()
      )`);
    await runner.query(`CREATE INDEX job_events_job_idx ON job_events (job_id, id)`);
    await runner.query(`
      CREATE TABLE dead_letters (
        id uuid PRIMARY KEY,
        org_id varchar(100) NOT NULL,
        domain_id uuid NOT NULL,
        job_id uuid NOT NULL REFERENCES publishing_jobs (id) ON DELETE CASCADE,
        original_queue varchar(100) NOT NULL,
        error_type varchar(20) NOT NULL,
        error_message text NOT NULL,
        failed_at timestamptz(3) NOT NULL DEFAULT now(),
        retry_count integer NOT NULL,
        payload jsonb NOT NULL,
        redriven_at timestamptz(3)
      )`);
    await runner.query(
      `CREATE INDEX dead_letters_list_idx ON dead_letters (org_id, failed_at DESC, id DESC)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'dead_letters',
      'job_events',
      'target_posts',
      'job_targets',
      'publishing_jobs',
      'publishing_targets',
    ]) {
      await runner.query(`DROP TABLE ${table}`);
    }
  }
}
