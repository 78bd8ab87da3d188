import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { eventually, freePort, uniqueName } from '@smartbeak/testing';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';

import { devSession, launchChromium, seriousViolations } from './browser';
import { PNG_1X1 } from './media-files';
import { caught } from './notify';
import { expectProblem, Platform } from './platform';

const SCREENSHOTS = join(__dirname, '../../../docs/screenshots');
const EVERYTHING = [
  'org:admin',
  'content:read',
  'content:write',
  'content:review',
  'content:publish',
  'publishing:write',
  'media:write',
  'analytics:read',
];

describe('the console: served by the gateway, signed in by cookie', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await Platform.shared();
  });

  it('serves the app at / and any console path, hashed assets for a year, /api stays problem+json', async () => {
    const index = await request(platform.url).get('/').expect(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.headers['cache-control']).toBe('no-cache');
    const csp = index.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("'unsafe-eval'");
    // A deep link is the app too (its router decides).
    expect((await request(platform.url).get('/content/some-item').expect(200)).text).toBe(index.text);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(index.text)?.[1];
    expect(asset).toBeDefined();
    const script = await request(platform.url).get(asset!).expect(200);
    expect(script.headers['cache-control']).toMatch(
      /max-age=31536000.*immutable|immutable.*max-age=31536000/,
    );
    expectProblem(await request(platform.url).get('/api/no-such-route'), 404);
  });

  it('a dev session is an httpOnly cookie; cookie changes need the app’s own Origin', async () => {
    const orgId = uniqueName('org_console');
    const res = await request(platform.url)
      .post('/api/dev/session')
      .send({ orgId, userId: 'user_console', permissions: ['org:admin'] })
      .expect(201);
    const setCookie = [res.headers['set-cookie']].flat()[0] as string;
    expect(setCookie).toMatch(/^__session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+/);
    expect(res.body).toEqual(expect.objectContaining({ orgId, userId: 'user_console' }));
    const cookie = setCookie.split(';')[0]!;

    const me = await request(platform.url).get('/api/me').set('Cookie', cookie).expect(200);
    expect(me.body).toEqual(expect.objectContaining({ orgId, userId: 'user_console' }));
    // Another site's page cannot use the cookie to change anything.
    expectProblem(
      await request(platform.url)
        .post('/api/domains')
        .set('Cookie', cookie)
        .set('Origin', 'https://evil.example')
        .send({ name: 'x', hostname: 'x.example.com' }),
      403,
    );
    expectProblem(
      await request(platform.url)
        .post('/api/domains')
        .set('Cookie', cookie)
        .send({ name: 'x', hostname: 'x.example.com' }),
      403,
    );
    await request(platform.url)
      .post('/api/domains')
      .set('Cookie', cookie)
      .set('Origin', platform.url)
      .send({ name: 'Console', hostname: `${uniqueName('console').replace(/_/g, '-')}.example.com` })
      .expect(201);

    for (const body of [
      { orgId, userId: 'user_console', permissions: ['root'] },
      { orgId: 'bad org!', userId: 'user_console', permissions: [] },
      { orgId, permissions: [] },
    ]) {
      expectProblem(await request(platform.url).post('/api/dev/session').send(body), 400);
    }
    // Signing out clears the cookie.
    const out = await request(platform.url).delete('/api/dev/session').expect(204);
    expect([out.headers['set-cookie']].flat()[0]).toMatch(/^__session=; .*Max-Age=0/);
  });
});

