export const MEDIA_STORAGE = Symbol('MEDIA_STORAGE');
