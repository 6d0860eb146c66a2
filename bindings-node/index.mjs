// ES module entry: the CommonJS package's own objects, so `instanceof` holds across both.
import narvar from './index.js';

export const {
  Client, Sandbox, verifyWebhook, operations, NarvarError, ValidationError, AuthenticationError, PermissionError,
  NotFoundError, ConflictError, RateLimitError, ServerError, TransportError, DecodeError, ConfigurationError, version,
} = narvar;
export default narvar;
