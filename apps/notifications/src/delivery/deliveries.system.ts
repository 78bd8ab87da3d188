import { Events } from '@smartbeak/contracts';
import { Repository, type SystemScope } from '@smartbeak/persistence';

import { type Sent } from '../channels/provider';

/** A delivery claimed for sending, with what to send. */
export interface ClaimedDelivery {
  id: string;
  orgId: string;
  userId: string;
  channel: 'email' | 'sms' | 'push';
  address: string | null;
  attempts: number;
  notificationId: string;
  type: string;
  title: string;
  body: string;
  link: string | null;
}

const CLAIMED_COLUMNS = `d.id, d.org_id AS "orgId", d.user_id AS "userId", d.channel, d.address, d.attempts,
  n.id AS "notificationId", n.type, n.title, n.body, n.link`;

/**
 * Sending, across orgs (the workers and the sweeper). A delivery is sent by
 * whoever claims it: `pending` (or `held` whose time came, or `sending` whose
 * claim lapsed — its worker died) → `sending` for a lease; then `sent`,
 * `failed`, back to `pending` with a due time (transient), or `dead`.
 */
export class DeliveriesSystem extends Repository {
  async claim(_scope: SystemScope, id: string, leaseMs: number): Promise<ClaimedDelivery | undefined> {
    return this.sql.one<ClaimedDelivery>(
      `WITH claimed AS (
         UPDATE deliveries SET status = 'sending', claimed_until = now() + make_interval(secs => $2::float8 / 1000),
                attempts = attempts + 1, updated_at = now()
          WHERE id = $1 AND digest_window_end IS NULL
            AND ((status IN ('pending', 'held') AND (due_at IS NULL OR due_at <= now()))
                 OR (status = 'sending' AND claimed_until < now()))
          RETURNING *
       )
       SELECT ${CLAIMED_COLUMNS} FROM claimed d JOIN notifications n ON n.id = d.notification_id`,
      [id, leaseMs],
    );
  }

  /** Marks a delivery sent, with its `notifications.delivery.dispatched` event (analytics' notifications.sent) — once. */
  async markSent(_scope: SystemScope, id: string, sent: Sent): Promise<void> {
    await this.sql.run(
      `WITH sent AS (
         UPDATE deliveries SET status = 'sent', provider = $2, provider_message_id = $3, last_error = NULL,
                claimed_until = NULL, updated_at = now()
          WHERE id = $1 AND status <> 'sent' RETURNING id, org_id, channel, notification_id
       )
       INSERT INTO outbox (id, type, aggregate_id, org_id, domain_id, payload)
       SELECT gen_random_uuid(), '${Events.notifications.deliveryDispatched}', s.id::text, s.org_id, n.domain_id,
              jsonb_build_object('channel', s.channel, 'provider', $2::text, 'messages', 1)
         FROM sent s JOIN notifications n ON n.id = s.notification_id`,
      [id, sent.provider, sent.messageId],
    );
  }

  async markFailed(
    _scope: SystemScope,
    id: string,
    error: string,
    provider: string | null = null,
  ): Promise<void> {
    await this.sql.run(
      `UPDATE deliveries SET status = 'failed', last_error = $2, provider = COALESCE($3, provider),
              claimed_until = NULL, updated_at = now() WHERE id = $1`,
      [id, error.slice(0, 2000), provider],
    );
  }

  /** Transient trouble: back to pending, due again after `delayMs`. */
  async retryLater(_scope: SystemScope, id: string, error: string, delayMs: number): Promise<void> {
    await this.sql.run(
      `UPDATE deliveries SET status = 'pending', last_error = $2, due_at = now() + make_interval(secs => $3::float8 / 1000),
              claimed_until = NULL, updated_at = now() WHERE id = $1`,
      [id, error.slice(0, 2000), delayMs],
    );
  }

  /** Out of attempts: `dead`, with its dead letter (call inside a transaction). */
  async deadLetter(_scope: SystemScope, delivery: ClaimedDelivery, error: string): Promise<void> {
    await this.sql.run(
      `UPDATE deliveries SET status = 'dead', last_error = $2, claimed_until = NULL, updated_at = now() WHERE id = $1`,
      [delivery.id, error.slice(0, 2000)],
    );
    await this.sql.run(
      `INSERT INTO delivery_dead_letters (delivery_id, org_id, channel, error, attempts) VALUES ($1, $2, $3, $4, $5)`,
      [delivery.id, delivery.orgId, delivery.channel, error.slice(0, 2000), delivery.attempts],
    );
  }

  /** Nothing is sent to `address` on `channel` again; `replace` overwrites an earlier reason (a STOP reply). */
  async suppress(
    _scope: SystemScope,
    channel: string,
    address: string,
    reason: string,
    replace = false,
  ): Promise<void> {
    await this.sql.run(
      `INSERT INTO suppressions (channel, address, reason) VALUES ($1, lower($2), $3)
       ON CONFLICT (channel, address) DO UPDATE SET reason = EXCLUDED.reason WHERE $4`,
      [channel, address, reason.slice(0, 300), replace],
    );
  }

  /** Lifts a suppression, only if it had this reason (a START reply lifts a STOP, never a bounce). */
  async unsuppress(_scope: SystemScope, channel: string, address: string, reason: string): Promise<void> {
    await this.sql.run(
      `DELETE FROM suppressions WHERE channel = $1 AND address = lower($2) AND reason = $3`,
      [channel, address, reason],
    );
  }

