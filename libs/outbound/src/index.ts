export * from './outbound';
export * from './mail';
