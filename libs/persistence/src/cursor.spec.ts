import { CommonError } from '@smartbeak/contracts';

import { DomainError } from '@smartbeak/errors';

import { decodeCursor, decodeNumberCursor, decodeTimeCursor, encodeCursor, pageSize } from './cursor';

describe('keyset cursors', () => {
  it('round-trips the sort key and id, URL-safe', () => {
    const at = new Date('2026-11-26T10:00:00.123Z');
    const cursor = encodeCursor(at, '6f1c3a5e-0000-4000-8000-000000000001');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual([
      '2026-11-26T10:00:00.123Z',
      '6f1c3a5e-0000-4000-8000-000000000001',
    ]);
  });

  it.each([
    '',
    'garbage',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('[1,2,3]').toString('base64url'),
    Buffer.from(`["x","${'y'.repeat(200)}"]`).toString('base64url'),
  ])('refuses a forged or broken cursor (%s) as a validation error', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: CommonError.VALIDATION }));
  });

  it('clamps the page size to 1..100, 20 by default', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(500)).toBe(100);
    expect(pageSize(7)).toBe(7);
  });
});

describe('typed cursors', () => {
  const at = '2026-11-26T10:00:00.000Z';
  const id = '0b7e1c9e-5f0a-4d3e-9a77-3c1f0a2b4c5d';

  it('reads back what encodeCursor wrote', () => {
    expect(decodeTimeCursor(encodeCursor(new Date(at), id))).toEqual([at, id]);
    expect(decodeNumberCursor(encodeCursor(42, id))).toBe(42);
  });

  it.each([
    ['a number where a time is expected', () => decodeTimeCursor(encodeCursor(42, id))],
    ['a time that is not one', () => decodeTimeCursor(encodeCursor('yesterday', id))],
    ['an id that is not a uuid', () => decodeTimeCursor(encodeCursor(new Date(at), 'x'))],
    ['a time where a number is expected', () => decodeNumberCursor(encodeCursor(new Date(at), id))],
    ['a fraction', () => decodeNumberCursor(encodeCursor(1.5, id))],
  ])('refuses %s with a validation error', (_name, decode) => {
    expect(decode).toThrow(DomainError);
  });
});
