// The provider catcher: local stand-ins for the notification providers,
// served beside the SMTP catcher (same HTTP port). Each speaks its API's
// documented contract — paths, auth, status codes, error bodies — and keeps
// what it accepted in the catcher's message list:
//   POST /sendgrid/v3/mail/send                               (Bearer key; 202 + X-Message-Id)
//   POST /ses/v2/email/outbound-emails                        (AWS SigV4 header; 200 { MessageId })
//   POST /twilio/2010-04-01/Accounts/{sid}/Messages.json      (Basic sid:token, a form; 201 { sid })
//   POST /google/token                                        (JWT bearer grant; { access_token, expires_in })
//   POST /fcm/v1/projects/{project}/messages:send             (Bearer from /google/token; 200 { name })
//   POST /webpush/{id}                                        (VAPID, aes128gcm; 201 + Location)
//   POST /pagerduty/v2/enqueue                                (202 { status, dedup_key })
//   POST /hooks/{name}                                        (any signed webhook; 200)
// Faults, per account (API key, SID, AWS access key id, routing key, project)
// or per email recipient (every email provider, SMTP included, refuses it):
//   PUT /control/{account} { status, times?, retryAfter?, smtp? } answer `status` (`times` times, or until
//                                                            DELETE); SMTP answers `smtp` (default 451)
//   DELETE /control/{account}
// Test numbers and tokens: To +15005550001 → Twilio 21211 (invalid number);
// an FCM token starting `unregistered` → 404 UNREGISTERED; /webpush/gone-* → 410.
'use strict';

const { randomBytes } = require('node:crypto');

const faults = new Map();
const issuedTokens = new Set();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** The fault set for `account`, consumed once per call; null when it should answer normally. */
function fault(account) {
  const entry = account && faults.get(account);
  if (!entry) return null;
  if (entry.times !== undefined) {
    entry.times -= 1;
    if (entry.times <= 0) faults.delete(account);
  }
  return entry;
}

function faultAnswer(res, entry, body) {
  json(
    res,
    entry.status,
    body,
    entry.retryAfter !== undefined ? { 'retry-after': String(entry.retryAfter) } : {},
  );
}

const id = (prefix, bytes = 16) => `${prefix}${randomBytes(bytes).toString('hex')}`;

