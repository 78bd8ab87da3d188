import { stringify } from 'csv-stringify/sync';

/** `{ a: { b: 1 } }` → `{ 'a.b': 1 }`: nested figures as columns. */
function flatten(
  value: Record<string, unknown>,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const [key, inner] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (inner && typeof inner === 'object' && !Array.isArray(inner))
      flatten(inner as Record<string, unknown>, name, out);
    else out[name] = inner;
  }
  return out;
}

/** Rows as CSV with a header of every column any row has (an absent figure is empty). */
export function toCsv(rows: Record<string, unknown>[]): string {
  const flat = rows.map((row) => flatten(row));
  const columns = [...new Set(flat.flatMap((row) => Object.keys(row)))];
  return stringify(flat, { header: true, columns, cast: { boolean: (value) => String(value) } });
}
