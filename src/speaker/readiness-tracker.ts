// The shell of readiness (issue 11): evaluates the pure reasons, logs each change, keeps the
// ferrolb_speaker_ready / ferrolb_speaker_not_ready metrics current.
import type { Logger } from '../log.js';
import { gauge } from '../metrics/registry.js';
import { NOT_READY_MESSAGES, NOT_READY_REASONS, notReadyReasons, type ReadinessInputs } from './readiness.js';

/** Evaluates readiness on demand, logs every change of reasons and keeps the metrics current. */
export class ReadinessTracker {
  #last: string | undefined;

  constructor(
    private readonly inputs: () => ReadinessInputs,
    private readonly logger: Logger,
  ) {}

  /** Whether the speaker is Ready now. */
  isReady(): boolean {
    const reasons = notReadyReasons(this.inputs());
    gauge('speakerReady').set(reasons.length === 0 ? 1 : 0);
    for (const reason of NOT_READY_REASONS)
      gauge('speakerNotReady').set({ reason }, reasons.includes(reason) ? 1 : 0);
    const key = reasons.join(',');
    if (key !== this.#last) {
      this.#last = key;
      if (reasons.length === 0) this.logger.info('speaker Ready');
      else
        this.logger.warn(
          { reasons, details: reasons.map((reason) => NOT_READY_MESSAGES[reason]) },
          `speaker not Ready: ${reasons.join(', ')}`,
        );
    }
    return reasons.length === 0;
  }
}
