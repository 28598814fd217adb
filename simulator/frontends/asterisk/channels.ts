/**
 * The AMI front-end's channel book: which AMI channel stands for which party of which virtual-PBX call, and the
 * channel snapshot every call event carries (Channel, ChannelState, CallerID, ConnectedLine, Context, Exten,
 * Uniqueid, Linkedid...) in Asterisk's field order and spelling.
 */

export interface SimChan {
  name: string;
  uniqueid: string;
  linkedid: string;
  /** 0 Down, 4 Ring, 5 Ringing, 6 Up. */
  state: number;
  callerNum: string;
  callerName: string;
  connectedNum: string;
  connectedName: string;
  context: string;
  exten: string;
  /** The virtual PBX login and call ref this channel belongs to (none for a trunk channel). */
  login?: string;
  ref?: string;
  /** The device (user's set) for a phone channel. */
  device?: string;
  /** An outside party's number, for trunk channels. */
  outside?: string;
  /** The channel that dialled this one (DialBegin). */
  dialedBy?: SimChan;
  held: boolean;
  bridge?: string;
  startedAt: number;
}

export const STATE_DESC: Record<number, string> = { 0: 'Down', 4: 'Ring', 5: 'Ringing', 6: 'Up' };

type Pairs = Array<[string, string | number | undefined]>;

/** The channel snapshot block, optionally prefixed (`Dest`, `Transferer`...). */
export function snapshot(c: SimChan, prefix = ''): Pairs {
  return [
    [`${prefix}Channel`, c.name],
    [`${prefix}ChannelState`, c.state],
    [`${prefix}ChannelStateDesc`, STATE_DESC[c.state] ?? 'Unknown'],
    [`${prefix}CallerIDNum`, c.callerNum || '<unknown>'],
    [`${prefix}CallerIDName`, c.callerName || '<unknown>'],
    [`${prefix}ConnectedLineNum`, c.connectedNum || '<unknown>'],
    [`${prefix}ConnectedLineName`, c.connectedName || '<unknown>'],
    [`${prefix}Language`, 'en'],
    [`${prefix}AccountCode`, ''],
    [`${prefix}Context`, c.context],
    [`${prefix}Exten`, c.exten],
    [`${prefix}Priority`, 1],
    [`${prefix}Uniqueid`, c.uniqueid],
    [`${prefix}Linkedid`, c.linkedid],
  ];
}

/** Channel names and unique ids the way Asterisk makes them: `PJSIP/201-0000000a`, `<epoch>.<n>`. */
export class ChannelNames {
  private seq = 0;
  private readonly epoch = Math.floor(Date.now() / 1000);

  next(endpoint: string, tech = 'PJSIP'): { name: string; uniqueid: string } {
    const n = this.seq++;
    return { name: `${tech}/${endpoint}-${n.toString(16).padStart(8, '0')}`, uniqueid: `${this.epoch}.${n}` };
  }

  /** The two halves of a Local channel, `Local/<exten>@<context>-<8 hex>;1` and `;2`, each with its own unique id. */
  nextLocal(exten: string, context: string): [{ name: string; uniqueid: string }, { name: string; uniqueid: string }] {
    const n = this.seq++;
    const base = `Local/${exten}@${context}-${n.toString(16).padStart(8, '0')}`;
    const m = this.seq++;
    return [{ name: `${base};1`, uniqueid: `${this.epoch}.${n}` }, { name: `${base};2`, uniqueid: `${this.epoch}.${m}` }];
  }
}
