export * from './outbound';
export * from './mail';
export * from './google-oauth';
