export * from './local-date';
export * from './zone';
export * from './holidays';
export * from './working-calendar';
export * from './words';
