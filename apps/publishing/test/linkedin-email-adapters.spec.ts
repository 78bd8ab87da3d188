import { type AddressInfo } from 'node:net';

import { outboundPolicy } from '@smartbeak/outbound';
import { FakeLinkedIn, testInfra } from '@smartbeak/testing';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';

import {
  httpWith,
  type PublishableContent,
  type PublishingAdapter,
  type ResolvedTarget,
} from '../src/adapters/adapter';
import { EmailAdapter, senderOf, renderText } from '../src/adapters/email.adapter';
import { escapeLittleText, LinkedInAdapter } from '../src/adapters/linkedin.adapter';
import { RetryLater } from '../src/worker/publisher';
import { backoffDelay } from '../src/queues/publish.worker';

const content: PublishableContent = {
  id: '00000000-0000-4000-8000-000000000001',
  version: 3,
  title: 'Launch (v2) #big',
  slug: 'launch',
  body: '<h2>Hello</h2><p>World &amp; all</p>',
  excerpt: 'Short',
  tags: [],
  url: 'https://blog.example.com/launch',
};
const policy = outboundPolicy({ allowList: '127.0.0.1', allowHttp: true, timeoutMs: 500 });

describe('LinkedIn adapter against the Posts API contract', () => {
  let fake: FakeLinkedIn;
  let adapter: LinkedInAdapter;
  let target: ResolvedTarget;

  beforeAll(async () => {
    fake = await new FakeLinkedIn().start();
    adapter = new LinkedInAdapter(httpWith(policy), fake.url, '202411');
    target = {
      id: 't',
      type: 'linkedin',
      config: { authorUrn: 'urn:li:organization:1' },
      secret: { accessToken: fake.accessToken },
    };
  });
  afterAll(() => fake.close());

  it('posts an article share with the versioned Rest.li headers and returns the URN', async () => {
    const outcome = await adapter.publish(content, target);
    expect(outcome).toEqual({
      kind: 'succeeded',
      externalId: fake.posts[0]?.urn,
      externalUrl: `https://www.linkedin.com/feed/update/${fake.posts[0]?.urn}/`,
    });
    const sent = fake.requests.at(-1);
    expect(sent?.headers['linkedin-version']).toBe('202411');
    expect(sent?.headers['x-restli-protocol-version']).toBe('2.0.0');
    expect(fake.posts[0]?.commentary).toBe('Launch \\(v2\\) \\#big\n\nShort');
    expect(fake.posts[0]?.article).toEqual({
      source: content.url,
      title: content.title,
      description: 'Short',
    });
  });

  it('maps 429 with Retry-After to a transient outcome that waits, 401 to a refusal, no answer to unknown', async () => {
    fake.script('create-post', {
      status: 429,
      body: { status: 429, message: 'Resource level throttle limit for calls to this resource is reached.' },
      headers: { 'Retry-After': '30' },
    });
    expect(await adapter.publish(content, target)).toEqual({
      kind: 'transient',
      message: expect.stringMatching(/429/),
      retryAfterMs: 30_000,
    });
    const revoked = { ...target, secret: { accessToken: 'expired' } };
    expect(await adapter.publish(content, revoked)).toEqual({
      kind: 'refused',
      message: expect.stringMatching(/401.*INVALID_ACCESS_TOKEN/),
    });
    fake.script('create-post', 'hang-after');
    expect(await adapter.publish(content, target)).toEqual({
      kind: 'unknown',
      message: expect.stringMatching(/no answer/),
    });
    expect((adapter as PublishingAdapter).reconcile).toBeUndefined(); // no lookup: the worker marks it unconfirmed
    expect(await adapter.test(target)).toEqual({
      ok: true,
      detail: expect.stringContaining('Brand Page Admin'),
    });
    expect((await adapter.test(revoked)).ok).toBe(false);
  });

  it('escapes LinkedIn little-text reserved characters', () => {
    expect(escapeLittleText('a_b*c [d] (e) #f @g')).toBe('a\\_b\\*c \\[d\\] \\(e\\) \\#f \\@g');
  });
});

const SENDER = 'SmartBeak <no-reply@smartbeak.test>';

