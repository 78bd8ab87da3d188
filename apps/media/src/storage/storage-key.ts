/**
 * Storage keys: `org/<orgId>/domain/<domainId>/<assetId>/<safe filename>`.
 * Every segment is reduced to [A-Za-z0-9._-] with no leading dot, so no
 * input can add a `/`, a `..` or a control character: a key never leaves
 * its org and domain prefix.
 */
export function safeSegment(value: string, fallback: string, maxLength = 100): string {
  const cleaned = value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off: é → e
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
  return (cleaned.slice(0, maxLength).replace(/[.-]+$/, '') || fallback).replace(/\.{2,}/g, '.');
}

/** The last path component of what the browser sent, made safe; the extension is kept, lower-cased. */
export function safeFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const safe = safeSegment(base, 'file');
  const dot = safe.lastIndexOf('.');
  return dot > 0 ? `${safe.slice(0, dot)}${safe.slice(dot).toLowerCase()}` : safe;
}

export function storageKey(orgId: string, domainId: string, assetId: string, filename: string): string {
  return `org/${safeSegment(orgId, 'org')}/domain/${safeSegment(domainId, 'domain')}/${assetId}/${safeFilename(filename)}`;
}

export function keyPrefix(orgId: string, domainId: string): string {
  return `org/${safeSegment(orgId, 'org')}/domain/${safeSegment(domainId, 'domain')}/`;
}
