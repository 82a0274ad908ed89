/**
 * A SigV4 signer written the way an AWS SDK signs a DynamoDB call (node:crypto only), and the
 * raw HTTP/1.1 request bytes it produces. The load generator pre-signs pools of these requests
 * (see load.ts); every request carries its own signature, computed over its own body.
 *
 * Headers sent and signed are those @aws-sdk/client-dynamodb v3 signs: amz-sdk-invocation-id,
 * amz-sdk-request, content-length, content-type, host, x-amz-date, x-amz-target,
 * x-amz-user-agent (user-agent is sent but, as in the SDK, not signed). The derived signing key
 * is cached per day, as the SDK does.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const SERVICE = 'dynamodb';
const USER_AGENT = 'aws-sdk-js/3.1162.0 ua/2.1 os/linux lang/js md/nodejs#20 api/dynamodb#3.1162.0 m/E';

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `20240102T030405Z` for a time in ms. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export class Signer {
  private keyDate = '';
  private key: Buffer = Buffer.alloc(0);

  constructor(readonly credentials: Credentials, readonly host: string) {}

  private signingKey(dateStamp: string): Buffer {
    if (dateStamp !== this.keyDate) {
      const kDate = hmac('AWS4' + this.credentials.secretAccessKey, dateStamp);
      this.key = hmac(hmac(hmac(kDate, this.credentials.region), SERVICE), 'aws4_request');
      this.keyDate = dateStamp;
    }
    return this.key;
  }

  /** Signed headers (lower-case names) for a DynamoDB JSON call. */
  sign(target: string, body: Buffer, nowMs = Date.now()): Record<string, string> {
    const date = amzDate(nowMs);
    const dateStamp = date.slice(0, 8);
    const signed: Record<string, string> = {
      'amz-sdk-invocation-id': randomUUID(),
      'amz-sdk-request': 'attempt=1; max=3',
      'content-length': String(body.length),
      'content-type': 'application/x-amz-json-1.0',
      host: this.host,
      'x-amz-date': date,
      'x-amz-target': `DynamoDB_20120810.${target}`,
      'x-amz-user-agent': 'aws-sdk-js/3.1162.0',
    };
    const names = Object.keys(signed).sort();
    const canonical = ['POST', '/', '', ...names.map((n) => `${n}:${signed[n]}`), '', names.join(';'), sha256Hex(body)].join('\n');
    const scope = `${dateStamp}/${this.credentials.region}/${SERVICE}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonical)].join('\n');
    const signature = createHmac('sha256', this.signingKey(dateStamp)).update(stringToSign, 'utf8').digest('hex');
    return {
      ...signed,
      'user-agent': USER_AGENT,
      authorization: `AWS4-HMAC-SHA256 Credential=${this.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
    };
  }

  /** The complete HTTP/1.1 request (keep-alive) as bytes, ready to be written to a socket. */
  rawRequest(target: string, body: Buffer, nowMs = Date.now()): Buffer {
    const headers = this.sign(target, body, nowMs);
    let head = 'POST / HTTP/1.1\r\n';
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    head += 'connection: keep-alive\r\n\r\n';
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  }
}
