// Local stand-ins for the SEO providers, speaking each documented contract:
//   POST /token                                                 Google OAuth: jwt-bearer (service account) or
//                                                               refresh_token (authorized_user, refresh token `1//…`)
//   GET  /webmasters/v3/sites/{siteUrl}                         sites.get (Bearer from /token): { siteUrl, permissionLevel }
//   POST /webmasters/v3/sites/{siteUrl}/searchAnalytics/query   searchanalytics.query: rows sorted by clicks, rowLimit
//                                                               ≤ 25,000, startRow paging, dataState final|all with
//                                                               metadata.firstIncompleteDate; Google error bodies
//   GET  /v3/subscription-info/limits-and-usage                 Ahrefs (Bearer key, free)
//   GET  /v3/site-explorer/organic-keywords                     Ahrefs v3: target, date, select required; limit/offset;
//                                                               x-api-units-cost-* headers (50 units at least); { error }
// Data is synthetic and deterministic, set per property or target:
//   PUT /control/gsc/sites/{siteUrl}  { queries, pagesPerQuery, days, freshDays, invalidRows?, drop?: { every, days, by } }
//   PUT /control/ahrefs/targets/{target} { keywords, costPerRow? }
// Faults, consumed in order per route (gsc-token, gsc-site, gsc-query, ahrefs-usage, ahrefs-keywords):
//   PUT /control/faults { route, status, afterCalls?, times?, reason? }     DELETE /control/faults
//   GET /control/calls → { route: count }
// Served on its own (`node tools/stack/seo-standin.js --port N`, or startSeoStandIn() from tests) or under
// /seo on the local catcher's HTTP port.
'use strict';

const { createServer } = require('node:http');
const { randomBytes } = require('node:crypto');

const DAY_MS = 86_400_000;
/** What a property shows in the local stack: two months, a few keywords losing ground this week. */
const DEMO_SITE = {
  queries: 150,
  pagesPerQuery: 2,
  days: 60,
  freshDays: 2,
  permissionLevel: 'siteOwner',
  drop: { every: 7, days: 7, by: 6 },
};
const day = (offset) => new Date(Date.now() - offset * DAY_MS).toISOString().slice(0, 10);

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res, status, body, headers = {}) {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers })
    .end(JSON.stringify(body));
  return true;
}

/** Google's error envelope. */
function googleError(res, code, status, message, reason) {
  return send(res, code, {
    error: { code, message, errors: [{ message, domain: 'global', reason }], status },
  });
}

/** The site's origin, for page URLs: `sc-domain:example.com` → https://example.com. */
function originOf(site) {
  return site.startsWith('sc-domain:') ? `https://${site.slice('sc-domain:'.length)}` : new URL(site).origin;
}

/**
 * A property's rows for one day, `a` days ago. Fresh days (a < freshDays)
 * carry smaller, still-changing figures; drops make every `every`-th query
 * rank `by` places worse over the last `days` days.
 */
function gscRows(site, data, a) {
  const rows = [];
  const date = day(a);
  const origin = originOf(site);
  const fresh = a < data.freshDays;
  for (let i = 0; i < data.queries; i++) {
    for (let j = 0; j < data.pagesPerQuery; j++) {
      let impressions = 200 + ((i * 37 + j * 11 + a * 7) % 300);
      let position = 1.5 + (i % 40) + j * 3 + (a % 3) * 0.1;
      if (data.drop && i % data.drop.every === 0 && a < data.drop.days) position += data.drop.by;
      let clicks = Math.floor(impressions * Math.max(0.01, 0.3 / position));
      if (fresh) {
        impressions = Math.floor(impressions * 0.6);
        clicks = Math.floor(clicks * 0.6);
      }
      const query = i % 10 === 0 ? `Keyword  ${i}` : `keyword ${i}`;
      const page = `${origin}/kw-${i}/p${j}${j === 0 && i % 5 === 0 ? '?utm_source=newsletter#top' : ''}`;
      rows.push({ keys: [date, query, page], clicks, impressions, ctr: clicks / impressions, position });
    }
  }
  for (let n = 0; a === 0 && n < (data.invalidRows || 0); n++) {
    rows.push({
      keys: [date, `invalid ${n}`, `${origin}/bad-${n}`],
      clicks: 50,
      impressions: 10,
      ctr: 5,
      position: 3,
    });
  }
  return rows;
}

/**
 * `demo`: any property or target has data (the local stack, for trying the
 * console); otherwise only those set through /control (tests).
 */
