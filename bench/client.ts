/**
 * A minimal keep-alive HTTP/1.1 client over node:net: one request in flight per connection,
 * requests written as pre-built bytes, responses framed by Content-Length or chunked encoding.
 * It costs the load generator far less CPU than node:http's client, so on this 2-core machine
 * the servers, not the load generator, set the pace (as with wrk or autocannon).
 */
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

export interface Response {
  status: number;
  body: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');

export class Connection {
  private socket: Socket | undefined;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private pending: { resolve: (r: Response) => void; reject: (e: Error) => void } | undefined;
  private closed = false;

  /** With `ca`, the connection is TLS (verified against that CA, as `localhost`). */
  constructor(readonly port: number, readonly host = '127.0.0.1', readonly ca?: Buffer) {}

  private open(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = this.ca ? connectTls({ port: this.port, host: this.host, servername: 'localhost', ca: this.ca }).setNoDelay(true) : connect({ port: this.port, host: this.host, noDelay: true });
      socket.once(this.ca ? 'secureConnect' : 'connect', () => resolve(socket));
      socket.once('error', (error) => {
        reject(error);
        this.fail(error);
      });
      socket.on('data', (data: Buffer) => this.onData(data));
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        this.fail(new Error('connection closed by the server'));
      });
    });
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    this.chunks = [];
    this.buffered = 0;
    pending?.reject(error);
  }

  /** Sends one request (raw bytes) and resolves with the response. */
  async send(request: Buffer): Promise<Response> {
    if (this.closed) throw new Error('connection closed');
    if (this.socket === undefined || this.socket.destroyed) this.socket = await this.open();
    return new Promise<Response>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket!.write(request);
    });
  }

  private onData(data: Buffer): void {
    this.chunks.push(data);
    this.buffered += data.length;
    const buffer = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [buffer];
    const headerEnd = buffer.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = buffer.toString('latin1', 0, headerEnd);
    const status = Number(head.slice(9, 12));
    const bodyStart = headerEnd + 4;
    const lengthMatch = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
    let body: Buffer;
    let consumed: number;
    if (lengthMatch) {
      const length = Number(lengthMatch[1]);
      if (buffer.length < bodyStart + length) return;
      body = buffer.subarray(bodyStart, bodyStart + length);
      consumed = bodyStart + length;
    } else if (/\r\ntransfer-encoding:[ \t]*chunked/i.test(head)) {
      const parts: Buffer[] = [];
      let at = bodyStart;
      for (;;) {
        const lineEnd = buffer.indexOf('\r\n', at);
        if (lineEnd < 0) return;
        const size = parseInt(buffer.toString('latin1', at, lineEnd), 16);
        if (size === 0) {
          const trailerEnd = buffer.indexOf(HEADER_END, lineEnd);
          if (trailerEnd < 0 && buffer.length < lineEnd + 4) return;
          consumed = trailerEnd < 0 ? lineEnd + 4 : trailerEnd + 4;
          break;
        }
        if (buffer.length < lineEnd + 2 + size + 2) return;
        parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      body = Buffer.alloc(0);
      consumed = bodyStart;
    }
    const rest = buffer.length - consumed;
    this.chunks = rest > 0 ? [buffer.subarray(consumed)] : [];
    this.buffered = rest;
    const pending = this.pending;
    this.pending = undefined;
    if (/\r\nconnection:[ \t]*close/i.test(head)) {
      this.socket?.destroy();
      this.socket = undefined;
    }
    pending?.resolve({ status, body });
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.socket = undefined;
  }
}
