import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { hmacSha256HexLatin1 } from '../../src/auth/sigv4.js';

describe('HMAC-SHA256 from one-shot hashes', () => {
  it('equals createHmac for keys of every length class and byte-string messages, long ones included', () => {
    const messages = ['', 'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nabc', 'Ä\u00ff\u0100 latin1 and beyond', 'x'.repeat(40_000)];
    for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
      for (let round = 0; round < 3; round++) {
        const key = randomBytes(keyLength);
        for (const message of [...messages, randomBytes(300).toString('latin1')]) {
          assert.equal(hmacSha256HexLatin1(key, message), createHmac('sha256', key).update(message, 'latin1').digest('hex'), `key ${keyLength} bytes, message ${message.length} chars`);
        }
      }
    }
  });
});
