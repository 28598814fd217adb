/** Missed-call follow-up: call-level `call.unanswered`, `call.returned`, `call.unreturned` from per-user call events. */
export * from './correlator';
export * from './hub';
export * from './numbers';
