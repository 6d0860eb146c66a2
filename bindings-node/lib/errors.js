'use strict';
// The errors narvar throws: `NarvarError` and one subclass per stable code of the core's error
// enum, each with every field the core gives (code, status, requestId, tracerId, messages,
// fieldErrors, retryAfter, mayHaveBeenSent, operation, attempts, headers).

/** Base of every narvar error. */
class NarvarError extends Error {
  constructor(message, fields = {}) {
    super(message);
    this.name = new.target.name;
    this.code = new.target.code ?? fields.code ?? 'unknown';
    this.status = fields.status ?? null;
    this.requestId = fields.requestId ?? null;
    this.tracerId = fields.tracerId ?? null;
    this.messages = fields.messages ?? [];
    this.fieldErrors = fields.fieldErrors ?? [];
    this.retryAfter = fields.retryAfter ?? null;
    this.mayHaveBeenSent = fields.mayHaveBeenSent ?? null;
    this.operation = fields.operation ?? null;
    this.attempts = fields.attempts ?? 0;
    // Response headers: kept, but not enumerable, so logging an error stays short.
    Object.defineProperty(this, 'headers', { value: fields.headers ?? {}, enumerable: false, writable: true });
  }
}

// One subclass per stable code of the core's `ErrorCode` (the test suite checks the list
// against the core's); what each means is documented in index.d.ts.
const SUBCLASSES = {
  ValidationError: 'validation',
  AuthenticationError: 'authentication',
  PermissionError: 'permission',
  NotFoundError: 'not_found',
  ConflictError: 'conflict',
  RateLimitError: 'rate_limited',
  ServerError: 'server',
  TransportError: 'transport',
  DecodeError: 'decode',
  ConfigurationError: 'configuration',
};
const CLASSES = Object.entries(SUBCLASSES).map(([name, code]) => {
  const Class = { [name]: class extends NarvarError {} }[name];
  Class.code = code;
  return Class;
});
const BY_CODE = new Map(CLASSES.map((c) => [c.code, c]));

/** The error for the core's error (its JSON form). */
function fromCore(core) {
  const meta = core.meta ?? {};
  const Class = BY_CODE.get(core.code) ?? NarvarError;
  return new Class(core.message ?? '', {
    code: core.code,
    status: meta.status,
    requestId: meta.request_id,
    tracerId: meta.tracer_id,
    messages: core.messages ?? [],
    fieldErrors: (core.field_errors ?? []).map((f) => ({ path: f.path, rule: f.rule, message: f.message })),
    retryAfter: core.retry_after,
    mayHaveBeenSent: core.may_have_been_sent,
    operation: core.operation,
    attempts: meta.attempts ?? 0,
    headers: Object.fromEntries(meta.headers ?? []),
  });
}

/**
 * Rethrows what the native half threw as the class users catch: a core error becomes its
 * subclass (with the caller's stack); anything else passes through.
 */
function translate(e) {
  if (e && typeof e.narvar === 'string') return fromCore(JSON.parse(e.narvar));
  return e;
}

/** The rejection of an aborted call: an `AbortError`, the signal's reason as its `cause`. */
function abortError(signal) {
  const reason = signal?.reason;
  const e = new Error('The call was aborted.', reason === undefined ? undefined : { cause: reason });
  e.name = 'AbortError';
  e.code = 'ABORT_ERR';
  return e;
}

module.exports = { NarvarError, ...Object.fromEntries(CLASSES.map((c) => [c.name, c])), fromCore, translate, abortError };
