import { type Database, type Sql, type SystemScope } from '@smartbeak/persistence';

import { COLUMN_NAMES, EVENT_COLUMNS, type EventRow, storedEventOf, valuesOf } from '../items/item-rows';
import { type ItemState, project } from '../items/projection';

export interface RebuildResult {
  aggregates: number;
  events: number;
  /** Rows of the live read model that differ from the rebuilt one (missing, extra or changed). */
  differences: number;
  /** Whether the live read model was replaced by the rebuilt rows (not with `check`). */
  applied: boolean;
}

const EVENT_BATCH = 5_000;
const INSERT_BATCH = 1_000;

/**
 * Replays every event, in version order per item, through the same
 * `project` the writes use, into a scratch table; then counts how the live
 * `content_items` differs from it and (unless `check`) makes it equal.
 * Writers wait for the duration (the table is share-locked); readers do not.
 */
export async function rebuildReadModel(
  _scope: SystemScope,
  database: Database,
  options: { check?: boolean } = {},
): Promise<RebuildResult> {
  return database.transaction(async (manager) => {
    await manager.run(`LOCK TABLE content_items IN SHARE ROW EXCLUSIVE MODE`);
    await manager.run(
      `CREATE TEMP TABLE content_items_rebuilt (LIKE content_items INCLUDING DEFAULTS) ON COMMIT DROP`,
    );
    let aggregates = 0;
    let events = 0;
    let current: ItemState | null = null;
    let pending: ItemState[] = [];
    let after: [string, number] = ['00000000-0000-0000-0000-000000000000', 0];
    for (;;) {
      const rows = await manager.rows<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM content_events
          WHERE (aggregate_id, version) > ($1::uuid, $2::int) ORDER BY aggregate_id, version LIMIT $3`,
        [after[0], after[1], EVENT_BATCH],
      );
      for (const row of rows) {
        const event = storedEventOf(row);
        if (current && current.id !== event.aggregateId) {
          pending.push(current);
          current = null;
        }
        current = project(current, event);
        events++;
      }
      if (pending.length >= INSERT_BATCH) {
        aggregates += await insertStates(manager, pending);
        pending = [];
      }
      const last = rows[rows.length - 1];
      if (!last || rows.length < EVENT_BATCH) break;
      after = [last.aggregateId, last.version];
    }
    if (current) pending.push(current);
    aggregates += await insertStates(manager, pending);

    const [{ count }] = await manager.rows<{ count: number }>(`
      SELECT count(*)::int AS count FROM (
        (SELECT * FROM content_items EXCEPT SELECT * FROM content_items_rebuilt)
        UNION ALL
        (SELECT * FROM content_items_rebuilt EXCEPT SELECT * FROM content_items)) d`);
    // A changed row counts twice above (the old and the new); count it once.
    const [{ changed }] = await manager.rows<{ changed: number }>(`
      SELECT count(*)::int AS changed FROM content_items c JOIN content_items_rebuilt r USING (id)
       WHERE (c.*) IS DISTINCT FROM (r.*)`);
    const differences = count - changed;

    if (!options.check && differences > 0) {
      await manager.run(
        `DELETE FROM content_items c WHERE NOT EXISTS (SELECT 1 FROM content_items_rebuilt r WHERE r.id = c.id)`,
      );
      const updates = COLUMN_NAMES.filter((column) => column !== 'id')
        .map((column) => `${column} = EXCLUDED.${column}`)
        .join(', ');
      await manager.run(
        `INSERT INTO content_items SELECT * FROM (SELECT * FROM content_items_rebuilt EXCEPT SELECT * FROM content_items) r
         ON CONFLICT (id) DO UPDATE SET ${updates}`,
      );
    }
    return { aggregates, events, differences, applied: !options.check };
  });
}

async function insertStates(manager: Sql, states: ItemState[]): Promise<number> {
  for (let i = 0; i < states.length; i += INSERT_BATCH) {
    await insertChunk(manager, states.slice(i, i + INSERT_BATCH));
  }
  return states.length;
}

async function insertChunk(manager: Sql, states: ItemState[]): Promise<void> {
  if (!states.length) return;
  const params: unknown[] = [];
  const rows = states.map((state) => {
    const values = valuesOf(state);
    const start = params.length;
    params.push(...values);
    return `(${values.map((_, i) => `$${start + i + 1}`).join(', ')})`;
  });
  await manager.run(
    `INSERT INTO content_items_rebuilt (${COLUMN_NAMES.join(', ')}) VALUES ${rows.join(', ')}`,
    params,
  );
}
