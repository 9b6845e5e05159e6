export * from './types';
export * from './deadlines';
export * from './evolve';
export * from './decide';
export * from './raise-form';
export * from './reference';
export * from './timers';
export * from './free-text';