describe('npm run dev:web', () => {
  it("serves the console with Vite's hot reload and proxies /api to the gateway (same origin, so the cookie works)", async () => {
    const platform = await Platform.shared();
    const port = await freePort();
    const root = join(__dirname, '../../..');
    // What `nx run web:vite-serve` runs, on a free port and against this platform's gateway.
    const vite = spawn(
      process.execPath,
      [
        join(root, 'node_modules/vite/bin/vite.js'),
        '--config',
        'apps/web/vite.config.mts',
        '--port',
        String(port),
        '--strictPort',
      ],
      { cwd: root, env: { ...process.env, SMARTBEAK_GATEWAY_URL: platform.url }, stdio: 'ignore' },
    );
    try {
      const dev = `http://127.0.0.1:${port}`;
      const page = await eventually(
        async () => {
          const res = await fetch(`${dev}/content`);
          expect(res.status).toBe(200);
          return res.text();
        },
        { timeoutMs: 30_000 },
      );
      // Vite's client (hot reload) and the app's source, not the built bundle.
      expect(page).toContain('/@vite/client');
      expect(page).toContain('/src/main.tsx');
      const health = await fetch(`${dev}/api/health`);
      expect(health.status).toBe(200);
      const session = await fetch(`${dev}/api/dev/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orgId: uniqueName('org_devweb'), userId: 'user_dev', permissions: [] }),
      });
      expect(session.status).toBe(201);
      expect(session.headers.get('set-cookie')).toMatch(/^__session=.*HttpOnly/i);
    } finally {
      vite.kill('SIGTERM');
    }
  });
});

describe('the console bundle', () => {
  const dist = join(__dirname, '../../../dist/apps/web');
  const gzipKb = (file: string) => gzipSync(readFileSync(join(dist, file))).length / 1024;

  it('loads at most 250 kB of gzipped JS first, and no page chunk over 150 kB', () => {
    const index = readFileSync(join(dist, 'index.html'), 'utf8');
    const initial = [...index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(initial.length).toBeGreaterThan(0);
    const initialKb = initial.reduce((sum, file) => sum + gzipKb(file), 0);
    expect(initialKb).toBeLessThanOrEqual(250);
    const chunks = readdirSync(join(dist, 'assets')).filter(
      (f) => f.endsWith('.js') && !initial.includes(`assets/${f}`),
    );
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect([chunk, gzipKb(`assets/${chunk}`) <= 150]).toEqual([chunk, true]);
  });
});

describe('the console with a real Clerk key', () => {
  let platform: Platform;
  // A development instance's publishable key names its Frontend API (base64 of `<host>$`).
  const FAPI = 'clerk.smartbeak-e2e.example';
  const PUBLISHABLE = `pk_test_${Buffer.from(`${FAPI}$`).toString('base64')}`;

  beforeAll(async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    platform = await Platform.start({
      services: ['control-plane'],
      gatewayEnv: {
        CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        CLERK_PUBLISHABLE_KEY: PUBLISHABLE,
      },
    });
  });
  afterAll(() => platform?.stop());

  it('has no dev sign-in: the route does not exist', async () => {
    expectProblem(
      await request(platform.url)
        .post('/api/dev/session')
        .send({ orgId: 'org_x', userId: 'user_x', permissions: ['org:admin'] }),
      404,
    );
  });

  it('gives the console the publishable key and admits Clerk in its CSP, nothing more', async () => {
    const res = await request(platform.url).get('/sign-in').expect(200);
    expect(res.text).toContain(`<meta name="clerk-publishable-key" content="${PUBLISHABLE}">`);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain(`script-src 'self' https://${FAPI} https://challenges.cloudflare.com;`);
    expect(csp).toMatch(new RegExp(`connect-src 'self'[^;]* https://${FAPI.replace(/\./g, '\\.')};`));
    expect(csp).toMatch(/img-src [^;]*https:\/\/img\.clerk\.com/);
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain('frame-src https://challenges.cloudflare.com');
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('signs in with Clerk’s components: the page loads Clerk from the instance, and no dev sign-in shows', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ baseURL: platform.url });
      // Clerk's servers are out of reach here: the request is what shows the component mounting.
      await page.route(`https://${FAPI}/**`, (route) => route.abort());
      const clerkJs = page.waitForRequest((r) => r.url().startsWith(`https://${FAPI}/`));
      await page.goto('/sign-in');
      expect((await clerkJs).url()).toMatch(/clerk-js/);
      expect(await page.getByLabel('Organisation id').count()).toBe(0);
      // The rest of the console sends a signed-out visitor to that sign-in.
      await page.goto('/content');
      await page.waitForURL('**/sign-in');
    } finally {
      await browser.close();
    }
  });
});

