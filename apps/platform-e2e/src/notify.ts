import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';

import { type FakeWordPress, testInfra } from '@smartbeak/testing';
import request from 'supertest';

import { type Platform } from './platform';

/** What the SMTP and provider catchers recorded. */
export interface Caught {
  channel: string;
  provider: string;
  to: string[];
  subject?: string;
  text: string;
  headers?: Record<string, string>;
}

export async function caught(query: Record<string, string>): Promise<Caught[]> {
  const res = await fetch(`${testInfra().mailApi}?${new URLSearchParams(query)}`);
  return (await res.json()) as Caught[];
}

/** Supertest requests as one user. */
export function asUser(platform: Platform, token: string) {
  const auth = <T extends { set(name: string, value: string): T }>(test: T) =>
    test.set('Authorization', `Bearer ${token}`);
  return {
    get: (path: string) => auth(request(platform.url).get(path)),
    post: (path: string) => auth(request(platform.url).post(path)),
    put: (path: string) => auth(request(platform.url).put(path)),
    delete: (path: string) => auth(request(platform.url).delete(path)),
  };
}
export type AsUser = ReturnType<typeof asUser>;

/** A new item of the user's, submitted for review: its id. */
export async function submittedItem(api: AsUser, title: string): Promise<string> {
  const item = (await api.post('/api/content').send({ title, body: '<p>Hi</p>', tags: [] }).expect(201)).body;
  await api.post(`/api/content/${item.id}/transitions`).send({ to: 'review', version: 1 }).expect(200);
  return item.id;
}

/**
 * A publishing job of a submitted item to a new WordPress destination of
 * `wordpress` (with `password`: a wrong one makes the job fail): its id.
 */
export async function wordPressJob(
  api: AsUser,
  wordpress: FakeWordPress,
  title: string,
  password = wordpress.password,
): Promise<string> {
  const contentId = await submittedItem(api, title);
  const target = (
    await api
      .post('/api/publishing/targets')
      .send({
        type: 'wordpress',
        name: `WordPress for ${title}`,
        config: { baseUrl: wordpress.url, username: wordpress.username, applicationPassword: password },
      })
      .expect(201)
  ).body;
  return (
    await api
      .post('/api/publishing/jobs')
      .send({ contentId, targetIds: [target.id] })
      .expect(202)
  ).body.id;
}

/** An SSE connection's events, as they arrive. */
export function openStream(url: string, token: string, lastEventId?: string) {
  const events: { id: string; data: Record<string, unknown> }[] = [];
  let status = 0;
  let headers: IncomingHttpHeaders = {};
  const req = httpRequest(url, {
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'text/event-stream',
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    },
  });
  const opened = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      headers = res.headers;
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        // The first bytes (the retry line) say the stream is open.
        resolve();
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id && data) events.push({ id, data: JSON.parse(data) });
        }
      });
    });
    req.on('error', reject);
  });
  req.end();
  return { events, opened, status: () => status, headers: () => headers, close: () => req.destroy() };
}
