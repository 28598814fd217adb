/** Where the TelServices connection used to live: its names, for code that imports them from here (see module.ts). */
export { createTelServicesConnection, TelServicesConnection } from './module';
export { type TelServicesStats } from './driver';
export { DEVICE_NUMBER } from './settings';
