/**
 * TelServices configuration, checked as a whole before a connection exists: a refused configuration must throw
 * before the base class or the loop has created a timer or a socket (Node-RED passes whatever the editor holds).
 */
import type { ConnectionConfig } from '../../connection/types';
import { PbxError } from '../../errors';
import { int } from '../../model/fields';
import { TelServicesTransport } from './transport';

/** A device number as TelServices takes it (digits and dial characters; the CLI checks its flags with it too). */
export const DEVICE_NUMBER = /^[\w+*#.-]{1,32}$/;

/** What the connection reads from `ConnectionConfig.extra` (see COMMON contract). */
export interface TelServicesExtra {
  udpPort?: number;
  /** Local address the event ports bind to; absent: the local address that reaches TelServer. */
  udpHost?: string;
  endOfMessage?: string;
  eventSource: 'udp' | 'poll';
  sessionTimeoutSeconds?: number;
  keepAliveMs: number;
  pollTimeoutSeconds: number;
  eventUpdate: 'full' | 'restricted';
  makeCallShortcut: boolean;
  connectTimeoutMs: number;
  acceptEventsFromAnyHost: boolean;
  /** Least time between two snapshots of one device asked for by events (a call first seen late). Default 6 s. */
  snapshotMinIntervalMs: number;
  /** Most calls followed per device; more are refused with a warning. Default 50. */
  maxCallsPerDevice: number;
  /** Most calls followed by the connection over all its devices. Default 1000. */
  maxCalls: number;
}

export function readExtra(config: ConnectionConfig): TelServicesExtra {
  const x = config.extra ?? {};
  const sessionTimeoutSeconds = int(x.sessionTimeoutSeconds, 1, 86_400);
  // The session times out after sessionTimeout without a request: keep it alive well before.
  const keepDefault = sessionTimeoutSeconds ? Math.max(1000, Math.floor((sessionTimeoutSeconds * 1000) / 3)) : 60_000;
  const eom = typeof x.endOfMessage === 'string' && x.endOfMessage !== '' ? x.endOfMessage : undefined;
  if (x.eventSource !== undefined && x.eventSource !== 'udp' && x.eventSource !== 'poll') throw new PbxError('INVALID_INPUT', 'TelServices: extra.eventSource must be "udp" or "poll"');
  if (x.udpPort !== undefined && int(x.udpPort, 0, 65535) === undefined) throw new PbxError('INVALID_INPUT', 'TelServices: extra.udpPort must be a port number (0-65535)');
  if (x.udpHost !== undefined && typeof x.udpHost !== 'string') throw new PbxError('INVALID_INPUT', 'TelServices: extra.udpHost must be a local address');
  return {
    udpPort: int(x.udpPort, 0, 65535),
    udpHost: typeof x.udpHost === 'string' && x.udpHost.trim() ? x.udpHost.trim() : undefined,
    endOfMessage: eom,
    eventSource: x.eventSource === 'poll' ? 'poll' : 'udp',
    sessionTimeoutSeconds,
    keepAliveMs: int(x.keepAliveMs, 50, 3_600_000) ?? keepDefault,
    pollTimeoutSeconds: int(x.pollTimeoutSeconds, 1, 600) ?? 30,
    eventUpdate: x.eventUpdate === 'restricted' ? 'restricted' : 'full',
    makeCallShortcut: x.makeCallShortcut === true,
    connectTimeoutMs: int(x.connectTimeoutMs, 50, 120_000) ?? 5000,
    acceptEventsFromAnyHost: x.acceptEventsFromAnyHost === true,
    snapshotMinIntervalMs: int(x.snapshotMinIntervalMs, 100, 600_000) ?? 6000,
    maxCallsPerDevice: int(x.maxCallsPerDevice, 1, 10_000) ?? 50,
    maxCalls: int(x.maxCalls, 1, 1_000_000) ?? 1000,
  };
}

export interface CheckedTelServicesConfig {
  devices: string[];
  extra: TelServicesExtra;
  transport: TelServicesTransport;
  pollTransport?: TelServicesTransport;
}

/**
 * Everything a connection needs from `config`, or a typed INVALID_INPUT error. Creates no handle: the transports
 * open sockets only when a request is sent.
 */
export function checkTelServicesConfig(config: ConnectionConfig): CheckedTelServicesConfig {
  if (config.platform !== 'telservices') throw new PbxError('INVALID_INPUT', `Not a TelServices configuration: ${config.platform}`);
  const devices = (Array.isArray(config.users) ? config.users : []).map((u) => String(u).trim()).filter(Boolean);
  if (!devices.length) throw new PbxError('INVALID_INPUT', 'TelServices needs the device numbers to monitor (users: ["3102", ...])');
  const badDevice = devices.find((d) => !DEVICE_NUMBER.test(d));
  if (badDevice) throw new PbxError('INVALID_INPUT', `TelServices: "${badDevice.slice(0, 40)}" is not a device number`);
  const extra = readExtra(config);
  const timeouts = { connectTimeoutMs: extra.connectTimeoutMs, responseTimeoutMs: config.requestTimeoutMs ?? 10_000, endOfMessage: extra.endOfMessage };
  const transport = new TelServicesTransport({ url: config.url, ...timeouts });
  const pollTransport = extra.eventSource === 'poll' ? new TelServicesTransport({ url: config.url, ...timeouts }) : undefined;
  return { devices: [...new Set(devices)], extra, transport, pollTransport };
}
