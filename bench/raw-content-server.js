// The content baseline: one Node process, node:http and a pg pool, running
// the same SQL as the content service for create, read by id, update and
// list-newest-20 — and nothing else: claims decoded, not verified; no
// validation, no domain check, no logging, no metrics, no RPC hop.
'use strict';

const { randomUUID } = require('node:crypto');
const { createServer } = require('node:http');

const { Pool } = require('pg');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const port = Number(process.env.PORT);

const COLUMNS = `i.id, i.org_id AS "orgId", i.domain_id AS "domainId", i.title, i.slug, i.body, i.excerpt, i.tags,
  i.status, i.version, i.scheduled_for AS "scheduledFor", i.published_at AS "publishedAt", i.created_by AS "createdBy",
  i.updated_by AS "updatedBy", i.created_at AS "createdAt", i.updated_at AS "updatedAt", i.deleted_at AS "deletedAt",
  i.cold_at AS "coldAt", l.holder AS "lockHolder", l.expires_at AS "lockExpiresAt"`;
const JOIN = `LEFT JOIN content_locks l ON l.item_id = i.id AND l.expires_at > now()`;
const EVENT_AND_REVISION = (e) => `
  ev AS (INSERT INTO content_events (event_id, aggregate_id, type, version, payload, occurred_at, org_id, domain_id, request_id)
         SELECT $${e}, id, $${e + 1}, version, $${e + 2}::jsonb, updated_at, org_id, domain_id, NULL FROM item),
  rev AS (INSERT INTO content_revisions (item_id, version, org_id, domain_id, title, slug, body, excerpt, tags, status,
                                         scheduled_for, cause, created_by, created_at)
          SELECT id, version, org_id, domain_id, title, slug, body, excerpt, tags, status, scheduled_for, $${e + 1},
                 updated_by, updated_at FROM item)`;

const claimsOf = (req) =>
  JSON.parse(
    Buffer.from((req.headers.authorization || '').slice(7).split('.')[1] || '', 'base64url').toString() ||
      '{}',
  );
const slugify = (title) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200) || 'untitled';
const itemOf = (row) => {
  const { lockHolder, lockExpiresAt, orgId: _o, deletedAt: _d, coldAt, ...rest } = row;
  return {
    ...rest,
    lock: lockHolder ? { lockedBy: lockHolder, expiresAt: lockExpiresAt } : null,
    coldSince: coldAt,
  };
};

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}');
}

async function create(claims, input) {
  const now = new Date().toISOString();
  const id = randomUUID();
  const changes = {
    title: input.title,
    slug: slugify(input.title),
    body: input.body || '',
    excerpt: '',
    tags: input.tags || [],
    status: 'draft',
  };
  const values = [
    id,
    claims.org_id,
    claims.domain_id,
    changes.title,
    changes.slug,
    changes.body,
    '',
    changes.tags,
    'draft',
    1,
    null,
    null,
    claims.sub,
    claims.sub,
    now,
    now,
    null,
    null,
  ];
  const { rows } = await pool.query(
    `WITH item AS (INSERT INTO content_items (id, org_id, domain_id, title, slug, body, excerpt, tags, status, version,
        scheduled_for, published_at, created_by, updated_by, created_at, updated_at, deleted_at, cold_at)
        VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT DO NOTHING RETURNING *),
     ${EVENT_AND_REVISION(19)}
     SELECT id FROM item`,
    [...values, randomUUID(), 'content.item.created', JSON.stringify({ actor: claims.sub, changes })],
  );
  return rows.length
    ? [201, { id, ...changes, version: 1, createdAt: now, updatedAt: now, lock: null }]
    : [409, { status: 409 }];
}

async function update(claims, input) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(
      `SELECT ${COLUMNS} FROM content_items i ${JOIN} WHERE i.id = $1 AND i.org_id = $2 AND i.deleted_at IS NULL FOR UPDATE OF i`,
      [input.id, claims.org_id],
    );
    const row = rows[0];
    if (!row) return [404, { status: 404 }];
    if (row.version !== input.version) return [409, { status: 409, currentVersion: row.version }];
    const now = new Date(Math.max(Date.now(), row.updatedAt.getTime())).toISOString();
    const next = {
      ...row,
      body: input.body ?? row.body,
      title: input.title ?? row.title,
      version: row.version + 1,
      updatedBy: claims.sub,
      updatedAt: now,
    };
    await client.query(
      `WITH item AS (UPDATE content_items SET title = $3, slug = $4, body = $5, excerpt = $6, tags = $7, status = $8, version = $9,
          scheduled_for = $10, published_at = $11, updated_by = $12, updated_at = $13, deleted_at = $14, cold_at = $15
          WHERE id = $1 AND version = $2 RETURNING *),
       ${EVENT_AND_REVISION(16)}
       SELECT id FROM item`,
      [
        row.id,
        row.version,
        next.title,
        next.slug,
        next.body,
        next.excerpt,
        next.tags,
        next.status,
        next.version,
        next.scheduledFor,
        next.publishedAt,
        next.updatedBy,
        next.updatedAt,
        null,
        null,
        randomUUID(),
        'content.item.updated',
        JSON.stringify({ actor: claims.sub, changes: { body: input.body } }),
      ],
    );
    await client.query('COMMIT');
    return [200, itemOf(next)];
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function get(claims, id) {
  const { rows } = await pool.query(
    `SELECT ${COLUMNS} FROM content_items i ${JOIN} WHERE i.id = $1 AND i.org_id = $2 AND i.deleted_at IS NULL`,
    [id, claims.org_id],
  );
  return rows.length ? [200, itemOf(rows[0])] : [404, { status: 404 }];
}

async function list(claims, query) {
  const limit = Number(query.get('limit') || 20);
  const params = [claims.org_id, claims.domain_id, limit + 1];
  let after = '';
  const cursor = query.get('cursor');
  if (cursor) {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    params.push(at, id);
    after = `AND (i.created_at, i.id) < ($4::timestamptz, $5::uuid)`;
  }
  const { rows } = await pool.query(
    `SELECT ${COLUMNS} FROM content_items i ${JOIN}
      WHERE i.org_id = $1 AND i.domain_id = $2 AND i.deleted_at IS NULL ${after}
      ORDER BY i.created_at DESC, i.id DESC LIMIT $3`,
    params,
  );
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > limit
      ? Buffer.from(JSON.stringify([last.createdAt.toISOString(), last.id])).toString('base64url')
      : null;
  return [200, { items: items.map(itemOf), nextCursor }];
}

createServer(async (req, res) => {
  try {
    const claims = claimsOf(req);
    const url = new URL(req.url, 'http://raw');
    let answer;
    if (req.method === 'POST' && url.pathname === '/api/content')
      answer = await create(claims, await readBody(req));
    else if (req.method === 'POST' && url.pathname === '/api/content/update')
      answer = await update(claims, await readBody(req));
    else if (req.method === 'GET' && url.pathname === '/api/content')
      answer = await list(claims, url.searchParams);
    else if (req.method === 'GET' && url.pathname.startsWith('/api/content/'))
      answer = await get(claims, url.pathname.slice(13));
    else answer = [404, { status: 404 }];
    send(res, ...answer);
  } catch (error) {
    send(res, 500, { detail: error.message });
  }
}).listen(port, '127.0.0.1', () => process.stdout.write(`raw content baseline on ${port}\n`));
