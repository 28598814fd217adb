import type { EndReason } from '../model/events';
import type { Cause } from '../model/observations';

/** Why a call ended for one user, from whether they answered and the platform's last cause. */
export function endReasonOf(answered: boolean, cause: Cause | undefined): EndReason {
  switch (cause) {
    case 'transferred': return 'transferred';
    case 'redirected': return 'redirected';
    case 'voicemail': return 'voicemail';
    default: break;
  }
  if (answered) return 'completed';
  switch (cause) {
    case 'busy': return 'busy';
    case 'rejected': return 'rejected';
    case 'no_answer': return 'no_answer';
    case 'picked_up': return 'answered_elsewhere';
    case 'failed': return 'failed';
    default: return 'abandoned';
  }
}
