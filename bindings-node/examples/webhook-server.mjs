// Receiving Narvar webhooks with Node's own `http`: read the raw body, verify, act.
//   NARVAR_WEBHOOK_SECRET=whsec_... node examples/webhook-server.mjs
import http from 'node:http';
import { verifyWebhook, NarvarError } from 'narvar';

const secret = process.env.NARVAR_WEBHOOK_SECRET ?? 'whsec_example';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      const webhook = verifyWebhook(Buffer.concat(chunks), req.headers, { secret });
      console.log('webhook', webhook.id, webhook.topic, webhook.event.kind);
      res.writeHead(204).end();
    } catch (e) {
      if (!(e instanceof NarvarError)) throw e;
      res.writeHead(e.code === 'authentication' ? 401 : 400).end(e.message);
    }
  });
});

server.listen(Number(process.env.PORT ?? 8787), '127.0.0.1', () => console.log('listening on', server.address()));
