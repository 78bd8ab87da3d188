#!/usr/bin/env node
// Benchmark (not a test), in one run on one stack:
//  1. events/s from an outbox to a sent email: N `publishing.job.failed` rows
//     written to publishing's outbox → its relay → notifications (recipients
//     from control-plane, preferences, the inbox, deliveries) → its email
//     worker → SMTP catcher; beside a raw loop of BullMQ jobs each sending one
//     email with nodemailer to the same catcher, at the same concurrency.
//  2. the inbox list through the gateway: p99 for a user with 1,000
//     notifications and for one with 100,000 (and the unread count).
//   node bench/notifications.js [--events 2000] [--duration 10] [--connections 16] [--flow-only]
'use strict';

const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { cpus } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');

const { Queue, Worker } = require('bullmq');
const nodemailer = require('nodemailer');
const { Client } = require('pg');

const stack = require('../tools/stack/local-stack');
const system = require('../tools/stack/system');
const {
  api: apiCall,
  cpuSeconds,
  load,
  startGateway,
  startService,
  table,
  waitOk,
  tokenSigner,
} = require('./lib');

const GATEWAY = 'http://127.0.0.1:3200';

const ORG = `org_notify_bench_${Date.now()}`;
const EMAIL = 'bench-recipient@example.com';
const CONCURRENCY = 16;

