export * from './events';
export * from './observations';
export * from './ids';
