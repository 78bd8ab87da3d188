import { matchesContentType } from './content-signature';

const hex = (value: string) => Buffer.from(value.replace(/\s/g, ''), 'hex');

describe(matchesContentType.name, () => {
  it.each([
    ['image/png', hex('89504e470d0a1a0a 0000000d49484452')],
    ['image/jpeg', hex('ffd8ffe000104a46 4946000101000001')],
    ['image/gif', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')],
    ['image/webp', Buffer.concat([Buffer.from('RIFF'), hex('24000000'), Buffer.from('WEBPVP8 ')])],
    ['image/avif', Buffer.concat([hex('00000020'), Buffer.from('ftypavif')])],
    ['video/mp4', Buffer.concat([hex('00000018'), Buffer.from('ftypisom')])],
    ['video/quicktime', Buffer.concat([hex('00000014'), Buffer.from('ftypqt  ')])],
    ['video/webm', hex('1a45dfa3 9f4286810142f7810142f2')],
    ['application/pdf', Buffer.from('%PDF-1.7\n')],
  ])('recognises %s', (type, head) => {
    expect(matchesContentType(type, head)).toBe(true);
  });

  it.each([
    ['image/png', hex('7f454c4602010100 0000000000000000')], // an ELF executable
    ['image/jpeg', Buffer.from('<svg xmlns=')],
    ['application/pdf', Buffer.from('MZ\x90\x00')], // a Windows executable
    ['video/mp4', Buffer.concat([hex('00000020'), Buffer.from('ftypavif')])], // an AVIF is not an MP4
    ['image/png', Buffer.alloc(0)],
    ['text/html', Buffer.from('<html>')], // no check known: never accepted
  ])('refuses %s that is something else', (type, head) => {
    expect(matchesContentType(type, head)).toBe(false);
  });
});
