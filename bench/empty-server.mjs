import Fastify from 'fastify';

// The HTTP ceiling (plain JavaScript, so it starts like any Node program): what Fastify on this machine does with no work behind the route.
const app = Fastify({ logger: false });
app.get('/empty', async () => ({ ok: true }));
app.post('/empty', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
