import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

import {
  assertOutboundAllowed,
  isAddressAllowed,
  OutboundFailedError,
  outboundPolicy,
  OutboundRefusedError,
  outboundRequest,
} from './outbound';

describe('outbound requests to user-supplied URLs', () => {
  let server: Server;
  let otherServer: Server;
  let base: string;
  let other: string;
  const loopback = outboundPolicy({ allowList: '127.0.0.1', allowHttp: true, timeoutMs: 1_000 });

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      if (req.url === '/metadata-redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        return res.end();
      }
      if (req.url === '/private-redirect') {
        res.writeHead(307, { location: 'http://10.0.0.1/admin' });
        return res.end();
      }
      if (req.url === '/local-redirect') {
        res.writeHead(301, { location: '/ok' });
        return res.end();
      }
      if (req.url === '/elsewhere') {
        // Another origin (the same host on another port is another origin).
        res.writeHead(302, { location: `${other}/echo` });
        return res.end();
      }
      if (req.url === '/same-origin') {
        res.writeHead(302, { location: '/echo' });
        return res.end();
      }
      if (req.url === '/echo') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ headers: req.headers }));
      }
      if (req.url === '/big') {
        res.writeHead(200);
        return res.end(Buffer.alloc(64 * 1024, 'x'));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, method: req.method }));
    });
    otherServer = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ headers: req.headers }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => otherServer.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    other = `http://127.0.0.1:${(otherServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => otherServer.close(resolve));
  });

  it('drops credentials on a redirect to another origin, and keeps them on the same one', async () => {
    const headers = {
      Authorization: 'Basic c2VjcmV0',
      Cookie: 'session=1',
      'Proxy-Authorization': 'x',
      'X-Keep': 'y',
    };
    const away = (await outboundRequest(`${base}/elsewhere`, { headers }, loopback)).json<{
      headers: Record<string, string>;
    }>();
    expect(away.headers).not.toHaveProperty('authorization');
    expect(away.headers).not.toHaveProperty('cookie');
    expect(away.headers).not.toHaveProperty('proxy-authorization');
    expect(away.headers['x-keep']).toBe('y');
    const home = (await outboundRequest(`${base}/same-origin`, { headers }, loopback)).json<{
      headers: Record<string, string>;
    }>();
    expect(home.headers.authorization).toBe('Basic c2VjcmV0');
  });

  it('reaches an allowed destination and follows a redirect that stays allowed', async () => {
    const res = await outboundRequest(`${base}/local-redirect`, {}, loopback);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ path: '/ok', method: 'GET' });
  });

  it.each([
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['a private network address', 'http://10.0.0.1/'],
    ['another private range', 'https://192.168.1.10/'],
    ['IPv6 loopback', 'http://[::1]/'],
    ['IPv4 mapped in IPv6', 'http://[::ffff:127.0.0.1]/'],
    ['the unspecified address', 'http://0.0.0.0/'],
  ])('refuses %s before sending anything (%s)', async (_name, url) => {
    await expect(outboundRequest(url, {}, outboundPolicy({ allowHttp: true }))).rejects.toBeInstanceOf(
      OutboundRefusedError,
    );
  });

  it('refuses localhost (it resolves to loopback) unless loopback is allowed', async () => {
    const port = (server.address() as AddressInfo).port;
    await expect(
      outboundRequest(`http://localhost:${port}/ok`, {}, outboundPolicy({ allowHttp: true })),
    ).rejects.toBeInstanceOf(OutboundRefusedError);
    const allowed = outboundPolicy({ allowHttp: true, allowList: '127.0.0.0/8,::1' });
    expect((await outboundRequest(`http://localhost:${port}/ok`, {}, allowed)).status).toBe(200);
  });

  it('refuses plain http unless allowed, and URLs carrying credentials', async () => {
    await expect(
      outboundRequest(`${base}/ok`, {}, outboundPolicy({ allowList: '127.0.0.1' })),
    ).rejects.toThrow(/https only/);
    await expect(outboundRequest(`http://user:pw@127.0.0.1/`, {}, loopback)).rejects.toBeInstanceOf(
      OutboundRefusedError,
    );
  });

  it('refuses a redirect to a forbidden address, from an allowed one', async () => {
    await expect(outboundRequest(`${base}/metadata-redirect`, {}, loopback)).rejects.toBeInstanceOf(
      OutboundRefusedError,
    );
    await expect(outboundRequest(`${base}/private-redirect`, {}, loopback)).rejects.toBeInstanceOf(
      OutboundRefusedError,
    );
  });

  it('bounds the response size and the time, and says whether the request went out', async () => {
    const small = outboundPolicy({ allowList: '127.0.0.1', allowHttp: true, maxResponseBytes: 1024 });
    await expect(outboundRequest(`${base}/big`, {}, small)).rejects.toThrow(/more than 1024 bytes/);

    const hung = await outboundRequest(`${base}/hang`, { method: 'POST', body: '{}' }, loopback).catch(
      (e) => e,
    );
    expect(hung).toBeInstanceOf(OutboundFailedError);
    expect((hung as OutboundFailedError).sent).toBe(true); // it went out: the outcome is unknown

    const closed = await outboundRequest(
      'http://127.0.0.1:1/',
      { method: 'POST', body: '{}' },
      loopback,
    ).catch((e) => e);
    expect(closed).toBeInstanceOf(OutboundFailedError);
    expect((closed as OutboundFailedError).sent).toBe(false); // never connected: safe to retry
  });

  it('keeps a connection to a site alive between calls; never resends a request the site may have read', async () => {
    const sockets: string[] = [];
    let resetNext = false;
    let closeNext = false;
    const site = createServer((req, res) => {
      if (closeNext) {
        closeNext = false;
        res.setHeader('connection', 'close');
      }
      if (resetNext) {
        // The request arrived whole; the connection dies before any answer.
        resetNext = false;
        req.socket.destroy();
        return;
      }
      res.end(JSON.stringify({ method: req.method }));
    });
    site.on('connection', (socket) => sockets.push(`${socket.remotePort}`));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(site.address() as { port: number }).port}/post`;
    const policy = outboundPolicy({ allowList: '127.0.0.1', allowHttp: true, timeoutMs: 2_000 });
    const post = () => outboundRequest(url, { method: 'POST', body: '{}' }, policy);
    try {
      for (let i = 0; i < 3; i++) expect((await post()).status).toBe(200);
      expect(sockets).toHaveLength(1);
      // The site closes the connection after an answer: the next call opens a new one.
      closeNext = true;
      expect((await post()).status).toBe(200);
      expect((await post()).json()).toEqual({ method: 'POST' });
      expect(sockets).toHaveLength(2);
      resetNext = true;
      const failure = await post().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OutboundFailedError);
      expect((failure as OutboundFailedError).sent).toBe(true);
      expect(sockets).toHaveLength(2);
    } finally {
      await new Promise((resolve) => site.close(resolve));
    }
  });

  it('checks a destination without sending anything', async () => {
    await expect(
      assertOutboundAllowed('http://169.254.169.254/', outboundPolicy({ allowHttp: true })),
    ).rejects.toBeInstanceOf(OutboundRefusedError);
    const local = await assertOutboundAllowed('http://localhost/', outboundPolicy({ allowHttp: true })).catch(
      (error: Error) => error,
    );
    expect(local).toBeInstanceOf(OutboundRefusedError);
    expect((local as Error).message).toMatch(/localhost is not a destination/);
    // …without naming the address it resolved to.
    expect((local as Error).message).not.toMatch(/127\.0\.0\.1|::1/);
    await expect(assertOutboundAllowed('ftp://example.com/', outboundPolicy({}))).rejects.toThrow(
      /https only/,
    );
    await expect(assertOutboundAllowed(`${base}/`, loopback)).resolves.toBeUndefined();
  });

  it('classifies addresses', () => {
    expect(isAddressAllowed('93.184.215.14', 'example.com', { allow: [] })).toBe(true);
    expect(isAddressAllowed('2606:2800:21f:cb07:6820:80da:af6b:8b2c', 'example.com', { allow: [] })).toBe(
      true,
    );
    expect(isAddressAllowed('172.16.5.4', 'internal', { allow: [] })).toBe(false);
    expect(isAddressAllowed('172.16.5.4', 'internal', { allow: ['172.16.0.0/12'] })).toBe(true);
    expect(isAddressAllowed('172.16.5.4', 'wp.internal', { allow: ['wp.internal'] })).toBe(true);
    expect(isAddressAllowed('fe80::1', 'x', { allow: [] })).toBe(false);
    // host:port entries (docs/api.md) allow that port only; entries without a port, any port.
    const allow = ['wp.internal:8080', '10.1.2.3:8443', '[fd00::5]:9000', 'cms.lan'];
    expect(isAddressAllowed('172.16.5.4', 'wp.internal', { allow }, 8080)).toBe(true);
    expect(isAddressAllowed('172.16.5.4', 'wp.internal', { allow }, 22)).toBe(false);
    expect(isAddressAllowed('10.1.2.3', '10.1.2.3', { allow }, 8443)).toBe(true);
    expect(isAddressAllowed('10.1.2.3', '10.1.2.3', { allow }, 443)).toBe(false);
    expect(isAddressAllowed('fd00::5', 'fd00::5', { allow }, 9000)).toBe(true);
    expect(isAddressAllowed('fd00::5', 'fd00::5', { allow }, 9001)).toBe(false);
    expect(isAddressAllowed('192.168.0.9', 'cms.lan', { allow }, 5432)).toBe(true);
    expect(isAddressAllowed('100.64.0.1', 'x', { allow: [] })).toBe(false);
  });

  it.each([
    ['fec0::1', 'IPv6 site-local'],
    ['100::1', 'IPv6 discard-only'],
    ['2001:10::1', 'ORCHID'],
    ['::a00:1', 'IPv4-compatible IPv6 (::10.0.0.1)'],
    ['64:ff9b::a00:1', 'NAT64'],
    ['2002:a00:1::1', '6to4'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['3fff::1', 'IPv6 documentation (3fff::/20)'],
    ['198.51.100.7', 'IPv4 documentation'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['240.0.0.1', 'IPv4 reserved'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ])('refuses %s (%s): only plain public unicast is reachable', (address) => {
    expect(isAddressAllowed(address, 'x', { allow: [] })).toBe(false);
  });
});
