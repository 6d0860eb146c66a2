// Express-style middleware: verify before any JSON parser touches the body.
//   app.post('/narvar/webhooks', express.raw({ type: 'application/json' }), narvarWebhooks({ secret }), handler)
// Works with any framework that gives `req.body` as the raw Buffer (or no body parser at all).
import { verifyWebhook, NarvarError } from 'narvar';

/** Verifies the delivery and puts the typed event on `req.narvarWebhook`; answers 401/400 itself. */
export function narvarWebhooks(check) {
  return (req, res, next) => {
    const withBody = (raw) => {
      try {
        req.narvarWebhook = verifyWebhook(raw, req.headers, check);
        next();
      } catch (e) {
        if (!(e instanceof NarvarError)) return next(e);
        res.statusCode = e.code === 'authentication' ? 401 : 400;
        res.end(e.message);
      }
    };
    if (Buffer.isBuffer(req.body) || typeof req.body === 'string') return withBody(req.body);
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => withBody(Buffer.concat(chunks)));
  };
}
