export * from './base.entity';
export * from './cursor';
export * from './data-source';
export * from './errors';
