import { CONTENT_FIELDS, type FieldChangeDto } from '@smartbeak/contracts';

export type Snapshot = Record<(typeof CONTENT_FIELDS)[number], unknown>;

/** The fields that differ from `a` to `b`; tags also say what was added and removed. */
export function diffSnapshots(a: Snapshot, b: Snapshot): FieldChangeDto[] {
  const changes: FieldChangeDto[] = [];
  for (const field of CONTENT_FIELDS) {
    const from = a[field];
    const to = b[field];
    if (field === 'tags') {
      const before = (from as string[]) ?? [];
      const after = (to as string[]) ?? [];
      const added = after.filter((tag) => !before.includes(tag));
      const removed = before.filter((tag) => !after.includes(tag));
      if (added.length || removed.length || before.join('\u0000') !== after.join('\u0000')) {
        changes.push({ field, from, to, added, removed });
      }
    } else if (from !== to) {
      changes.push({ field, from, to });
    }
  }
  return changes;
}
