import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** notifications' tables. `down()` undoes `up()` exactly. */
export class NotificationsInitial1796184583877 implements MigrationInterface {
  name = 'NotificationsInitial1796184583877';

  async up(runner: QueryRunner): Promise<void> {
    // One per event × recipient: a redelivered event makes none twice.
    await runner.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        org_id varchar(100) NOT NULL,
        domain_id uuid,
        user_id varchar(100) NOT NULL,
        event_id varchar(100) NOT NULL,
        type varchar(100) NOT NULL,
        critical boolean NOT NULL,
        title varchar(300) NOT NULL,
        body text NOT NULL,
        link varchar(1000),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        read_at timestamptz(3),
        CONSTRAINT notifications_event_user_key UNIQUE (event_id, user_id)
      )`);
    // The inbox (newest first), its unread view and count, the live stream (by seq).
    await runner.query(
      `CREATE INDEX notifications_inbox_idx ON notifications (org_id, user_id, created_at DESC, id DESC)`,
    );
    await runner.query(
      `CREATE INDEX notifications_unread_idx ON notifications (org_id, user_id, created_at DESC, id DESC) WHERE read_at IS NULL`,
    );
    await runner.query(`CREATE INDEX notifications_stream_idx ON notifications (org_id, user_id, seq)`);
    await runner.query(`
      CREATE TABLE digests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id varchar(100) NOT NULL,
        user_id varchar(100) NOT NULL,
        mode varchar(10) NOT NULL CHECK (mode IN ('hourly', 'daily')),
        window_end timestamptz(3) NOT NULL,
        status varchar(10) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        provider varchar(20),
        provider_message_id varchar(300),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        sent_at timestamptz(3),
        CONSTRAINT digests_window_key UNIQUE (org_id, user_id, window_end)
      )`);
    // One per notification × outbound channel.
    await runner.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
        org_id varchar(100) NOT NULL,
        user_id varchar(100) NOT NULL,
        channel varchar(10) NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
        status varchar(12) NOT NULL
          CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'suppressed', 'held', 'dead')),
        address text,
        provider varchar(20),
        provider_message_id varchar(300),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        due_at timestamptz(3),
        digest_window_end timestamptz(3),
        digest_id uuid REFERENCES digests (id),
        claimed_until timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT deliveries_notification_channel_key UNIQUE (notification_id, channel)
      )`);
    // What the sweeper looks for: work not finished (pending, held, a claim that lapsed).
    await runner.query(
      `CREATE INDEX deliveries_open_idx ON deliveries (status, updated_at) WHERE status IN ('pending', 'sending', 'held')`,
    );
    await runner.query(
      `CREATE INDEX deliveries_digest_idx ON deliveries (digest_id) WHERE digest_id IS NOT NULL`,
    );
    // Only a user's choices away from the type's defaults.
    await runner.query(`
      CREATE TABLE preferences (
        org_id varchar(100) NOT NULL,
        user_id varchar(100) NOT NULL,
        type varchar(100) NOT NULL,
        channel varchar(10) NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'in_app')),
        enabled boolean NOT NULL,
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, user_id, type, channel)
      )`);
    await runner.query(`
      CREATE TABLE quiet_hours (
        org_id varchar(100) NOT NULL,
        user_id varchar(100) NOT NULL,
        time_zone varchar(64) NOT NULL,
        start_minute smallint NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
        end_minute smallint NOT NULL CHECK (end_minute BETWEEN 0 AND 1439),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, user_id)
      )`);
    // The rest of a recipient's choices: the digest and the SMS number.
    await runner.query(`
      CREATE TABLE recipient_settings (
        org_id varchar(100) NOT NULL,
        user_id varchar(100) NOT NULL,
        digest varchar(10) NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'hourly', 'daily')),
        phone varchar(20),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, user_id)
      )`);
    await runner.query(`
      CREATE TABLE devices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id varchar(100) NOT NULL,
        user_id varchar(100) NOT NULL,
        kind varchar(10) NOT NULL CHECK (kind IN ('fcm', 'webpush')),
        address text NOT NULL,
        keys jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT devices_kind_address_key UNIQUE (kind, address)
      )`);
    await runner.query(`CREATE INDEX devices_user_idx ON devices (org_id, user_id)`);
    // Addresses nothing may be sent to again: hard bounces, invalid numbers, STOP replies.
    await runner.query(`
      CREATE TABLE suppressions (
        channel varchar(10) NOT NULL,
        address text NOT NULL,
        reason varchar(300) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, address)
      )`);
    await runner.query(`
      CREATE TABLE delivery_dead_letters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        delivery_id uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        org_id varchar(100) NOT NULL,
        channel varchar(10) NOT NULL,
        error text NOT NULL,
        attempts integer NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        redriven_at timestamptz(3)
      )`);
    await runner.query(
      `CREATE INDEX delivery_dead_letters_page_idx ON delivery_dead_letters (created_at DESC, id DESC)`,
    );
    // Pages to on-call (PagerDuty, a signed webhook): one per event.
    await runner.query(`
      CREATE TABLE operator_alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id varchar(100) NOT NULL UNIQUE,
        org_id varchar(100),
        severity varchar(10) NOT NULL,
        summary varchar(1000) NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        status varchar(10) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        sent_at timestamptz(3)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'operator_alerts',
      'delivery_dead_letters',
      'suppressions',
      'devices',
      'recipient_settings',
      'quiet_hours',
      'preferences',
      'deliveries',
      'digests',
      'notifications',
    ]) {
      await runner.query(`DROP TABLE ${table}`);
    }
  }
}
