/** Public entry of the protocol core (no n8n or Node-RED imports anywhere under shared/). */
export * from './model';
export * from './model/filter';
export * from './errors';
export * from './tracker/tracker';
export * from './connection/types';
export * from './connection/registry';
export * from './operations/catalogue';
export * from './operations/validate';
export { AlePipeline } from './platforms/ale/pipeline';
export { decodeAleLine } from './platforms/ale/decoder';
