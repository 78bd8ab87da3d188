import { createHmac } from 'node:crypto';

import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { testInfra, until } from '@smartbeak/testing';
import request from 'supertest';

import { elfOfSize, PNG_1X1 } from './media-files';
import { expectProblem, Platform, seedTenant, type Tenant } from './platform';

interface Intent {
  asset: { id: string; key: string; status: string; domainId: string };
  upload: { url: string; method: string; headers: Record<string, string>; expiresAt: string };
}

describe('media: browser-direct uploads through pre-signed URLs', () => {
  let platform: Platform;
  let tenant: Tenant;
  let writer: string;
  let domainId: string;

  beforeAll(async () => {
    platform = await Platform.shared();
    tenant = await seedTenant(platform, 'media');
    domainId = tenant.domainId;
    writer = await tenant.token('user_media', ['media:write', 'content:read']);
  });
  afterAll(() => platform?.stop());

  const api = (token = writer) => ({
    post: (path: string) => request(platform.url).post(path).set('Authorization', `Bearer ${token}`),
    get: (path: string) => request(platform.url).get(path).set('Authorization', `Bearer ${token}`),
    delete: (path: string) => request(platform.url).delete(path).set('Authorization', `Bearer ${token}`),
  });

  async function intent(body: object, token = writer): Promise<Intent> {
    return (await api(token).post('/api/media/upload-intents').send(body).expect(201)).body;
  }

  /** As a browser does: plain fetch, the returned URL and headers, the bytes. */
  const put = (upload: Intent['upload'], bytes: Buffer, headers = upload.headers) =>
    fetch(upload.url, { method: upload.method, headers, body: bytes });

  it('intent → PUT of real bytes → complete → ready, with a cdnUrl that serves those bytes', async () => {
    const created = await intent({
      filename: 'Hero Image.PNG',
      contentType: 'image/png',
      size: PNG_1X1.length,
    });
    expect(created.asset).toEqual(expect.objectContaining({ status: 'pending_upload', domainId }));
    expect(created.asset.key).toMatch(
      new RegExp(`^org/${tenant.orgId}/domain/${domainId}/${created.asset.id}/Hero-Image\\.png$`),
    );
    expect(created.upload).toEqual(
      expect.objectContaining({ method: 'PUT', headers: { 'Content-Type': 'image/png' } }),
    );
    expect(new Date(created.upload.expiresAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);

    expect((await put(created.upload, PNG_1X1)).status).toBe(200);
    const ready = await api().post(`/api/media/${created.asset.id}/complete`).expect(200);
    expect(ready.body).toEqual(
      expect.objectContaining({
        id: created.asset.id,
        status: 'ready',
        size: PNG_1X1.length,
        cdnUrl: expect.any(String),
      }),
    );
    const served = await fetch(ready.body.cdnUrl);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG_1X1)).toBe(true);

    // Completing again changes nothing; reading and listing show it.
    const again = await api().post(`/api/media/${created.asset.id}/complete`).expect(200);
    expect(again.body).toEqual(ready.body);
    expect((await api().get(`/api/media/${created.asset.id}`).expect(200)).body.status).toBe('ready');
    const list = await api().get(`/api/media?domainId=${domainId}&status=ready`).expect(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).toContain(created.asset.id);
  });

  it('refuses a file whose size differs from the declared one, and deletes it', async () => {
    const created = await intent({ filename: 'a.png', contentType: 'image/png', size: PNG_1X1.length + 10 });
    // Storage refuses the PUT: the declared size is signed into the URL (Content-Length).
    expect((await put(created.upload, PNG_1X1)).status).toBe(403);
    // A storage that does not check it stores the bytes anyway; complete still refuses them.
    const storage = new S3Client({
      endpoint: testInfra().s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await storage.send(
      new PutObjectCommand({
        Bucket: testInfra().s3Bucket,
        Key: created.asset.key,
        Body: PNG_1X1,
        ContentType: 'image/png',
      }),
    );
    storage.destroy();
    const res = await api().post(`/api/media/${created.asset.id}/complete`);
    expectProblem(res, 409);
    expect(res.body.detail).toMatch(/bytes/);
    expect((await api().get(`/api/media/${created.asset.id}`).expect(200)).body).toEqual(
      expect.objectContaining({ status: 'failed', cdnUrl: null }),
    );
  });

  it('refuses a ".png" that is really an executable (magic bytes), and deletes it', async () => {
    const fake = elfOfSize(PNG_1X1.length);
    const created = await intent({ filename: 'innocent.png', contentType: 'image/png', size: fake.length });
    expect((await put(created.upload, fake)).status).toBe(200);
    const res = await api().post(`/api/media/${created.asset.id}/complete`);
    expectProblem(res, 409);
    expect(res.body.detail).toMatch(/not image\/png/);
    const { s3Endpoint, s3Bucket } = {
      s3Endpoint: process.env['SMARTBEAK_TEST_S3_ENDPOINT'],
      s3Bucket: process.env['SMARTBEAK_TEST_S3_BUCKET'],
    };
    expect((await fetch(`${s3Endpoint}/${s3Bucket}/${created.asset.key}`)).status).toBe(404);
  });

  it('answers 409 while nothing has been uploaded, leaving the intent open', async () => {
    const created = await intent({ filename: 'later.png', contentType: 'image/png', size: PNG_1X1.length });
    expectProblem(await api().post(`/api/media/${created.asset.id}/complete`), 409);
    expect((await api().get(`/api/media/${created.asset.id}`).expect(200)).body.status).toBe(
      'pending_upload',
    );
  });

  it('refuses a tampered URL (the local server verifies V4 signatures)', async () => {
    const created = await intent({ filename: 'sig.png', contentType: 'image/png', size: PNG_1X1.length });
    const otherKey = created.upload.url.replace(created.asset.id, '00000000-0000-4000-8000-000000000000');
    expect(
      (await fetch(otherKey, { method: 'PUT', headers: created.upload.headers, body: PNG_1X1 })).status,
    ).toBe(403);
  });

  it('refuses bytes of another size than the intent declared (Content-Length is signed)', async () => {
    const created = await intent({ filename: 'size.png', contentType: 'image/png', size: PNG_1X1.length });
    const bigger = Buffer.concat([PNG_1X1, Buffer.alloc(1024)]);
    expect(
      (await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: bigger }))
        .status,
    ).toBe(403);
    expect((await put(created.upload, PNG_1X1)).status).toBe(200);
  });

  it('keeps every key inside its org and domain prefix, whatever the filename', async () => {
    for (const filename of [
      '../../../etc/passwd.png',
      '..\\..\\win.png',
      'a/b/../../c.png',
      '.../..png',
      'ü n ï.png',
      '...png',
    ]) {
      const created = await intent({ filename, contentType: 'image/png', size: 10 });
      expect(
        created.asset.key.startsWith(`org/${tenant.orgId}/domain/${domainId}/${created.asset.id}/`),
      ).toBe(true);
      expect(created.asset.key).not.toMatch(/\.\.|\\/);
      expect([...created.asset.key].every((c) => c.charCodeAt(0) > 0x1f)).toBe(true);
      expect(created.asset.key.split('/')).toHaveLength(6);
    }
    for (const filename of ['\u0000.png', 'a\u001fb.png']) {
      expectProblem(
        await api().post('/api/media/upload-intents').send({ filename, contentType: 'image/png', size: 10 }),
        400,
      );
    }
  });

  describe('bad input is a 4xx problem', () => {
    it.each([
      ['a type not allowed', { filename: 'x.exe', contentType: 'application/x-msdownload', size: 10 }, 400],
      ['SVG (scriptable) by default', { filename: 'x.svg', contentType: 'image/svg+xml', size: 10 }, 400],
      [
        'a file over the limit',
        { filename: 'big.mp4', contentType: 'video/mp4', size: 200 * 1024 * 1024 },
        413,
      ],
      [
        'an unknown field',
        { filename: 'x.png', contentType: 'image/png', size: 10, acl: 'public-read' },
        400,
      ],
      [
        'a size that is not a positive integer',
        { filename: 'x.png', contentType: 'image/png', size: -1 },
        400,
      ],
      ['a malformed MIME type', { filename: 'x.png', contentType: 'png', size: 10 }, 400],
    ])('%s', async (_label, body, status) => {
      expectProblem(await api().post('/api/media/upload-intents').send(body), status);
    });

    it('403 without media:write', async () => {
      const reader = await tenant.token('user_reader', ['content:read']);
      expectProblem(
        await api(reader)
          .post('/api/media/upload-intents')
          .send({ filename: 'x.png', contentType: 'image/png', size: 10 }),
        403,
      );
    });
  });

  it("answers another org's asset and domain as 404", async () => {
    const created = await intent({ filename: 'mine.png', contentType: 'image/png', size: PNG_1X1.length });
    const stranger = await platform.token({
      userId: 'user_x',
      orgId: 'org_stranger',
      permissions: ['media:write', 'content:read'],
    });
    expectProblem(await api(stranger).get(`/api/media/${created.asset.id}`), 404);
    expectProblem(await api(stranger).post(`/api/media/${created.asset.id}/complete`), 404);
    expectProblem(
      await api(stranger)
        .post('/api/media/upload-intents')
        .send({ domainId, filename: 'x.png', contentType: 'image/png', size: 10 }),
      404,
    );
    expect((await api(stranger).get('/api/media').expect(200)).body.items).toEqual([]);
  });

  it('deletes (soft): the asset is gone from the API at once', async () => {
    const created = await intent({ filename: 'gone.png', contentType: 'image/png', size: PNG_1X1.length });
    await api().delete(`/api/media/${created.asset.id}`).expect(204);
    expectProblem(await api().get(`/api/media/${created.asset.id}`), 404);
  });

  describe('storage webhook', () => {
    const sign = (body: string, secret = platform.mediaWebhookSecret, t = Math.floor(Date.now() / 1000)) =>
      `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
    const event = (key: string, size: number) =>
      JSON.stringify({
        Records: [
          {
            eventName: 'ObjectCreated:Put',
            s3: {
              bucket: { name: 'smartbeak-media' },
              object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size },
            },
          },
        ],
      });
    const deliver = (body: string, signature: string) =>
      request(platform.url)
        .post('/api/media/webhooks/storage')
        .set('Content-Type', 'application/json')
        .set('X-SmartBeak-Signature', signature)
        .send(body);

    it('completes the upload it reports, once; bad signature, stale timestamp and replay are 401 and change nothing', async () => {
      const created = await intent({
        filename: 'hooked.png',
        contentType: 'image/png',
        size: PNG_1X1.length,
      });
      expect((await put(created.upload, PNG_1X1)).status).toBe(200);
      const body = event(created.asset.key, PNG_1X1.length);

      expectProblem(await deliver(body, sign(body, 'wrong-secret')), 401);
      expectProblem(
        await deliver(body, sign(body, platform.mediaWebhookSecret, Math.floor(Date.now() / 1000) - 600)),
        401,
      );
      expectProblem(await deliver(body, ''), 401);
      expect((await api().get(`/api/media/${created.asset.id}`).expect(200)).body.status).toBe(
        'pending_upload',
      );

      const signature = sign(body);
      const ok = await deliver(body, signature).expect(200);
      expect(ok.body).toEqual({ received: true, processed: 1 });
      expect((await api().get(`/api/media/${created.asset.id}`).expect(200)).body.status).toBe('ready');
      expectProblem(await deliver(body, signature), 401);
    });
  });
});

describe('media: an expired upload intent', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await Platform.start({ services: ['media'], mediaEnv: { MEDIA_UPLOAD_URL_TTL_SECONDS: '1' } });
  });
  afterAll(() => platform?.stop());

  it('refuses the upload and the completion, and marks the asset expired', async () => {
    const admin = await platform.token({
      orgId: 'org_exp',
      permissions: ['org:admin', 'media:write', 'content:read'],
    });
    const domainId = (
      await request(platform.url)
        .post('/api/domains')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'E', hostname: 'e.example.com' })
        .expect(201)
    ).body.id;
    const created: Intent = (
      await request(platform.url)
        .post('/api/media/upload-intents')
        .set('Authorization', `Bearer ${admin}`)
        .send({ domainId, filename: 'late.png', contentType: 'image/png', size: PNG_1X1.length })
        .expect(201)
    ).body;
    // The URL was signed for 1 s (MEDIA_UPLOAD_URL_TTL_SECONDS): let it lapse.
    await until(Date.parse(created.upload.expiresAt) + 1_500);
    expect(
      (await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: PNG_1X1 }))
        .status,
    ).toBe(403);
    const res = await request(platform.url)
      .post(`/api/media/${created.asset.id}/complete`)
      .set('Authorization', `Bearer ${admin}`);
    expectProblem(res, 409);
    expect(res.body.code).toBe('MEDIA.INTENT_EXPIRED');
    const asset = await request(platform.url)
      .get(`/api/media/${created.asset.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(asset.body.status).toBe('expired');
  });
});
