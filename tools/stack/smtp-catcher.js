#!/usr/bin/env node
// The local SMTP catcher: accepts every message (any auth, no TLS) and keeps
// the last 5,000 in memory, readable over HTTP — with what the provider
// catcher (provider-catcher.js, same HTTP port) accepted for SendGrid, SES,
// Twilio, FCM, Web Push and PagerDuty:
//   GET    /messages[?to=address][&channel=email|sms|push|pager|webhook][&provider=…]
//          → [{ id, channel, provider, from, to, subject, text, html, headers, receivedAt }]
//   DELETE /messages
// Usage: node tools/stack/smtp-catcher.js --smtp-port 56325 --http-port 56395
'use strict';

const { createServer } = require('node:http');
const { parseArgs } = require('node:util');

const { simpleParser } = require('mailparser');
const { SMTPServer } = require('smtp-server');

const { waitUntilBindable } = require('./free-port');
const { fault, handleProvider } = require('./provider-catcher');
const { createSeoStandIn } = require('./seo-standin');

// Search Console and Ahrefs stand-ins under /seo, with data for any property (tools/stack/seo-standin.js).
const seo = createSeoStandIn({ demo: true });

const { values } = parseArgs({
  options: { 'smtp-port': { type: 'string' }, 'http-port': { type: 'string' } },
});
const messages = [];
let serial = 0;

function record(message) {
  messages.push({ id: ++serial, ...message, receivedAt: new Date().toISOString() });
  if (messages.length > 5000) messages.shift();
}

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onAuth: (_auth, _session, callback) => callback(null, { user: 'catcher' }),
  // A recipient with a fault set (`PUT /control/<address>`) is refused, 451 (try later) unless told otherwise.
  onRcptTo(address, _session, callback) {
    const f = fault(address.address);
    if (!f) return callback();
    const error = new Error(`injected fault for ${address.address}`);
    error.responseCode = f.smtp || 451;
    return callback(error);
  },
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        record({
          channel: 'email',
          provider: 'smtp',
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: mail.subject ?? '',
          text: mail.text ?? '',
          html: typeof mail.html === 'string' ? mail.html : '',
          // As sent: each header's own text (unfolded), by lower-case name.
          headers: Object.fromEntries(
            mail.headerLines.map(({ key, line }) => [
              key,
              line
                .slice(line.indexOf(':') + 1)
                .replace(/\r?\n[ \t]+/g, ' ')
                .trim(),
            ]),
          ),
        });
        callback();
      })
      .catch(callback);
  },
});
smtp.on('error', (error) => process.stderr.write(`smtp catcher: ${error.message}\n`));

const http = createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host || 'catcher'}`);
  if (url.pathname !== '/messages') {
    const handled = url.pathname.startsWith('/seo/')
      ? seo.handle(req, res, url.pathname.slice('/seo'.length), url.searchParams)
      : handleProvider(req, res, url, record);
    handled
      .then((handled) => {
        if (!handled) res.writeHead(404).end();
      })
      .catch((error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(error && error.message) }));
      });
    return;
  }
  if (req.method === 'DELETE') {
    messages.length = 0;
    res.writeHead(204).end();
    return;
  }
  const to = url.searchParams.get('to');
  const channel = url.searchParams.get('channel');
  const provider = url.searchParams.get('provider');
  const body = JSON.stringify(
    messages.filter(
      (m) =>
        (!to || m.to.includes(to)) &&
        (!channel || m.channel === channel) &&
        (!provider || m.provider === provider),
    ),
  );
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
});

void (async () => {
  await waitUntilBindable(Number(values['smtp-port']));
  await waitUntilBindable(Number(values['http-port']));
  smtp.listen(Number(values['smtp-port']), '127.0.0.1', () => {
    http.listen(Number(values['http-port']), '127.0.0.1', () =>
      process.stdout.write(
        `smtp catcher on ${values['smtp-port']} (messages: http://127.0.0.1:${values['http-port']}/messages)\n`,
      ),
    );
  });
})();
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
