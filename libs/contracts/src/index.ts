export * from './content';
export * from './control-plane';
export * from './errors';
export * from './events';
export * from './media';
export * from './pagination';
export * from './patterns';
export * from './request-context';
