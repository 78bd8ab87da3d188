export * from './audit';
export * from './clerk';
export * from './domains';
export * from './me';
export * from './members';
export * from './dev-session';