/** Handles a provider request; false when the path is not one of ours. */
async function handleProvider(req, res, url, record) {
  const path = url.pathname;
  if (path.startsWith('/control/')) {
    const account = decodeURIComponent(path.slice('/control/'.length));
    if (req.method === 'DELETE') faults.delete(account);
    else faults.set(account, JSON.parse((await readBody(req)).toString() || '{}'));
    res.writeHead(204).end();
    return true;
  }
  if (req.method !== 'POST') return false;
  const raw = await readBody(req);
  const auth = req.headers.authorization || '';

  if (path === '/sendgrid/v3/mail/send') {
    const key = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!key) return (json(res, 401, { errors: [{ field: null, message: 'authorization required' }] }), true);
    let mail;
    try {
      mail = JSON.parse(raw.toString());
    } catch {
      return (json(res, 400, { errors: [{ field: null, message: 'Bad Request' }] }), true);
    }
    const to = mail.personalizations?.[0]?.to?.map((t) => t.email) ?? [];
    const f = fault(key) || fault(to[0]);
    if (f) return (faultAnswer(res, f, { errors: [{ field: null, message: `injected ${f.status}` }] }), true);
    if (!to.length || !mail.from?.email || !mail.subject || !mail.content?.length) {
      return (
        json(res, 400, {
          errors: [{ field: 'personalizations', message: 'to, from, subject and content are required' }],
        }),
        true
      );
    }
    const messageId = id('sg-', 11);
    record({
      channel: 'email',
      provider: 'sendgrid',
      from: mail.from.email,
      to,
      subject: mail.subject,
      text: mail.content.find((c) => c.type === 'text/plain')?.value ?? '',
      html: mail.content.find((c) => c.type === 'text/html')?.value ?? '',
      headers: mail.headers ?? {},
      providerMessageId: messageId,
    });
    res.writeHead(202, { 'x-message-id': messageId }).end();
    return true;
  }

  if (path === '/ses/v2/email/outbound-emails') {
    const credential = /Credential=([^/]+)\//.exec(auth);
    if (!auth.startsWith('AWS4-HMAC-SHA256 ') || !credential) {
      return (
        json(
          res,
          403,
          { message: 'Missing Authentication Token' },
          { 'x-amzn-errortype': 'MissingAuthenticationTokenException' },
        ),
        true
      );
    }
    const mail = JSON.parse(raw.toString() || '{}');
    const simple = mail.Content?.Simple;
    const to = mail.Destination?.ToAddresses ?? [];
    const f = fault(credential[1]) || fault(to[0]);
    if (f) {
      const type =
        f.status === 400
          ? 'MessageRejected'
          : f.status === 429
            ? 'TooManyRequestsException'
            : 'InternalFailure';
      const retry = f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {};
      return (
        json(res, f.status, { message: `injected ${f.status}` }, { 'x-amzn-errortype': type, ...retry }),
        true
      );
    }
    if (!to.length || !mail.FromEmailAddress || !simple?.Subject?.Data) {
      return (
        json(res, 400, { message: 'Missing required fields' }, { 'x-amzn-errortype': 'BadRequestException' }),
        true
      );
    }
    const messageId = id('ses-', 12);
    record({
      channel: 'email',
      provider: 'ses',
      from: mail.FromEmailAddress,
      to,
      subject: simple.Subject.Data,
      text: simple.Body?.Text?.Data ?? '',
      html: simple.Body?.Html?.Data ?? '',
      headers: Object.fromEntries((simple.Headers ?? []).map((h) => [h.Name, h.Value])),
      providerMessageId: messageId,
    });
    return (json(res, 200, { MessageId: messageId }), true);
  }

  const twilio = /^\/twilio\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
  if (twilio) {
    const [user, token] = auth.startsWith('Basic ')
      ? Buffer.from(auth.slice(6), 'base64').toString().split(':')
      : [];
    if (user !== twilio[1] || !token) {
      return (
        json(res, 401, {
          code: 20003,
          message: 'Authenticate',
          more_info: 'https://www.twilio.com/docs/errors/20003',
          status: 401,
        }),
        true
      );
    }
    const f = fault(user);
    if (f)
      return (faultAnswer(res, f, { code: 20500, message: `injected ${f.status}`, status: f.status }), true);
    const form = new URLSearchParams(raw.toString());
    const to = form.get('To') || '';
    if (!/^\+[1-9]\d{6,14}$/.test(to) || to === '+15005550001') {
      return (
        json(res, 400, {
          code: 21211,
          message: `The 'To' number ${to} is not a valid phone number.`,
          more_info: 'https://www.twilio.com/docs/errors/21211',
          status: 400,
        }),
        true
      );
    }
    if (!form.get('From') && !form.get('MessagingServiceSid')) {
      return (
        json(res, 400, { code: 21603, message: "The 'From' phone number is required.", status: 400 }),
        true
      );
    }
    const sid = id('SM', 16);
    record({
      channel: 'sms',
      provider: 'twilio',
      from: form.get('From') || form.get('MessagingServiceSid'),
      to: [to],
      text: form.get('Body') || '',
      statusCallback: form.get('StatusCallback'),
      providerMessageId: sid,
    });
    return (
      json(res, 201, { sid, status: 'queued', to, from: form.get('From'), body: form.get('Body') }),
      true
    );
  }

  if (path === '/google/token') {
    const form = new URLSearchParams(raw.toString());
    const assertion = form.get('assertion') || '';
    const parts = assertion.split('.');
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || parts.length !== 3) {
      return (json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT' }), true);
    }
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    if (!claims.iss || !claims.scope || claims.exp <= Math.floor(Date.now() / 1000)) {
      return (json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT claims' }), true);
    }
    const token = id('ya29.', 24);
    issuedTokens.add(token);
    return (json(res, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' }), true);
  }

  const fcm = /^\/fcm\/v1\/projects\/([^/]+)\/messages:send$/.exec(path);
  if (fcm) {
    if (!issuedTokens.has(auth.replace(/^Bearer /, ''))) {
      return (
        json(res, 401, {
          error: {
            code: 401,
            message: 'Request had invalid authentication credentials.',
            status: 'UNAUTHENTICATED',
          },
        }),
        true
      );
    }
    const f = fault(fcm[1]);
    if (f)
      return (
        faultAnswer(res, f, {
          error: {
            code: f.status,
            message: `injected ${f.status}`,
            status: f.status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE',
          },
        }),
        true
      );
    const { message } = JSON.parse(raw.toString() || '{}');
    if (!message?.token)
      return (
        json(res, 400, { error: { code: 400, message: 'token required', status: 'INVALID_ARGUMENT' } }),
        true
      );
    if (message.token.startsWith('unregistered')) {
      return (
        json(res, 404, {
          error: {
            code: 404,
            message: 'Requested entity was not found.',
            status: 'NOT_FOUND',
            details: [
              { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
            ],
          },
        }),
        true
      );
    }
    const name = `projects/${fcm[1]}/messages/${Date.now()}${Math.floor(Math.random() * 1000)}`;
    record({
      channel: 'push',
      provider: 'fcm',
      to: [message.token],
      subject: message.notification?.title ?? '',
      text: message.notification?.body ?? '',
      data: message.data ?? {},
      providerMessageId: name,
    });
    return (json(res, 200, { name }), true);
  }

  const push = /^\/webpush\/([^/]+)$/.exec(path);
  if (push) {
    if (
      !/^vapid t=[^,]+, ?k=/.test(auth) ||
      req.headers['content-encoding'] !== 'aes128gcm' ||
      !req.headers.ttl
    ) {
      return (
        json(res, 401, { reason: 'VAPID authorization, Content-Encoding aes128gcm and TTL are required' }),
        true
      );
    }
    if (push[1].startsWith('gone')) return (res.writeHead(410).end(), true);
    const location = `/webpush/messages/${id('', 8)}`;
    record({
      channel: 'push',
      provider: 'webpush',
      to: [`${url.origin}${path}`],
      text: `${raw.length} encrypted bytes`,
      providerMessageId: location,
    });
    res.writeHead(201, { location }).end();
    return true;
  }

  if (path === '/pagerduty/v2/enqueue') {
    let event;
    try {
      event = JSON.parse(raw.toString());
    } catch {
      return (
        json(res, 400, {
          status: 'invalid event',
          message: 'Event object is invalid',
          errors: ['invalid JSON'],
        }),
        true
      );
    }
    const f = fault(event.routing_key);
    if (f) return (faultAnswer(res, f, { status: 'throttled', message: `injected ${f.status}` }), true);
    const errors = [];
    if (!event.routing_key) errors.push("'routing_key' is missing.");
    if (!['trigger', 'acknowledge', 'resolve'].includes(event.event_action))
      errors.push("'event_action' is invalid.");
    if (
      event.event_action === 'trigger' &&
      (!event.payload?.summary || !event.payload?.source || !event.payload?.severity)
    ) {
      errors.push("'payload' needs summary, source and severity.");
    }
    if (errors.length)
      return (json(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors }), true);
    const dedupKey = event.dedup_key || id('', 16);
    record({
      channel: 'pager',
      provider: 'pagerduty',
      to: [event.routing_key],
      subject: event.payload?.summary ?? '',
      text: JSON.stringify(event.payload ?? {}),
      providerMessageId: dedupKey,
    });
    return (json(res, 202, { status: 'success', message: 'Event processed', dedup_key: dedupKey }), true);
  }

  const hook = /^\/hooks\/([^/]+)$/.exec(path);
  if (hook) {
    record({
      channel: 'webhook',
      provider: hook[1],
      to: [hook[1]],
      text: raw.toString(),
      headers: req.headers,
    });
    return (json(res, 200, { received: true }), true);
  }
  return false;
}

module.exports = { handleProvider, fault };
