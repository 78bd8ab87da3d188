import { Writable } from 'node:stream';

import pino from 'pino';

import { pinoOptions, requestIdOf } from './logger';
import { runInRequestScope } from './request-scope';

describe(requestIdOf.name, () => {
  it('echoes a sane x-request-id and replaces anything else', () => {
    expect(requestIdOf({ headers: { 'x-request-id': 'abc-123' } } as never)).toBe('abc-123');
    expect(requestIdOf({ headers: { 'x-request-id': 'bad id\nwith newline' } } as never)).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    expect(requestIdOf({ headers: {} } as never)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('structured logs', () => {
  it('carry the request scope and redact secrets', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(chunk.toString()), done()) });
    const log = pino(pinoOptions({ service: 'demo', level: 'info' }), sink);
    runInRequestScope({ requestId: 'req-42', userId: 'user_1', orgId: 'org_1' }, () =>
      log.info({ req: { headers: { authorization: 'Bearer secret' } } }, 'hello'),
    );
    const entry = JSON.parse(lines[0]);
    expect(entry).toEqual(
      expect.objectContaining({
        service: 'demo',
        requestId: 'req-42',
        userId: 'user_1',
        orgId: 'org_1',
        msg: 'hello',
      }),
    );
    expect(lines[0]).not.toMatch(/secret/);
  });
});
