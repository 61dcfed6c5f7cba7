/**
 * The one error a socket step throws: a connect that failed, or a response head that never came.
 * Callers map it to a FailureCode themselves (the same code means different things: ECONNRESET
 * on connect is a reset path, while reading a proxy's answer it is a refusing proxy).
 */

/** `code` is the platform's (ECONNREFUSED, ECONNRESET…) or ours (EBADRESPONSE, ENOADDRESS);
 * `aborted` when the caller's deadline ended the step, whatever the code says. */
export class SocketError extends Error {
  readonly code: string;
  readonly aborted: boolean;
  constructor(code: string, message: string, aborted = false) {
    super(message);
    this.name = 'SocketError';
    this.code = code;
    this.aborted = aborted;
  }
}