function createSeoStandIn({ demo = false } = {}) {
  const sites = new Map();
  const targets = new Map();
  const tokens = new Set();
  const faults = [];
  const calls = {};
  const cache = new Map();
  let unitsUsed = 0;

  /** The next fault of `route`, if one is due (after `afterCalls` calls of the route). */
  function faultFor(route) {
    calls[route] = (calls[route] || 0) + 1;
    const index = faults.findIndex((f) => f.route === route && calls[route] > (f.afterCalls || 0));
    if (index < 0) return null;
    const f = faults[index];
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) faults.splice(index, 1);
    return f;
  }

  function bearer(req) {
    return String(req.headers.authorization || '').replace(/^Bearer /, '');
  }

  async function handle(req, res, path, query) {
    const raw = await readBody(req);
    const json = () => JSON.parse(raw.toString() || '{}');

    if (path === '/control/faults') {
      if (req.method === 'DELETE') return ((faults.length = 0), res.writeHead(204).end(), true);
      faults.push(json());
      return send(res, 200, { queued: faults.length });
    }
    if (path === '/control/calls') return send(res, 200, calls);
    const controlSite = /^\/control\/gsc\/sites\/(.+)$/.exec(path);
    if (controlSite && req.method === 'PUT') {
      const data = {
        queries: 10,
        pagesPerQuery: 1,
        days: 7,
        freshDays: 2,
        permissionLevel: 'siteOwner',
        ...json(),
      };
      sites.set(decodeURIComponent(controlSite[1]), data);
      return send(res, 200, data);
    }
    const controlTarget = /^\/control\/ahrefs\/targets\/(.+)$/.exec(path);
    if (controlTarget && req.method === 'PUT') {
      targets.set(decodeURIComponent(controlTarget[1]), { keywords: 100, costPerRow: 10, ...json() });
      return send(res, 200, targets.get(decodeURIComponent(controlTarget[1])));
    }

    if (path === '/token' && req.method === 'POST') {
      const f = faultFor('gsc-token');
      if (f) return send(res, f.status, { error: f.reason || 'internal_failure' });
      const form = new URLSearchParams(raw.toString());
      const grant = form.get('grant_type');
      if (grant === 'refresh_token') {
        if (!String(form.get('refresh_token') || '').startsWith('1//') || !form.get('client_id')) {
          return send(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
        }
      } else if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
        const parts = String(form.get('assertion') || '').split('.');
        let claims = {};
        try {
          claims = JSON.parse(Buffer.from(parts[1] || '', 'base64url').toString());
        } catch {
          // refused below
        }
        if (parts.length !== 3 || !claims.iss || !String(claims.scope || '').includes('webmasters')) {
          return send(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
        }
        if (!(claims.exp > Date.now() / 1000)) {
          return send(res, 400, {
            error: 'invalid_grant',
            error_description: 'Invalid JWT: Token must be a short-lived token',
          });
        }
      } else {
        return send(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
      }
      const token = `ya29.${randomBytes(24).toString('base64url')}`;
      tokens.add(token);
      return send(res, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
    }

    const site = /^\/webmasters\/v3\/sites\/([^/]+)(\/searchAnalytics\/query)?$/.exec(path);
    if (site) {
      if (!tokens.has(bearer(req))) {
        return googleError(
          res,
          401,
          'UNAUTHENTICATED',
          'Request had invalid authentication credentials.',
          'authError',
        );
      }
      const siteUrl = decodeURIComponent(site[1]);
      if (demo && !sites.has(siteUrl)) sites.set(siteUrl, { ...DEMO_SITE });
      const data = sites.get(siteUrl);
      const route = site[2] ? 'gsc-query' : 'gsc-site';
      const f = faultFor(route);
      if (f) {
        const reason = f.reason || (f.status === 429 ? 'rateLimitExceeded' : 'backendError');
        return googleError(
          res,
          f.status,
          f.status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE',
          `injected ${reason}`,
          reason,
        );
      }
      if (!data) {
        return googleError(
          res,
          403,
          'PERMISSION_DENIED',
          `User does not have sufficient permission for site '${siteUrl}'. See also: https://support.google.com/webmasters/answer/2451999.`,
          'forbidden',
        );
      }
      if (!site[2]) return send(res, 200, { siteUrl, permissionLevel: data.permissionLevel });
      if (req.method !== 'POST')
        return googleError(res, 405, 'INVALID_ARGUMENT', 'Method not allowed', 'invalid');
      const body = json();
      const rowLimit = body.rowLimit ?? 1000;
      if (!body.startDate || !body.endDate || body.startDate > body.endDate) {
        return googleError(
          res,
          400,
          'INVALID_ARGUMENT',
          'startDate and endDate are required, start before end',
          'invalidParameter',
        );
      }
      if (!(rowLimit >= 1 && rowLimit <= 25000)) {
        return googleError(
          res,
          400,
          'INVALID_ARGUMENT',
          'rowLimit must be between 1 and 25000',
          'invalidParameter',
        );
      }
      const all = body.dataState === 'all';
      // The sorted rows of a query, kept while its pages are read (as the API answers page after page quickly).
      const key = JSON.stringify([siteUrl, data, body.startDate, body.endDate, all, day(0)]);
      let rows = cache.get(key);
      if (!rows) {
        rows = [];
        for (let a = 0; a < data.days; a++) {
          const date = day(a);
          if (date < body.startDate || date > body.endDate) continue;
          if (!all && a < data.freshDays) continue;
          rows.push(...gscRows(siteUrl, data, a));
        }
        rows.sort((x, y) => y.clicks - x.clicks || (x.keys.join('\u0000') < y.keys.join('\u0000') ? -1 : 1));
        cache.clear();
        cache.set(key, rows);
      }
      const startRow = body.startRow || 0;
      const page = rows.slice(startRow, startRow + rowLimit);
      const firstIncomplete = day(Math.max(0, data.freshDays - 1));
      const metadata =
        all && data.freshDays > 0 && body.endDate >= firstIncomplete
          ? { firstIncompleteDate: firstIncomplete }
          : undefined;
      return send(res, 200, {
        ...(page.length ? { rows: page } : {}),
        responseAggregationType: 'byPage',
        ...(metadata ? { metadata } : {}),
      });
    }

    if (path.startsWith('/v3/')) {
      const key = bearer(req);
      if (!/^[A-Za-z0-9_-]{20,}$/.test(key) || key.startsWith('revoked')) {
        return send(res, 401, { error: 'Invalid API key' });
      }
      if (path === '/v3/subscription-info/limits-and-usage') {
        const f = faultFor('ahrefs-usage');
        if (f) return send(res, f.status, { error: f.reason || 'injected' });
        return send(res, 200, {
          limits_and_usage: {
            subscription: 'Standard, billed monthly',
            usage_reset_date: day(-20),
            units_limit_workspace: 1_000_000,
            units_usage_workspace: unitsUsed,
            units_limit_api_key: null,
            units_usage_api_key: unitsUsed,
            api_key_expiration_date: day(-300),
          },
        });
      }
      if (path === '/v3/site-explorer/organic-keywords') {
        const f = faultFor('ahrefs-keywords');
        if (f)
          return send(res, f.status, {
            error: f.reason || (f.status === 429 ? 'Too many requests' : 'injected'),
          });
        for (const required of ['target', 'date', 'select']) {
          if (!query.get(required))
            return send(res, 400, { error: `${required}: required parameter missing` });
        }
        if (demo && !targets.has(query.get('target')))
          targets.set(query.get('target'), { keywords: 300, costPerRow: 10 });
        const data = targets.get(query.get('target'));
        const limit = Number(query.get('limit') || 1000);
        const offset = Number(query.get('offset') || 0);
        const all = [];
        for (let i = 0; data && i < data.keywords; i++) {
          const volume = 100 + ((i * 53) % 5000);
          all.push({
            keyword: `ahrefs keyword ${i}`,
            best_position: 1 + (i % 60),
            best_position_url: `https://${query
              .get('target')
              .replace(/^https?:\/\//, '')
              .replace(/\/.*$/, '')}/a-${i % 50}`,
            sum_traffic: Math.floor(volume * Math.max(0.01, 0.3 / (1 + (i % 60)))),
            volume,
          });
        }
        all.sort((x, y) => y.sum_traffic - x.sum_traffic || (x.keyword < y.keyword ? -1 : 1));
        const page = all.slice(offset, offset + limit);
        const perRow = data ? data.costPerRow : 10;
        const total = Math.max(50, page.length * perRow);
        unitsUsed += total;
        return send(
          res,
          200,
          { keywords: page },
          {
            'x-api-rows': String(page.length),
            'x-api-units-cost-row': String(perRow),
            'x-api-units-cost-total': String(total),
            'x-api-units-cost-total-actual': String(total),
            'x-api-cache': 'miss',
          },
        );
      }
      return send(res, 404, { error: 'Not found' });
    }
    return false;
  }

  return { handle, sites, targets, faults, calls };
}

/** A stand-in on its own port (tests, benchmarks). */
function startSeoStandIn(port = 0) {
  const standIn = createSeoStandIn();
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://standin');
    standIn
      .handle(req, res, url.pathname, url.searchParams)
      .then((handled) => {
        if (!handled) send(res, 404, { error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } });
      })
      .catch((error) => {
        if (!res.headersSent) send(res, 500, { error: { code: 500, message: String(error.message) } });
      });
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        standIn,
        close: () => new Promise((done) => (server.closeAllConnections(), server.close(done))),
      }),
    ),
  );
}

module.exports = { createSeoStandIn, startSeoStandIn };

if (require.main === module) {
  const { values } = require('node:util').parseArgs({ options: { port: { type: 'string', default: '0' } } });
  startSeoStandIn(Number(values.port)).then(({ url }) => process.stdout.write(`seo stand-in on ${url}\n`));
}