  /** A provider said later that a sent message was not delivered: `failed`; the addresses it went to. */
  async failSent(_scope: SystemScope, provider: string, messageId: string, error: string): Promise<string[]> {
    const rows = await this.sql.rows<{ address: string | null }>(
      `UPDATE deliveries SET status = 'failed', last_error = $3, updated_at = now()
        WHERE provider = $1 AND provider_message_id = $2 AND status = 'sent' RETURNING address`,
      [provider, messageId, error.slice(0, 2000)],
    );
    return rows.flatMap((row) => (row.address ? [row.address] : []));
  }

  /**
   * Deliveries whose queue job may be lost: pending and due for a while,
   * held ones whose time came, claims that lapsed. The sweeper queues them
   * again (a claim makes a duplicate job harmless).
   */
  stale(
    _scope: SystemScope,
    graceMs: number,
    limit = 500,
  ): Promise<{ id: string; channel: string; attempts: number }[]> {
    return this.sql.rows(
      `SELECT id, channel, attempts FROM deliveries
        WHERE digest_window_end IS NULL AND (
              (status = 'pending' AND updated_at < now() - make_interval(secs => $1::float8 / 1000)
                 AND (due_at IS NULL OR due_at < now() - make_interval(secs => $1::float8 / 1000)))
           OR (status = 'held' AND due_at <= now() - make_interval(secs => $1::float8 / 1000))
           OR (status = 'sending' AND claimed_until < now()))
        ORDER BY updated_at LIMIT $2`,
      [graceMs, limit],
    );
  }

  /**
   * Closes every digest window that has ended: one `digests` row per user and
   * window, its held emails attached. Returns the digests to send.
   */
  async closeDigests(_scope: SystemScope): Promise<{ id: string }[]> {
    return this.sql.rows(
      `WITH due AS (
         SELECT DISTINCT d.org_id, d.user_id, d.digest_window_end AS window_end,
                (SELECT s.digest FROM recipient_settings s WHERE s.org_id = d.org_id AND s.user_id = d.user_id) AS mode
           FROM deliveries d
          WHERE d.status = 'held' AND d.digest_window_end IS NOT NULL AND d.digest_window_end <= now() AND d.digest_id IS NULL
          LIMIT 1000
       ), made AS (
         INSERT INTO digests (org_id, user_id, mode, window_end)
         SELECT org_id, user_id, CASE WHEN mode = 'daily' THEN 'daily' ELSE 'hourly' END, window_end FROM due
         ON CONFLICT (org_id, user_id, window_end) DO UPDATE SET status = digests.status
         RETURNING id, org_id, user_id, window_end
       ), attached AS (
         UPDATE deliveries d SET digest_id = made.id, updated_at = now()
           FROM made WHERE d.org_id = made.org_id AND d.user_id = made.user_id AND d.digest_window_end = made.window_end
            AND d.status = 'held' AND d.digest_id IS NULL
         RETURNING d.digest_id
       )
       SELECT DISTINCT made.id FROM made`,
    );
  }

  /** Digests not sent yet (a lost job, a failed send): the sweeper queues them again. */
  pendingDigests(_scope: SystemScope, graceMs: number): Promise<{ id: string }[]> {
    return this.sql.rows(
      `SELECT id FROM digests WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1::float8 / 1000) LIMIT 500`,
      [graceMs],
    );
  }

  async digest(
    _scope: SystemScope,
    id: string,
  ): Promise<
    | {
        id: string;
        orgId: string;
        userId: string;
        mode: 'hourly' | 'daily';
        status: string;
        items: { type: string; title: string; body: string; link: string | null; address: string | null }[];
      }
    | undefined
  > {
    return this.sql.one(
      `SELECT g.id, g.org_id AS "orgId", g.user_id AS "userId", g.mode, g.status,
              COALESCE((SELECT json_agg(json_build_object('type', n.type, 'title', n.title, 'body', n.body,
                                                          'link', n.link, 'address', d.address) ORDER BY n.created_at)
                          FROM deliveries d JOIN notifications n ON n.id = d.notification_id
                         WHERE d.digest_id = g.id AND d.status = 'held'), '[]') AS items
         FROM digests g WHERE g.id = $1`,
      [id],
    );
  }

  async digestSent(_scope: SystemScope, id: string, sent: Sent): Promise<void> {
    await this.sql.run(
      `WITH g AS (
         UPDATE digests SET status = 'sent', provider = $2, provider_message_id = $3, sent_at = now()
          WHERE id = $1 AND status = 'pending' RETURNING id, org_id
       ), d AS (
         UPDATE deliveries d SET status = 'sent', provider = $2, provider_message_id = $3, updated_at = now()
           FROM g WHERE d.digest_id = g.id AND d.status = 'held' RETURNING d.id
       )
       -- One email however many updates it carries: one message sent.
       INSERT INTO outbox (id, type, aggregate_id, org_id, domain_id, payload)
       SELECT gen_random_uuid(), '${Events.notifications.deliveryDispatched}', g.id::text, g.org_id, NULL,
              jsonb_build_object('channel', 'email', 'provider', $2::text, 'messages', 1, 'digest', true)
         FROM g`,
      [id, sent.provider, sent.messageId],
    );
  }
}
