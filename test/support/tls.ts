import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { connect, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** An SDK v3 client over HTTPS that trusts only `caFile` (as a user following the README would). */
export function httpsClient(port: number, caFile: string, credentials: { accessKeyId: string; secretAccessKey: string }, agentOptions: ConstructorParameters<typeof Agent>[0] = {}): DynamoDBClient {
  const httpsAgent = new Agent({ ca: readFileSync(caFile), keepAlive: true, ...agentOptions });
  return new DynamoDBClient({ endpoint: `https://localhost:${port}`, region: 'us-east-1', credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler({ httpsAgent }) });
}

/** The certificate a TLS listener presents now, verified against `caFile`. */
export function peerCertificate(port: number, caFile: string, options: ConnectionOptions = {}): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(caFile), ...options }, () => {
      const certificate = socket.getPeerCertificate();
      socket.end();
      resolve(certificate);
    });
    socket.once('error', reject);
  });
}

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/** `openssl s_client` against a listener: what it negotiated, `(NONE)` when the handshake failed. */
export function opensslHandshake(port: number, args: string[]): { protocol: string; cipher: string; output: string } {
  const run = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args], { input: 'Q\n', encoding: 'utf8', timeout: 20_000 });
  const output = `${run.stdout}${run.stderr}`;
  // "New, V, Cipher is C" names the suite's version, not the session's: the session's is "Protocol  : V",
  // printed with the session's details (for TLS 1.3 only once a ticket came, and cove sends none).
  const negotiated = /New, (\S+), Cipher is (\S+)/.exec(output);
  const cipher = negotiated?.[2] ?? '(NONE)';
  const protocol = cipher === '(NONE)' ? '(NONE)' : (/^\s*Protocol\s*:\s*(\S+)/m.exec(output)?.[1] ?? negotiated![1]);
  return { protocol, cipher, output };
}
