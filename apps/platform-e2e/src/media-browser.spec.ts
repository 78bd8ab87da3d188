import { createServer, type Server } from 'node:http';

import { freePort } from '@smartbeak/testing';
import { type Browser } from 'playwright-core';
import request from 'supertest';

import { launchChromium } from './browser';
import { PNG_1X1 } from './media-files';
import { Platform } from './platform';

/**
 * A real browser on a page of "the web app" (another origin) uploads a file
 * straight to the pre-signed URL: this is what proves the bucket's CORS.
 */
describe('media: a browser uploads straight to storage', () => {
  let platform: Platform;
  let browser: Browser;
  let page: Server;
  let pageUrl: string;

  beforeAll(async () => {
    platform = await Platform.shared();
    browser = await launchChromium();
    const port = await freePort();
    pageUrl = `http://127.0.0.1:${port}`;
    page = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><html><body>
        <input type="file" id="file">
        <script>
          window.upload = async (url, headers) => {
            const file = document.getElementById('file').files[0];
            const res = await fetch(url, { method: 'PUT', headers, body: file });
            return res.status;
          };
        </script></body></html>`);
    });
    await new Promise<void>((resolve) => page.listen(port, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await browser?.close();
    page?.close();
    await platform?.stop();
  });

  it('picks a file, PUTs it cross-origin to the pre-signed URL, and the asset becomes ready', async () => {
    const admin = await platform.token({
      orgId: 'org_browser',
      permissions: ['org:admin', 'media:write', 'content:read'],
    });
    const domainId = (
      await request(platform.url)
        .post('/api/domains')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'B', hostname: 'browser.example.com' })
        .expect(201)
    ).body.id;
    const intent = (
      await request(platform.url)
        .post('/api/media/upload-intents')
        .set('Authorization', `Bearer ${admin}`)
        .send({ domainId, filename: 'pixel.png', contentType: 'image/png', size: PNG_1X1.length })
        .expect(201)
    ).body;

    const tab = await browser.newPage();
    const failures: string[] = [];
    tab.on('requestfailed', (r) => failures.push(`${r.url()} ${r.failure()?.errorText}`));
    await tab.goto(pageUrl);
    await tab.setInputFiles('#file', { name: 'pixel.png', mimeType: 'image/png', buffer: PNG_1X1 });
    const status = await tab.evaluate(
      ({ url, headers }) =>
        (globalThis as unknown as { upload: (u: string, h: object) => Promise<number> }).upload(url, headers),
      {
        url: intent.upload.url,
        headers: intent.upload.headers,
      },
    );
    expect({ status, failures }).toEqual({ status: 200, failures: [] });

    const ready = await request(platform.url)
      .post(`/api/media/${intent.asset.id}/complete`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(ready.body.status).toBe('ready');
    const served = await fetch(ready.body.cdnUrl);
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG_1X1)).toBe(true);
  });
});
