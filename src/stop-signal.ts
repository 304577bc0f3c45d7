/** SIGTERM/SIGINT, listened to from the start so an early signal still shuts a daemon down cleanly. */
export const STOP = Symbol('stop');

/** What a daemon awaits: `received` resolves on the first SIGTERM or SIGINT; `name()` says which. */
export interface StopSignal {
  readonly received: Promise<typeof STOP>;
  name(): string;
}

export function listenForStop(): StopSignal {
  let name = '';
  const received = new Promise<typeof STOP>((resolve) => {
    const handler = (signal: string) => {
      name = signal;
      resolve(STOP);
    };
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
  });
  return { received, name: () => name };
}
