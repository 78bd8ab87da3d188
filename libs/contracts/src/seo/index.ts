export * from './seo';