describe('the console in a browser', () => {
  let platform: Platform;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    platform = await Platform.shared();
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({
      baseURL: platform.url,
      viewport: { width: 1280, height: 860 },
    });
    contexts.push(context);
    return context.newPage();
  }

  it('signs in, adds a domain, writes, meets a lock and a stale save, approves, publishes, schedules, uploads', async () => {
    const orgId = uniqueName('org_browser');
    const hostname = `${uniqueName('site').replace(/_/g, '-')}.example.com`;
    const page = await newPage();

    // Dev sign-in: org, user and permissions.
    await page.goto('/');
    await page.waitForURL('**/sign-in');
    await page.getByRole('heading', { name: 'Sign in to SmartBeak' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Organisation id').fill(orgId);
    await page.getByLabel('User id').fill('user_editor');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/content');
    // The token never reaches script: it is an httpOnly cookie, not in storage.
    expect(await page.evaluate('document.cookie')).not.toContain('__session');
    expect(await page.evaluate('JSON.stringify(localStorage)')).not.toContain('eyJ');

    // Domains: add one; it is listed.
    await openPage(page, 'Domains');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Browser blog');
    await page.getByLabel('Hostname').fill(hostname);
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('cell', { name: hostname }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'domains.png') });
    // A refused field shows its reason beside it.
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Twin');
    await page.getByLabel('Hostname').fill('not a hostname');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByText('hostname must be a valid domain name').waitFor();

    // Content: a draft, then the editor.
    await openPage(page, 'Content');
    await page.getByPlaceholder('Pick the site it is for').click();
    await page.getByRole('option', { name: 'Browser blog' }).click();
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill('Hello from the browser');
    await page.getByLabel('First paragraph').fill('Written <in> a real browser.');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/content\/[0-9a-f-]{36}$/);
    const itemId = page.url().split('/').pop()!;
    await page.getByText('You hold the edit lock').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'editor.png') });

    // A second member opens it: the lock is someone else's.
    const other = await newPage();
    await other.context().addCookies([
      cookieFor(
        platform.url,
        await devSession(platform, {
          orgId,
          userId: 'user_other',
          permissions: ['content:read', 'content:write'],
        }),
      ),
    ]);
    await other.goto(`/content/${itemId}`);
    await other.getByText('Someone else is editing').waitFor();
    expect(await other.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);

    // The same user saves from elsewhere (another tab): this page's version is stale.
    const tab = await devSession(platform, { orgId, userId: 'user_editor', permissions: EVERYTHING });
    await request(platform.url)
      .post('/api/content/update')
      .set('Cookie', tab)
      .set('Origin', platform.url)
      .send({ id: itemId, version: 1, title: 'Saved in another tab' })
      .expect(200);
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill('My edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Someone saved first').waitFor();
    await page.getByRole('button', { name: 'Reload the latest version' }).click();
    await eventually(async () =>
      expect(await page.getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe(
        'Saved in another tab',
      ),
    );
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill('Final title');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved (version 3)').waitFor();

    // History: version 2 beside 3, field by field; then back to version 1 (a new version 4 equal to it).
    const changes = page.getByRole('table', { name: 'Changes from version 2 to 3' });
    await changes.getByRole('cell', { name: 'Saved in another tab' }).waitFor();
    await changes.getByRole('cell', { name: 'Final title' }).waitFor();
    await page.getByRole('combobox', { name: 'Compare the current version with' }).click();
    await page.getByRole('option', { name: /^Version 1 ·/ }).click();
    await page.getByRole('table', { name: 'Changes from version 1 to 3' }).waitFor();
    await page.getByRole('button', { name: 'Restore version 1' }).click();
    await eventually(async () =>
      expect(await page.getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe(
        'Hello from the browser',
      ),
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill('Final title');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved (version 5)').waitFor();
    // Rich text: a bold line at the end of the body, saved as HTML the API keeps.
    await page.getByRole('textbox', { name: 'Body', exact: true }).click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Bold', exact: true }).click();
    await page.keyboard.type('Strong words');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved (version 6)').waitFor();
    const saved = await request(platform.url).get(`/api/content/${itemId}`).set('Cookie', tab).expect(200);
    expect(saved.body.body).toContain('<strong>Strong words</strong>');
    // The event history: every save is there, with who made it and what changed.
    const history = page.getByRole('table', { name: 'Event history' });
    await history.getByText('user_editor').first().waitFor();
    await history.getByText('title').first().waitFor();

    // Submit for review, then approve: published.
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByRole('button', { name: 'Approve and publish' }).click();
    // The status badge (the history and the diff say 'published' too once they refresh).
    await page.getByText('published', { exact: true }).first().waitFor();
    const item = await request(platform.url).get(`/api/content/${itemId}`).set('Cookie', tab).expect(200);
    expect(item.body).toEqual(expect.objectContaining({ title: 'Final title', status: 'published' }));

    // Publish it to an email list: the job turns completed on the page by itself, the email arrives.
    const reader = `${uniqueName('reader').replace(/_/g, '-')}@example.com`;
    await openPage(page, 'Publishing');
    await page.getByPlaceholder('Pick the site it is for').click();
    await page.getByRole('option', { name: 'Browser blog' }).click();
    await page.getByRole('textbox', { name: 'Destination name', exact: true }).fill('Readers');
    await page.getByRole('textbox', { name: 'From address', exact: true }).fill(`news@${hostname}`);
    await page.getByRole('textbox', { name: 'Recipients (comma-separated)', exact: true }).fill(reader);
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByText('Readers').first().waitFor();
    await page.getByPlaceholder('Pick an item').click();
    await page.getByRole('option', { name: 'Final title (published)' }).click();
    await page.getByRole('checkbox', { name: 'Readers' }).check();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page
      .getByRole('table', { name: 'Publishing jobs' })
      .getByText('completed')
      .waitFor({ timeout: 20_000 });
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'publishing.png') });
    const mail = await eventually(async () => {
      const found = await caught({ to: reader, channel: 'email' });
      if (!found.length) throw new Error('no email yet');
      return found;
    });
    expect(mail[0]!.subject).toBe('Final title');

    // Schedule another item a few seconds ahead (the picker is the user's wall clock): at its time it goes
    // to the destinations that publish scheduled items, and its job turns completed on the page by itself.
    await openPage(page, 'Content');
    await page.getByPlaceholder('Pick the site it is for').click();
    await page.getByRole('option', { name: 'Browser blog' }).click();
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill('Scheduled post');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/content\/[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Submit for review' }).click();
    const at = (await page.evaluate(`(() => {
      const d = new Date(Date.now() + 8000);
      const p = (n) => String(n).padStart(2, '0');
      return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
    })()`)) as string;
    await page.getByLabel('Publish at').fill(at);
    await page.getByRole('button', { name: 'Schedule' }).click();
    await page.getByText('Scheduled for').waitFor();
    await openPage(page, 'Publishing');
    await eventually(
      async () =>
        expect(
          await page.getByRole('table', { name: 'Publishing jobs' }).getByText('completed').count(),
        ).toBe(2),
      { timeoutMs: 40_000 },
    );
    const scheduled = await eventually(
      async () => {
        const found = (await caught({ to: reader, channel: 'email' })).filter(
          (m) => m.subject === 'Scheduled post',
        );
        if (!found.length) throw new Error('not sent yet');
        return found;
      },
      { timeoutMs: 20_000 },
    );
    expect(scheduled).toHaveLength(1);

    // Media: a picture goes straight to storage with a progress bar, then shows from the CDN URL.
    await openPage(page, 'Media');
    await page.getByPlaceholder('Pick the site it is for').click();
    await page.getByRole('option', { name: 'Browser blog' }).click();
    const picker = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload a file' }).click();
    await (await picker).setFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: PNG_1X1 });
    await page.getByText('Uploaded', { exact: true }).waitFor();
    expect(
      await page.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('aria-valuenow'),
    ).toBe('100');
    const thumbnail = page.getByRole('img', { name: 'pixel.png' });
    await thumbnail.waitFor();
    await eventually(async () =>
      expect(
        await thumbnail.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      ).toBe(1),
    );
    // A refused type says why.
    const refused = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload a file' }).click();
    await (
      await refused
    ).setFiles({ name: 'tool.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
    await page.getByRole('alert').getByText('That file was refused').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'media.png') });

    // Publish again with that picture as the featured image: the job shows it.
    await openPage(page, 'Publishing');
    await page.getByPlaceholder('Pick an item').click();
    await page.getByRole('option', { name: 'Final title (published)' }).click();
    await page.getByRole('combobox', { name: 'Featured image' }).click();
    await page.getByRole('option', { name: 'pixel.png' }).click();
    await page.getByRole('checkbox', { name: 'Readers' }).check();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const jobsTable = page.getByRole('table', { name: 'Publishing jobs' });
    await jobsTable.getByRole('img', { name: 'Featured image' }).waitFor();
    await eventually(async () => expect(await jobsTable.getByText('completed').count()).toBe(3), {
      timeoutMs: 20_000,
    });

    // The list shows it; another org's member sees none of it.
    await openPage(page, 'Content');
    await page.getByRole('link', { name: 'Final title' }).waitFor();
    await page.getByRole('textbox', { name: 'Tags', exact: true }).fill('no-such-tag');
    await page.getByText('No content here yet.').waitFor();
    await page.getByRole('textbox', { name: 'Tags', exact: true }).fill('');
    await page.getByRole('link', { name: 'Final title' }).waitFor();
    // By author: someone else wrote nothing here; this user wrote it.
    await page.getByRole('textbox', { name: 'Author', exact: true }).fill('user_nobody');
    await page.getByText('No content here yet.').waitFor();
    await page.getByRole('textbox', { name: 'Author', exact: true }).fill('user_editor');
    await page.getByRole('link', { name: 'Final title' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'content.png') });
    // The board: one column per state.
    await page.getByText('Board', { exact: true }).click();
    await page
      .getByRole('region', { name: 'published items' })
      .getByRole('link', { name: 'Final title' })
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'board.png') });
    await page.getByText('List', { exact: true }).click();
    const outsider = await newPage();
    await outsider.context().addCookies([
      cookieFor(
        platform.url,
        await devSession(platform, {
          orgId: uniqueName('org_else'),
          userId: 'user_editor',
          permissions: EVERYTHING,
        }),
      ),
    ]);
    await outsider.goto('/content');
    await outsider.getByText('No content here yet.').waitFor();
    await outsider.goto(`/content/${itemId}`);
    await outsider.getByRole('alert').getByText('Content item not found').waitFor();

    // The audit log: the domain this user added, found by actor and action.
    await openPage(page, 'Audit log');
    await page.getByRole('textbox', { name: 'Actor', exact: true }).fill('user_editor');
    await page.getByRole('textbox', { name: 'Action', exact: true }).fill('domain.created');
    await page.getByRole('table', { name: 'Audit log' }).getByText('domain.created').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'Actor', exact: true }).fill('user_nobody');
    await page.getByText('No entries match.').waitFor();

    // Analytics: the journey's own activity, counted (the usage charts, the per-domain tables), and a CSV.
    await openPage(page, 'Analytics');
    await eventually(
      async () => {
        await page.reload();
        const created = page.getByLabel('Content created total');
        await created.waitFor();
        expect(Number(await created.textContent())).toBeGreaterThanOrEqual(2);
      },
      { timeoutMs: 20_000 },
    );
    const byDomain = page.getByRole('table', { name: 'Content and publishing by period and domain' });
    await byDomain.getByText('Browser blog').first().waitFor();
    await byDomain
      .getByText(/email 100 %/)
      .first()
      .waitFor();
    await page.getByRole('table', { name: 'Every domain side by side' }).getByText('Browser blog').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'analytics.png'), fullPage: true });
    const csvHref = await page.getByRole('link', { name: 'Download CSV' }).first().getAttribute('href');
    const csv = await request(platform.url).get(csvHref!).set('Cookie', tab).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.split('\n')[0]).toBe('metric,bucket,value');

    // Notifications page, and the phone-sized layout.
    await openPage(page, 'Notifications');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'notifications.png') });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByRole('button', { name: 'Navigation' }).click();
    await openPage(page, 'Domains');
    await page.getByRole('cell', { name: hostname }).waitFor();
    // An admin suspends the site, then resumes it.
    await page.getByRole('button', { name: 'Suspend Browser blog' }).click();
    await page.getByRole('button', { name: 'Resume Browser blog' }).waitFor();
    await page.getByRole('table', { name: 'Domains' }).getByText('suspended').waitFor();
    await page.getByRole('button', { name: 'Resume Browser blog' }).click();
    await page.getByRole('button', { name: 'Suspend Browser blog' }).waitFor();
  }, 180_000); // one journey through every page: longer than one request-level test
});

/**
 * Follows the side bar's link and waits for the page's own heading: pages load lazily, so until
 * then the previous page is still on screen (Content and Publishing both have a domain picker
 * with the same placeholder, and a click on the old one lands on a picker that is about to go).
 */
async function openPage(page: Page, name: string) {
  await page.getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 2, name, exact: true }).waitFor();
}

function cookieFor(url: string, cookie: string) {
  const [name, value] = cookie.split('=') as [string, string];
  return { name, value, url, httpOnly: true, sameSite: 'Lax' as const };
}