describe('email adapter over SMTP', () => {
  const target: ResolvedTarget = {
    id: 'e',
    type: 'email',
    config: { from: 'news@example.com', to: ['a@example.net', 'b@example.net'] },
    secret: {},
  };

  it('sends HTML and text to every recipient through the SMTP catcher', async () => {
    const adapter = new EmailAdapter(createTransport(testInfra().smtpUrl), SENDER);
    const outcome = await adapter.publish(content, target);
    expect(outcome).toEqual(
      expect.objectContaining({ kind: 'succeeded', externalId: expect.stringContaining('@') }),
    );
    const messages = (await (await fetch(`${testInfra().mailApi}?to=b@example.net`)).json()) as {
      subject: string;
      to: string[];
    }[];
    expect(messages.at(-1)).toEqual(
      expect.objectContaining({
        subject: content.title,
        to: expect.arrayContaining(['a@example.net', 'b@example.net']),
      }),
    );
    expect(renderText(content)).toBe(
      'Launch (v2) #big\n\nHello\nWorld & all\n\nhttps://blog.example.com/launch\n',
    );
  });

  it("sends from the org's own site domain, and from the platform (Reply-To the org) otherwise", async () => {
    const adapter = new EmailAdapter(createTransport(testInfra().smtpUrl), SENDER);
    const latest = async (to: string) =>
      (
        (await (await fetch(`${testInfra().mailApi}?to=${to}`)).json()) as {
          headers: Record<string, string>;
        }[]
      ).at(-1)!.headers;
    // The item lives on blog.example.com: news@blog.example.com is the org's to use.
    const own = { ...target, config: { from: 'news@blog.example.com', to: ['own@example.net'] } };
    expect((await adapter.publish(content, own)).kind).toBe('succeeded');
    expect((await latest('own@example.net'))['from']).toContain('news@blog.example.com');
    // Someone else's domain is not: the platform sends, and replies go to the address given.
    const spoof = { ...target, config: { from: 'ceo@bank.example', to: ['spoof@example.net'] } };
    expect((await adapter.publish(content, spoof)).kind).toBe('succeeded');
    const headers = await latest('spoof@example.net');
    expect(headers['from']).toContain('no-reply@smartbeak.test');
    expect(headers['from']).not.toContain('bank.example');
    expect(headers['reply-to']).toContain('ceo@bank.example');
    expect(senderOf({ from: 'a@example.com' }, 'www.example.com', SENDER)).toEqual({ from: 'a@example.com' });
  });

  it('treats a 5xx answer as a refusal, a 4xx or an unreachable server as transient', async () => {
    const code = { value: 550 };
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (_address, _session, callback) =>
        callback(
          Object.assign(new Error('5.1.1 mailbox unavailable on relay-7.internal.smartbeak (10.2.3.4)'), {
            responseCode: code.value,
          }),
        ),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    try {
      const adapter = new EmailAdapter(
        createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true }),
        SENDER,
      );
      const refused = await adapter.publish(content, target);
      expect(refused).toEqual({ kind: 'refused', message: expect.stringMatching(/550 5\.1\.1/) });
      // The platform's mail server's own words (its host, its address) are not the tenant's to read.
      expect(JSON.stringify(refused)).not.toMatch(/relay-7|10\.2\.3\.4|internal/);
      code.value = 451;
      const deferred = await adapter.publish(content, target);
      expect(deferred.kind).toBe('transient');
      expect(JSON.stringify(deferred)).not.toMatch(/relay-7|10\.2\.3\.4/);
    } finally {
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    }
    const nowhere = new EmailAdapter(
      createTransport({ host: '127.0.0.1', port: 1, secure: false, connectionTimeout: 500 }),
      SENDER,
    );
    expect((await nowhere.publish(content, target)).kind).toBe('transient');
    expect(await new EmailAdapter(null, SENDER).publish(content, target)).toEqual({
      kind: 'invalid',
      message: expect.stringMatching(/SMTP_URL/),
    });
  });
});

describe(backoffDelay.name, () => {
  it('doubles from the base with jitter, and never comes before the destination asked', () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const delay = backoffDelay(attempt, 1_000);
      expect(delay).toBeGreaterThanOrEqual(1_000 * 2 ** (attempt - 1) * 0.5);
      expect(delay).toBeLessThanOrEqual(1_000 * 2 ** (attempt - 1) * 1.5);
    }
    expect(backoffDelay(1, 1_000, new RetryLater('429', 60_000))).toBe(60_000);
  });
});
