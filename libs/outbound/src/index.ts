export * from './outbound';
