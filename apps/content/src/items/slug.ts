const MAX_SLUG = 200;

/** `Héllo, World!` → `hello-world`; an empty result → `untitled`. */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return truncateSlug(slug) || 'untitled';
}

/** Cuts at most MAX_SLUG characters, at a hyphen when there is one near the end. */
export function truncateSlug(slug: string): string {
  if (slug.length <= MAX_SLUG) return slug;
  const cut = slug.slice(0, MAX_SLUG);
  const hyphen = cut.lastIndexOf('-');
  return (hyphen > MAX_SLUG / 2 ? cut.slice(0, hyphen) : cut).replace(/-+$/, '');
}

/** A slug free of clashes with the highest numbered sibling seen: `post` → `post-2`, `post-7` → `post-8`. */
export function nextSlug(base: string, highestSuffix: number | null): string {
  return `${base}-${Math.max(highestSuffix ?? 1, 1) + 1}`;
}

/** Escapes `%`, `_` and `\` for a LIKE pattern. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
