export * from './credential-vault';
export * from './cursor';
export * from './data-source';
export * from './database';
export * from './errors';
export * from './repository';
export * from './scope';
export * from './where';
