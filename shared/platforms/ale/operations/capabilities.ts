/**
 * Capability checks before a call operation is sent, so a node can say "this call cannot be transferred"
 * instead of surfacing a raw 403. The tracker keeps the call-level capabilities ALE reports
 * (`callData.capabilities`, the keys that are `true`); leg capabilities (answer, hold...) are not tracked,
 * so operations that depend on them are left for the PBX to judge.
 */
import { PbxError } from '../../../errors';
import type { CallInfo } from '../../../model/events';
import { operationSpec } from '../../../operations/catalogue';

/** Catalogue operation -> the ALE `CallCapabilities` flag(s) that allow it (any of them). */
const CALL_LEVEL: Record<string, readonly string[]> = {
  hangUp: ['dropMe', 'terminate'],
  transfer: ['transfer'],
  blindTransfer: ['blindTransfer', 'transfer'],
  redirect: ['redirect'],
  sendToVoicemail: ['redirectToVoiceMail'],
  conference: ['merge'],
  addParticipant: ['addParticipant'],
  park: ['park'],
};

/**
 * Refuses with NOT_ALLOWED when the call's capabilities are known and do not include the operation.
 * Unknown call or unknown capabilities: let the PBX decide.
 */
export function checkCallCapability(op: string, call: CallInfo | undefined): void {
  const spec = operationSpec(op);
  if (!spec?.callCapability || !call?.capabilities?.length) return;
  const flags = CALL_LEVEL[op];
  if (!flags) return;
  if (flags.some((f) => call.capabilities!.includes(f))) return;
  throw new PbxError(
    'NOT_ALLOWED',
    `${spec.displayName} is not possible on call ${call.id} now: the PBX does not offer "${flags[0]}" on it ` +
      `(it offers: ${call.capabilities.join(', ')})`,
  );
}
