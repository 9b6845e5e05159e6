export * from './schema';
export * from './check';
export * from './signposts';
export * from './oversight';
