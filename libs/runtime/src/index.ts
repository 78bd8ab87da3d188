export * from './bootstrap';
export * from './service-runtime.module';
export * from './jobs';
export * from './events';
export * from './idempotency';
export * from './migrations';
