import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

type Class<T> = new () => T;
type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const cache = new Map<Class<object>, object>();

/**
 * Env → class-validator schema → one typed object. Called with the process
 * environment it is cached, so every caller sees the same object; tests pass
 * their own env and get a fresh one.
 */
export function loadConfig<T extends object>(schema: Class<T>, env: Env = process.env): T {
  const fromProcess = env === process.env;
  if (fromProcess && cache.has(schema)) return cache.get(schema) as T;

  // Empty strings mean "unset", as they do in most env files and manifests.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const config = plainToInstance(schema, cleaned, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: true });
  if (errors.length) {
    throw new ConfigError(
      errors.flatMap((error) =>
        Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`),
      ),
    );
  }
  if (fromProcess) cache.set(schema, config);
  return config;
}

/** Splits a comma-separated setting into trimmed, non-empty entries. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}
