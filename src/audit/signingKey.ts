/**
 * The key pair that signs the digests: RSA 2048, the private key in the data directory (0600,
 * as the STS session key), created once per data directory. Its public half is what
 * ListPublicKeys answers and `cove audit validate` checks with: DER (PKCS#1 RSAPublicKey, as
 * CloudTrail's `Value`) and its fingerprint, the hex MD5 of those bytes.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createOnce } from '../files/createOnce.js';
import { dirname, join } from 'node:path';

const KEY_FILE = 'digest-signing-key.pem';
const RSA_MODULUS_BITS = 2048;

export interface DigestSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#1 DER, as ListPublicKeys' Value. */
  publicKeyDer: Buffer;
  /** Hex MD5 of `publicKeyDer`: the digests' digestPublicKeyFingerprint. */
  fingerprint: string;
  /** When the key was made: the start of its validity. */
  createdAtMs: number;
}

export function signingKeyPath(auditDirectory: string): string {
  return join(auditDirectory, KEY_FILE);
}

/** Creates the key pair unless it exists (exclusive create: two processes never make two). */
export function ensureSigningKey(auditDirectory: string): void {
  const path = signingKeyPath(auditDirectory);
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: RSA_MODULUS_BITS });
  createOnce(path, Buffer.from(String(privateKey.export({ type: 'pkcs8', format: 'pem' }))), 0o600);
}

export function loadSigningKey(auditDirectory: string): DigestSigningKey {
  const path = signingKeyPath(auditDirectory);
  const privateKey = createPrivateKey(readFileSync(path));
  return { privateKey, ...publicHalf(createPublicKey(privateKey)), createdAtMs: statSync(path).mtimeMs };
}

/** The public key as CloudTrail publishes it, from its DER. */
export function publicHalf(publicKey: KeyObject): { publicKey: KeyObject; publicKeyDer: Buffer; fingerprint: string } {
  const publicKeyDer = publicKey.export({ type: 'pkcs1', format: 'der' });
  return { publicKey, publicKeyDer, fingerprint: createHash('md5').update(publicKeyDer).digest('hex') };
}
