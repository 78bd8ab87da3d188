import { escapeLike, nextSlug, slugify, truncateSlug } from './slug';

describe('slugs', () => {
  it.each([
    ['Hello, World!', 'hello-world'],
    ['  Crème brûlée -- à la carte ', 'creme-brulee-a-la-carte'],
    ['2026: the year', '2026-the-year'],
    ['日本語', 'untitled'],
    ['---', 'untitled'],
  ])('slugify(%p) = %p', (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });

  it('keeps slugs within 200 characters, cutting at a hyphen', () => {
    const long = slugify(`${'word '.repeat(60)}end`);
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long).toMatch(/^word(-word)*$/);
    expect(truncateSlug('a'.repeat(250))).toHaveLength(200);
  });

  it('suffixes one more than the highest number taken', () => {
    expect(nextSlug('post', null)).toBe('post-2');
    expect(nextSlug('post', 1)).toBe('post-2');
    expect(nextSlug('post', 7)).toBe('post-8');
  });

  it('escapes LIKE wildcards', () => {
    expect(escapeLike('50%_off\\')).toBe('50\\%\\_off\\\\');
  });
});
