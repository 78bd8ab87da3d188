export * from './auth.guard';
export * from './claims';
export * from './permissions';
export * from './token-verifier';
export * from './domain-access';
export * from './dev-session';