async function main() {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '2000' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '16' },
      'flow-only': { type: 'boolean', default: false },
    },
  });
  const events = Number(values.events);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const settings = stack.stackSettings('bench');
  const infra = stack.startInfrastructure(settings);
  const processes = [];
  const clients = [];
  try {
    stack.buildApps();
    await infra.ready();
    stack.migrateAll(infra);
    const service = (name) => stack.SERVICES.find((s) => s.name === name);
    const keys = system.ensureDevKeys(settings.dir);
    const names = new Map();
    const start = (name, port, extra = {}) => {
      const child = startService(infra, name, port, { extra });
      processes.push(child);
      names.set(child.pid, name);
    };
    start('control-plane', 3201);
    start('publishing', 3204); // its outbox relay
    start('notifications', 3206, {
      EMAIL_PROVIDERS: 'smtp',
      NOTIFICATIONS_CONCURRENCY: String(CONCURRENCY),
      // The per-channel send rate is a provider's limit (200/s by default): off, as the raw loop has none.
      NOTIFICATIONS_SEND_RATE: '100000',
    });
    processes.push(startGateway(infra, keys, ['control-plane', 'publishing', 'notifications']));
    for (const port of [3201, 3204, 3206]) await waitOk(`http://127.0.0.1:${port}/health/ready`);
    await waitOk(`${GATEWAY}/api/health`);

    const sign = await tokenSigner(keys.privatePath);
    // The recipient becomes a member control-plane knows, with an email, by using the API.
    for (const org of [ORG, `${ORG}_warm`]) {
      await apiCall(GATEWAY, 'GET', '/api/me', await sign({ org_id: org, permissions: [], email: EMAIL }));
    }

    const publishingDb = new Client({ connectionString: infra.databaseUrl(service('publishing').database) });
    const notificationsDb = new Client({
      connectionString: infra.databaseUrl(service('notifications').database),
    });
    await publishingDb.connect();
    await notificationsDb.connect();
    clients.push(publishingDb, notificationsDb);

    /** N failed-job events in the outbox (one statement, as a burst of job failures would be). */
    const outboxToEmail = async (org, n) => {
      const tag = `t${Date.now()}`;
      const started = Date.now();
      await publishingDb.query(
        `INSERT INTO outbox (id, type, aggregate_id, org_id, domain_id, payload)
         SELECT gen_random_uuid(), 'publishing.job.failed', gen_random_uuid()::text, $1, NULL,
                jsonb_build_object('jobId', gen_random_uuid(), 'createdBy', 'user_bench',
                                   'title', $2 || ' ' || i, 'state', 'failed', 'deadLettered', false,
                                   'targets', jsonb_build_array(jsonb_build_object(
                                     'type', 'wordpress', 'state', 'failed', 'detail', '503 Service Unavailable')))
           FROM generate_series(1, $3) AS i`,
        [org, tag, n],
      );
      // Done when every notification is made and none of its deliveries is open (both index scans).
      for (;;) {
        const { rows } = await notificationsDb.query(
          `SELECT (SELECT count(*) FROM notifications WHERE org_id = $1 AND user_id = 'user_bench' AND in_app)::int AS made,
                  (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending', 'held') AND org_id = $1)::int AS open`,
          [org],
        );
        if (rows[0].made >= n && rows[0].open === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const seconds = (Date.now() - started) / 1000;
      const { rows } = await notificationsDb.query(
        `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status <> 'sent')::int AS failed
           FROM deliveries WHERE org_id = $1 AND channel = 'email'`,
        [org],
      );
      return {
        path: 'outbox → relay → notifications → SMTP',
        events: n,
        'events/s': Math.round(n / seconds),
        seconds: seconds.toFixed(1),
        failed: rows[0].failed + (n - rows[0].sent - rows[0].failed),
      };
    };

    const rawLoop = async (n) => {
      const connection = { url: infra.redisUrl, maxRetriesPerRequest: null };
      const queue = new Queue('bench-raw-mail', { connection, prefix: 'bench:raw' });
      const transport = nodemailer.createTransport({
        url: infra.mail.smtpUrl,
        pool: true,
        maxConnections: 5,
      });
      let sent = 0;
      let resolveDone;
      const done = new Promise((r) => (resolveDone = r));
      const worker = new Worker(
        'bench-raw-mail',
        async (job) => {
          await transport.sendMail({
            from: 'notifications@smartbeak.local',
            to: EMAIL,
            subject: job.data.title,
            text: `${job.data.title}\n\nIt did not go out to wordpress: 503 Service Unavailable.`,
            html: `<p>${job.data.title}</p><p>It did not go out to wordpress: 503 Service Unavailable.</p>`,
          });
          if (++sent === n) resolveDone();
        },
        { connection, prefix: 'bench:raw', concurrency: CONCURRENCY },
      );
      await worker.waitUntilReady();
      const started = Date.now();
      await queue.addBulk(
        Array.from({ length: n }, (_, i) => ({
          name: 'mail',
          data: { title: `Publishing failed: raw ${i}` },
          opts: { removeOnComplete: true },
        })),
      );
      await done;
      const seconds = (Date.now() - started) / 1000;
      await worker.close();
      transport.close();
      await queue.obliterate({ force: true });
      await queue.close();
      return {
        path: 'raw BullMQ job → nodemailer → SMTP',
        events: n,
        'events/s': Math.round(n / seconds),
        seconds: seconds.toFixed(1),
        failed: 0,
      };
    };

    process.stdout.write('warming up…\n');
    await outboxToEmail(`${ORG}_warm`, 100);
    const raw = await rawLoop(events);
    // What each event costs the notifications database: statements per event, by statement.
    await notificationsDb.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await notificationsDb.query('SELECT pg_stat_statements_reset()');
    const cpuBefore = cpuSeconds(names);
    const flow = [raw, await outboxToEmail(ORG, events)];
    const cpuAfter = cpuSeconds(names);
    const cpu = Object.entries(cpuAfter)
      .map(([group, seconds]) => ({ process: group, 'CPU s': seconds - (cpuBefore[group] ?? 0) }))
      .filter((r) => r['CPU s'] >= 0.2)
      .sort((a, b) => b['CPU s'] - a['CPU s'])
      .map((r) => ({
        ...r,
        'CPU s': r['CPU s'].toFixed(1),
        'ms per event': ((r['CPU s'] * 1000) / events).toFixed(2),
      }));
    const statements = (
      await notificationsDb.query(
        `SELECT s.calls, round(s.total_exec_time)::int AS ms, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 110) AS query
           FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
          WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_statements%'
          ORDER BY s.calls DESC LIMIT 20`,
      )
    ).rows.map((r) => ({ 'per event': (r.calls / events).toFixed(2), 'total ms': r.ms, statement: r.query }));
    flow[0].ratio = '';
    flow[1].ratio = `${Math.round((flow[1]['events/s'] / flow[0]['events/s']) * 100)} %`;
    process.stdout.write(`${table(flow)}\n`);

    // The inbox: one user with 1,000 notifications, one (another org) with 100,000.
    const inboxRows = [];
    for (const size of values['flow-only'] ? [] : [1_000, 100_000]) {
      const org = `${ORG}_inbox_${size}`;
      await notificationsDb.query(
        `INSERT INTO notifications (org_id, user_id, event_id, type, critical, title, body, link, created_at, read_at)
         SELECT $1::varchar, 'user_bench', 'bench-' || $1::varchar || '-' || i, 'publishing.job.completed', false,
                'Published: item ' || i, 'Every destination confirmed the post.', '/publishing/jobs/' || i,
                now() - make_interval(secs => $2::int - i), CASE WHEN i % 3 = 0 THEN NULL ELSE now() END
           FROM generate_series(1, $2::int) AS i`,
        [org, size],
      );
      await notificationsDb.query('ANALYZE notifications');
      const token = await sign({ org_id: org, permissions: [] });
      const headers = { authorization: `Bearer ${token}` };
      for (const [what, path] of [
        ['list, newest 20', '/api/notifications'],
        ['unread, newest 20', '/api/notifications?unread=true'],
        ['unread count', '/api/notifications/unread-count'],
      ]) {
        await load(`${GATEWAY}${path}`, { connections, duration: 2, headers }); // warm
        const r = await load(`${GATEWAY}${path}`, { connections, duration, headers });
        inboxRows.push({
          inbox: size.toLocaleString('en'),
          what,
          'req/s': r.reqPerSec,
          p50: r.p50,
          p99: r.p99,
          failed: r.failed,
        });
      }
    }
    for (const row of inboxRows.filter((r) => r.inbox !== '1,000')) {
      const small = inboxRows.find((r) => r.inbox === '1,000' && r.what === row.what);
      row['p99 ×'] = (row.p99 / Math.max(1, small.p99)).toFixed(2);
    }
    for (const row of inboxRows) row['p99 ×'] ??= '';

    process.stdout.write(
      `\nnotifications: outbox → sent email, ${events} events, ${CONCURRENCY} concurrent sends, ${cpus().length} cores\n\n${table(flow)}\n\n` +
        `CPU during the platform run\n\n${table(cpu)}\n\n` +
        `notifications database, statements per event (pg_stat_statements)\n\n${table(statements)}\n\n` +
        (inboxRows.length
          ? `inbox through the gateway, ${connections} connections, ${duration} s each (p50/p99 in ms)\n\n${table(inboxRows)}\n\n`
          : ''),
    );
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(
      join(__dirname, 'results/notifications.json'),
      JSON.stringify(
        { at: new Date().toISOString(), events, connections, duration, flow, inbox: inboxRows },
        null,
        2,
      ),
    );
  } finally {
    for (const client of clients) await client.end().catch(() => undefined);
    for (const child of processes) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1_000));
    infra.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
