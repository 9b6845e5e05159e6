export * from './schema';
export * from './check';
export * from './people';
export * from './changes';
export * from './away';
