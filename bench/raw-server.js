// The baseline: one Node process, node:http and a pg pool, serving the
// same reads as gateway → Redis → control-plane, with the least work that
// gives the same answer: the token's claims are decoded, not verified, and
// there is no validation, no logging, no metrics and no RPC hop.
'use strict';

const { createServer } = require('node:http');

const { Pool } = require('pg');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const port = Number(process.env.PORT);

function claimsOf(req) {
  const token = (req.headers.authorization || '').slice(7);
  return JSON.parse(Buffer.from(token.split('.')[1] || '', 'base64url').toString('utf8') || '{}');
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

createServer(async (req, res) => {
  try {
    const claims = claimsOf(req);
    if (req.url === '/api/me') {
      return send(res, 200, {
        userId: claims.sub,
        orgId: claims.org_id,
        domainId: claims.domain_id ?? null,
        permissions: claims.permissions ?? [],
      });
    }
    const match = /^\/api\/domains\/([0-9a-f-]{36})$/.exec(req.url);
    if (match) {
      const { rows } = await pool.query(
        'SELECT id, org_id, name, hostname, status, created_at, updated_at FROM domains WHERE id = $1 AND org_id = $2',
        [match[1], claims.org_id],
      );
      if (!rows.length) return send(res, 404, { status: 404 });
      const d = rows[0];
      return send(res, 200, {
        id: d.id,
        orgId: d.org_id,
        name: d.name,
        hostname: d.hostname,
        status: d.status,
        createdAt: d.created_at,
        updatedAt: d.updated_at,
      });
    }
    send(res, 404, { status: 404 });
  } catch (error) {
    send(res, 500, { detail: error.message });
  }
}).listen(port, '127.0.0.1', () => process.stdout.write(`raw baseline on ${port}\n`));
