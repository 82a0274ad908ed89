/**
 * The ceiling: a bare node:http server that reads the whole request body and answers a fixed,
 * DynamoDB-shaped JSON reply (the one for the request's X-Amz-Target, precomputed, with the
 * headers DynamoDB sends). No parsing, no auth, no storage: the most a Node HTTP server does on
 * this machine. `node dist/bench/ceiling.js PORT PROCESSES [TLS_PORT CERT KEY]` — with
 * PROCESSES > 1 it forks that many node:cluster workers sharing the port, to match a
 * multi-process cove; with TLS_PORT it also serves HTTPS there, with that certificate and
 * cove's TLS policy (src/server/tlsPolicy.ts), so the HTTPS workload compares like with like.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tlsServerOptions } from '../src/server/tlsPolicy.js';
import { crc32 } from 'node:zlib';
import { ceilingReplies } from './workloads.js';

const port = Number(process.argv[2] ?? 0);
const processes = Math.max(1, Number(process.argv[3] ?? 1));
const tlsPort = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const [certFile, keyFile] = [process.argv[5], process.argv[6]];

function serve(): void {
  const replies = new Map<string, { body: Buffer; headers: Record<string, string | number> }>();
  for (const [operation, body] of Object.entries(ceilingReplies())) {
    replies.set(`DynamoDB_20120810.${operation}`, {
      body,
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'Content-Length': body.length,
        'x-amzn-RequestId': 'CEILING0000000000000000000000000000000000000000000000',
        'x-amz-crc32': String(crc32(body)),
      },
    });
  }
  const fallback = replies.get('DynamoDB_20120810.PutItem')!;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      Buffer.concat(chunks);
      const reply = replies.get(String(req.headers['x-amz-target'])) ?? fallback;
      res.writeHead(200, reply.headers);
      res.end(reply.body);
    });
  };
  const server = createServer({ keepAlive: true }, handler);
  server.keepAliveTimeout = 60_000;
  if (tlsPort !== undefined) {
    const secure = createHttpsServer({ keepAlive: true, ...tlsServerOptions({ minVersion: 'TLSv1.2' }), cert: readFileSync(certFile), key: readFileSync(keyFile) }, handler);
    secure.keepAliveTimeout = 60_000;
    secure.listen(tlsPort, '127.0.0.1');
  }
  server.listen(port, '127.0.0.1', () => {
    const address = server.address();
    if (cluster.isPrimary) console.log(`ceiling listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`);
    else process.send?.('listening');
  });
}

if (processes === 1) {
  serve();
} else if (cluster.isPrimary) {
  let ready = 0;
  for (let i = 0; i < processes; i++) {
    const worker = cluster.fork();
    worker.on('message', (message) => {
      if (message === 'listening' && ++ready === processes) console.log(`ceiling listening on http://127.0.0.1:${port} (${processes} processes)`);
    });
  }
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} else {
  // A worker whose primary is gone must not linger.
  process.on('disconnect', () => process.exit(0));
  serve();
}
