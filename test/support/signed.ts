import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** A SHA-256 constructor in the shape @smithy/signature-v4 wants, from node:crypto. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export interface SignedCallOptions {
  endpoint: string;
  target: string;
  body: string | Buffer;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
  /** Override the signing clock. */
  signingDate?: Date;
  extraHeaders?: Record<string, string>;
  /** The scope's service; default `dynamodb`. */
  service?: string;
}

/** A Query-protocol request (STS, IAM): no target, the operation in a form body. */
export function queryCall(options: Omit<SignedCallOptions, 'target' | 'body'> & { parameters: Record<string, string> }): Promise<{ status: number; headers: Headers; body: string }> {
  const { parameters, ...rest } = options;
  return signedCall({ ...rest, target: '', body: new URLSearchParams(parameters).toString(), extraHeaders: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...options.extraHeaders } });
}

/** The headers AWS's own signer gives one DynamoDB request (host, content type, target, date, signature). */
export async function signedHeaders(options: SignedCallOptions): Promise<Record<string, string>> {
  const url = new URL(options.endpoint);
  const signer = new SignatureV4({
    service: options.service ?? 'dynamodb',
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    sha256: Sha256,
  });
  const request = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.0',
        ...(options.target ? { 'x-amz-target': options.target } : {}),
        ...options.extraHeaders,
      },
      body: options.body,
    },
    { signingDate: options.signingDate },
  );
  return request.headers as Record<string, string>;
}

/** POSTs one DynamoDB request signed by AWS's own signer and returns the raw response. */
export async function signedCall(options: SignedCallOptions): Promise<{ status: number; headers: Headers; body: string }> {
  const headers = await signedHeaders(options);
  const body = typeof options.body === 'string' ? options.body : new Uint8Array(options.body);
  const response = await fetch(options.endpoint, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** One signed request as raw HTTP/1.1 text, for tests that write to a socket themselves (pipelining). */
export async function signedRawRequest(options: SignedCallOptions & { body: string }): Promise<string> {
  const headers = await signedHeaders(options);
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `POST / HTTP/1.1\r\n${lines.join('\r\n')}\r\ncontent-length: ${Buffer.byteLength(options.body)}\r\n\r\n${options.body}`;
}
