import { IsInt, IsString, Max } from 'class-validator';

import { ServiceConfig } from './base.config';
import { ConfigError, loadConfig, splitList } from './load-config';

class DemoConfig extends ServiceConfig {
  @IsString()
  GREETING: string = 'hello';

  @IsInt()
  @Max(10)
  RETRIES: number = 3;
}

describe(loadConfig.name, () => {
  it('converts strings to the declared types and keeps defaults for what is unset or empty', () => {
    const config = loadConfig(DemoConfig, {
      DATABASE_URL: 'postgres://x/y',
      RETRIES: '7',
      GREETING: '',
      HTTP_PORT: '8080',
    });
    expect(config.RETRIES).toBe(7);
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.GREETING).toBe('hello');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it("reads a boolean setting's 'false' as false, and keeps its default when unset", () => {
    const base = { DATABASE_URL: 'postgres://x/y' };
    expect(loadConfig(DemoConfig, base).DATABASE_PREPARED_STATEMENTS).toBe(true);
    expect(
      loadConfig(DemoConfig, { ...base, DATABASE_PREPARED_STATEMENTS: 'false' }).DATABASE_PREPARED_STATEMENTS,
    ).toBe(false);
    expect(
      loadConfig(DemoConfig, { ...base, DATABASE_PREPARED_STATEMENTS: 'true' }).DATABASE_PREPARED_STATEMENTS,
    ).toBe(true);
    expect(loadConfig(DemoConfig, { ...base, DATABASE_POOLER: 'pgbouncer' }).DATABASE_POOLER).toBe(
      'pgbouncer',
    );
    expect(() => loadConfig(DemoConfig, { ...base, DATABASE_POOLER: 'pgpool' })).toThrow(/DATABASE_POOLER/);
  });

  it('takes a Redis Cluster URL', () => {
    const url = 'rediss+cluster://svc:pw@10.0.0.1:6380,10.0.0.2:6380';
    expect(loadConfig(DemoConfig, { DATABASE_URL: 'postgres://x/y', REDIS_URL: url }).REDIS_URL).toBe(url);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig(DemoConfig, { RETRIES: '99', REDIS_URL: 'http://nope' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/DATABASE_URL/);
    expect(problems).toMatch(/RETRIES/);
    expect(problems).toMatch(/REDIS_URL/);
  });

  it('splits comma-separated lists', () => {
    expect(splitList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(splitList(undefined)).toEqual([]);
  });
});
