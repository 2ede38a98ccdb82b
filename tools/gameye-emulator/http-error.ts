/** The emulator's one error type for answers it refuses. */

/** A failure the HTTP layer turns into Gameye's error envelope. */
export class EmulatorHttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details: string;
  constructor(statusCode: number, code: string, message: string, details = '') {
    super(message);
    this.name = 'EmulatorHttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }
}
