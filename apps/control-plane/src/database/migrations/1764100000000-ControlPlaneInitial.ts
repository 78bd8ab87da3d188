import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class ControlPlaneInitial1764100000000 implements MigrationInterface {
  name = 'ControlPlaneInitial1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE orgs (
        id varchar(100) PRIMARY KEY,
        name varchar(200),
        slug varchar(200),
        clerk_updated_at bigint,
        deleted_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE users (
        id varchar(100) PRIMARY KEY,
        email varchar(320),
        name varchar(200),
        clerk_updated_at bigint,
        deleted_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE memberships (
        org_id varchar(100) NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        user_id varchar(100) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role varchar(100) NOT NULL,
        clerk_updated_at bigint,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, user_id)
      )`);
    await runner.query(`CREATE INDEX memberships_user_idx ON memberships (user_id)`);
    await runner.query(`
      CREATE TABLE domains (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id varchar(100) NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        hostname varchar(253) NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT domains_org_hostname_key UNIQUE (org_id, hostname)
      )`);
    await runner.query(`CREATE INDEX domains_org_page_idx ON domains (org_id, created_at DESC, id DESC)`);
    await runner.query(`
      CREATE TABLE audit_logs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id varchar(100) NOT NULL,
        domain_id uuid,
        actor_id varchar(100) NOT NULL,
        category varchar(20) NOT NULL CHECK (category IN ('auth', 'admin', 'data_access', 'security')),
        action varchar(100) NOT NULL,
        target_type varchar(100) NOT NULL,
        target_id varchar(200) NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        request_id varchar(128),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE INDEX audit_logs_org_page_idx ON audit_logs (org_id, created_at DESC, id DESC)`,
    );
    await runner.query(`CREATE INDEX audit_logs_retention_idx ON audit_logs (category, created_at)`);
    await runner.query(`
      CREATE TABLE clerk_webhook_events (
        svix_id varchar(100) PRIMARY KEY,
        type varchar(100) NOT NULL,
        received_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE clerk_webhook_events`);
    await runner.query(`DROP TABLE audit_logs`);
    await runner.query(`DROP TABLE domains`);
    await runner.query(`DROP TABLE memberships`);
    await runner.query(`DROP TABLE users`);
    await runner.query(`DROP TABLE orgs`);
  }
}
