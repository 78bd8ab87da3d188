export * from './health';
export * from './logger';
export * from './metrics';
export * from './request-scope';
export * from './redis-memory';
