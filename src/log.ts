import pino from 'pino';

/** The process logger: pino JSON on stderr, level from FERROLB_LOG_LEVEL or `--log-level`. */
export const logger = pino(
  { level: process.env.FERROLB_LOG_LEVEL ?? 'info', base: { app: 'ferrolb' } },
  pino.destination({ fd: 2, sync: true }),
);
export type Logger = pino.Logger;

/** Changes the level of every logger derived from the process logger. */
export function setLogLevel(level: string): void {
  logger.level = level;
}
