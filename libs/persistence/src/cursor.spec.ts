import { CommonError } from '@smartbeak/contracts';

import { decodeCursor, encodeCursor, pageSize } from './cursor';

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
