import { FakeWordPress } from '@smartbeak/testing';
import { outboundPolicy } from '@smartbeak/outbound';

import { httpWith, type PublishableContent, type ResolvedTarget } from '../src/adapters/adapter';
import { WordPressAdapter } from '../src/adapters/wordpress.adapter';

/**
 * The WordPress adapter against the contract fake — or against a real
 * WordPress when WORDPRESS_URL, WORDPRESS_USER and WORDPRESS_APP_PASSWORD are
 * set (see the README): the same assertions either way.
 */
describe('WordPress adapter', () => {
  const live = process.env['WORDPRESS_URL'];
  /** Always running: the scripted-failure test needs it even when the others go to a live site. */
  let fake: FakeWordPress | undefined;
  let target: ResolvedTarget;
  const adapter = new WordPressAdapter(
    httpWith(
      outboundPolicy({
        allowList: live ? '' : '127.0.0.1',
        allowHttp: !live || live.startsWith('http:'),
        timeoutMs: 15_000,
      }),
    ),
  );
  const run = `${Date.now().toString(36)}`;
  const item = (n: number, over: Partial<PublishableContent> = {}): PublishableContent => ({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    version: 1,
    title: `SmartBeak adapter test ${run} ${n} & co`,
    slug: `smartbeak-adapter-test-${run}-${n}`,
    body: `<p>Body ${n}</p>`,
    excerpt: `Excerpt ${n}`,
    tags: [`sb-test-${run}`],
    url: `https://example.com/${n}`,
    ...over,
  });

  beforeAll(async () => {
    fake = await new FakeWordPress().start();
    target = {
      id: 't',
      type: 'wordpress',
      config: {
        baseUrl: live ?? fake?.url,
        username: process.env['WORDPRESS_USER'] ?? fake?.username,
        categories: [`SB test ${run}`],
      },
      secret: { applicationPassword: process.env['WORDPRESS_APP_PASSWORD'] ?? fake?.password },
    };
  });
  afterAll(() => fake?.close());

  it('creates the post with its terms (made when missing, found again when they exist)', async () => {
    const first = await adapter.publish(item(1), target, null);
    expect(first).toEqual({
      kind: 'succeeded',
      externalId: expect.stringMatching(/^\d+$/),
      externalUrl: expect.stringContaining('http'),
    });
    // The same terms again: WordPress answers term_exists, the adapter uses the existing ids.
    const second = await adapter.publish(item(2), target, null);
    expect(second.kind).toBe('succeeded');
  });

  it('updates instead of duplicating: by stored id, else by slug (reconcile)', async () => {
    const created = await adapter.publish(item(3), target, null);
    if (created.kind !== 'succeeded') throw new Error(JSON.stringify(created));
    const byId = await adapter.publish(item(3, { title: 'Edited' }), target, {
      externalId: created.externalId,
      externalUrl: null,
    });
    expect(byId).toEqual(expect.objectContaining({ kind: 'succeeded', externalId: created.externalId }));
    const found = await adapter.reconcile(item(3), target);
    expect(found?.externalId).toBe(created.externalId);
    const bySlug = await adapter.publish(item(3, { body: '<p>again</p>' }), target, null);
    expect(bySlug).toEqual(expect.objectContaining({ kind: 'succeeded', externalId: created.externalId }));
    if (!live) expect(fake?.postsWithSlug(item(3).slug)).toBe(1);
    expect(await adapter.reconcile(item(99), target)).toBeNull();
  });

  it('checks credentials without publishing, and reports a wrong password as a refusal', async () => {
    expect((await adapter.test(target)).ok).toBe(true);
    const wrong = { ...target, secret: { applicationPassword: 'not it' } };
    expect(await adapter.test(wrong)).toEqual({ ok: false, detail: expect.stringMatching(/401/) });
    expect(await adapter.publish(item(4), wrong, null)).toEqual({
      kind: 'refused',
      message: expect.stringMatching(/401 authentication failed/),
    });
  });

  it('speaks the ?rest_route= form, and maps scripted failures (always against the fake)', async () => {
    const local = new WordPressAdapter(httpWith(outboundPolicy({ allowList: '127.0.0.1', allowHttp: true })));
    const onFake: ResolvedTarget = {
      id: 'fake',
      type: 'wordpress',
      config: { baseUrl: fake?.url, username: fake?.username },
      secret: { applicationPassword: fake?.password },
    };
    const adapter = local;
    const target = onFake;
    const plain = { ...target, config: { ...target.config, restRoute: true } };
    expect((await adapter.publish(item(5), plain, null)).kind).toBe('succeeded');
    expect(fake?.requests.some((r) => r.query.get('rest_route') === '/wp/v2/posts')).toBe(true);

    fake?.script('create-post', {
      status: 429,
      body: { code: 'too_many_requests' },
      headers: { 'Retry-After': '7' },
    });
    expect(await adapter.publish(item(6), target, null)).toEqual({
      kind: 'transient',
      message: expect.any(String),
      retryAfterMs: 7000,
    });
    fake?.script('create-post', {
      status: 400,
      body: { code: 'rest_invalid_param', message: 'Invalid parameter(s): status' },
    });
    expect(await adapter.publish(item(7), target, null)).toEqual({
      kind: 'refused',
      message: expect.stringMatching(/rest_invalid_param/),
    });
    fake?.script('create-post', 'reset');
    expect((await adapter.publish(item(8), target, null)).kind).toMatch(/unknown|transient/);
    fake?.script('create-post', 'hang-after');
    const short = new WordPressAdapter(
      httpWith(outboundPolicy({ allowList: '127.0.0.1', allowHttp: true, timeoutMs: 500 })),
    );
    expect(await short.publish(item(9), target, null)).toEqual({
      kind: 'unknown',
      message: expect.stringMatching(/no answer/),
    });
    // The post exists although no answer came: reconcile finds it, so the retry will not duplicate.
    expect(await adapter.reconcile(item(9), target)).toEqual(
      expect.objectContaining({ externalId: expect.any(String) }),
    );
  });
});
