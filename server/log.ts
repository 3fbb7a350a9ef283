import pino from 'pino';

/**
 * Personal data (ID numbers, phones, addresses, passwords) must never reach a log line.
 * Redaction is by key name, so any object that carries these fields is safe to log.
 */
const REDACT = [
  'password', '*.password', 'newPassword', '*.newPassword',
  'idNumber', '*.idNumber', 'phone', '*.phone', 'email', '*.email', 'address', '*.address',
  'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie',
];

export type Logger = pino.Logger;

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { pid: process.pid } });
}
