'use strict';
// The `narvar` package (CommonJS; `index.mjs` re-exports these same objects for ES modules, so
// both entries share one class identity).

const errors = require('./lib/errors');
const { Client } = require('./lib/client');
const { Sandbox } = require('./lib/sandbox');
const { verifyWebhook } = require('./lib/webhooks');
const native = require('./lib/native');

/** The operations of the core's registry. */
function operations() {
  return JSON.parse(native.operations()).map(({ input_root: _root, ...info }) => info);
}

module.exports = {
  Client,
  Sandbox,
  verifyWebhook,
  operations,
  NarvarError: errors.NarvarError,
  ValidationError: errors.ValidationError,
  AuthenticationError: errors.AuthenticationError,
  PermissionError: errors.PermissionError,
  NotFoundError: errors.NotFoundError,
  ConflictError: errors.ConflictError,
  RateLimitError: errors.RateLimitError,
  ServerError: errors.ServerError,
  TransportError: errors.TransportError,
  DecodeError: errors.DecodeError,
  ConfigurationError: errors.ConfigurationError,
  version: native.version(),
};
