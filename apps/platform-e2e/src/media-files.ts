/** Small real files for upload tests. */
export const PNG_1X1 = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2a2b6bd0000000049454e44ae426082',
  'hex',
);

/** The start of a Linux executable, padded: what a ".png" must not be. */
export function elfOfSize(size: number): Buffer {
  const bytes = Buffer.alloc(size, 0);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01]).copy(bytes);
  return bytes;
}
