/**
 * What the first bytes of a file must look like for each type we accept.
 * The declared Content-Type is the uploader's word; these are the file's.
 */
type Check = (head: Buffer) => boolean;

const startsWith = (bytes: number[] | string, offset = 0): Check => {
  const expected = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return (head) =>
    head.length >= offset + expected.length &&
    head.subarray(offset, offset + expected.length).equals(expected);
};

/** ISO base media (MP4, MOV, AVIF): `ftyp` at 4, then a major brand. */
const ftyp =
  (brands: string[]): Check =>
  (head) =>
    startsWith('ftyp', 4)(head) && brands.some((brand) => head.subarray(8, 12).toString('latin1') === brand);

export const CONTENT_SIGNATURES: Record<string, Check> = {
  'image/png': startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': startsWith([0xff, 0xd8, 0xff]),
  'image/gif': (head) => startsWith('GIF87a')(head) || startsWith('GIF89a')(head),
  'image/webp': (head) => startsWith('RIFF')(head) && startsWith('WEBP', 8)(head),
  'image/avif': ftyp(['avif', 'avis']),
  'video/mp4': ftyp([
    'isom',
    'iso2',
    'iso4',
    'iso5',
    'iso6',
    'mp41',
    'mp42',
    'avc1',
    'M4V ',
    'dash',
    'mmp4',
    'MSNV',
  ]),
  'video/quicktime': (head) =>
    ftyp(['qt  '])(head) || ['moov', 'mdat', 'wide', 'free'].some((atom) => startsWith(atom, 4)(head)),
  'video/webm': startsWith([0x1a, 0x45, 0xdf, 0xa3]),
  'application/pdf': startsWith('%PDF-'),
};

/** How many leading bytes the checks need. */
export const SIGNATURE_BYTES = 16;

export function matchesContentType(contentType: string, head: Buffer): boolean {
  const check = CONTENT_SIGNATURES[contentType];
  return check ? check(head) : false;
}
