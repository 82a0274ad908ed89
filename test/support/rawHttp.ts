import { connect, type Socket } from 'node:net';

/** One HTTP/1.1 answer as it came on the wire (Content-Length framed). */
export interface RawReply {
  statusLine: string;
  status: number;
  /** Header names lower-cased. */
  headers: Map<string, string>;
  /** The headers as sent: names as the server spelled them, in its order. */
  headerList: [string, string][];
  body: string;
  bodyBytes: Buffer;
}

/**
 * A raw connection for tests that write HTTP themselves (pipelining, malformed requests,
 * slowloris): it parses the answers as they come; `closed` resolves with all of them once the
 * server closes the connection or `count` have arrived (then it closes it). Socket errors are
 * swallowed: a reset is either the test's own doing or the server's answer. `onReply` sees each
 * answer but the last (to send the next request only then, say).
 */
export function rawConnection(port: number, count = Infinity, onReply?: (reply: RawReply, socket: Socket) => void): { socket: Socket; replies: RawReply[]; closed: Promise<RawReply[]> } {
  const socket = connect(port, '127.0.0.1');
  const replies: RawReply[] = [];
  let buffered = Buffer.alloc(0);
  const closed = new Promise<RawReply[]>((resolve) => {
    const done = () => {
      socket.destroy();
      resolve(replies);
    };
    socket.on('error', () => {});
    socket.on('close', done);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [statusLine, ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
        const headerList = lines.map((line): [string, string] => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]);
        const headers = new Map(headerList.map(([name, value]): [string, string] => [name.toLowerCase(), value]));
        const length = Number(headers.get('content-length') ?? 0);
        if (buffered.length < end + 4 + length) return;
        const bodyBytes = buffered.subarray(end + 4, end + 4 + length);
        const reply = { statusLine, status: Number(statusLine.split(' ')[1]), headers, headerList, body: bodyBytes.toString('utf8'), bodyBytes };
        replies.push(reply);
        buffered = buffered.subarray(end + 4 + length);
        if (replies.length >= count) return done();
        onReply?.(reply, socket);
      }
    });
  });
  return { socket, replies, closed };
}
