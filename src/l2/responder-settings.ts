// Process-wide settings of the addon's responder threads, applied once when the data plane starts:
// their scheduling priority and each socket's reply token bucket (issue 12 #11). I/O shell.
import { LAYER2_REPLY_BURST, LAYER2_REPLY_RATE_PER_SECOND } from '../config/defaults.js';
import type { Logger } from '../log.js';
import { setReplyRateLimit, setResponderPriority } from './native.js';

/** What to apply; absent fields keep the defaults (normal scheduling, LAYER2_REPLY_*). */
export interface ResponderSettings {
  readonly responderPriority?: number;
  readonly replyRateLimit?: { readonly perSecond: number; readonly burst: number };
}

/** The addon calls, replaceable in unit tests. */
export interface ResponderSeams {
  readonly setPriority?: (priority: number) => void;
  readonly setReplyRateLimit?: (perSecond: number, burst: number) => void;
}

/** Applies both settings; a priority the process may not take is a warning, never a failure. */
export function applyResponderSettings(
  settings: ResponderSettings,
  seams: ResponderSeams,
  logger: Logger,
): void {
  const limit = settings.replyRateLimit ?? {
    perSecond: LAYER2_REPLY_RATE_PER_SECOND,
    burst: LAYER2_REPLY_BURST,
  };
  (seams.setReplyRateLimit ?? setReplyRateLimit)(limit.perSecond, limit.burst);
  const priority = settings.responderPriority ?? 0;
  if (priority === 0) return;
  try {
    (seams.setPriority ?? setResponderPriority)(priority);
    logger.info({ priority }, 'layer-2 responder threads run under SCHED_FIFO');
  } catch (error) {
    logger.warn(
      { priority, err: error },
      'cannot raise the responder priority (CAP_SYS_NICE?); normal scheduling',
    );
  }
}
