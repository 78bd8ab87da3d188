export * from './event-consumer';
export * from './keys';
export * from './outbox';
export * from './outbox-relay';
export * from './redis-rpc.server';
export * from './rpc-error.filter';
export * from './rpc-payload.decorator';
export * from './rpc.client';
