import { Gauge } from 'prom-client';

import { metricsRegistry } from './metrics';

export const redisMemoryRatio = new Gauge({
  name: 'smartbeak_redis_memory_ratio',
  help: 'Redis used_memory / maxmemory as this process last read it (0 when maxmemory is unset)',
  registers: [metricsRegistry],
});

/** How often Redis's memory is read at most: the answer is shared by every request meanwhile. */
const FRESH_MS = 1_000;

/**
 * Watches Redis memory against its `maxmemory`. Redis runs with `noeviction`
 * (BullMQ's keys must never vanish), so a full Redis refuses writes: past
 * the high-water mark the platform stops taking new work — readiness goes
 * down and the gateway answers 503 — while what it accepted can still finish.
 */
interface MemoryInfoSource {
  info(section: 'memory'): Promise<string>;
}

/** used_memory / maxmemory of one `INFO memory` answer (0 without a maxmemory). */
function usedRatio(info: string): number {
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  const max = field('maxmemory');
  return max > 0 ? field('used_memory') / max : 0;
}

export class RedisMemoryWatch {
  private last?: { at: number; ratio: number };
  private pending?: Promise<number>;

  constructor(
    /** One Redis, or a cluster (`nodes('master')`): then the fullest master counts. */
    private readonly redis: MemoryInfoSource & { nodes?(role: 'master'): MemoryInfoSource[] },
    /** A ratio of maxmemory, e.g. 0.8. */
    readonly highWater: number,
  ) {}

  async ratio(): Promise<number> {
    if (this.last && Date.now() - this.last.at < FRESH_MS) return this.last.ratio;
    this.pending ??= this.read().finally(() => (this.pending = undefined));
    return this.pending;
  }

  async overHighWater(): Promise<boolean> {
    return (await this.ratio()) > this.highWater;
  }

  private async read(): Promise<number> {
    const sources = this.redis.nodes ? this.redis.nodes('master') : [this.redis];
    const ratios = await Promise.all(sources.map(async (source) => usedRatio(await source.info('memory'))));
    const ratio = Math.max(0, ...ratios);
    redisMemoryRatio.set(ratio);
    this.last = { at: Date.now(), ratio };
    return ratio;
  }
}
