export * from './eventually';
export * from './infra';
export * from './processes';
export * from './tokens';
export * from './fakes/http-fake';
export * from './fakes/linkedin';
export * from './fakes/wordpress';
export * from './message-keys';
