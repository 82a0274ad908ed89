import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createOnce } from '../files/createOnce.js';
import { join } from 'node:path';
import type { StorageEngine } from '../storage/engine.js';
import { STS_SESSION_KEY_TAG } from '../storage/keyspace.js';

/**
 * STS session tokens that cove verifies without keeping them: a token is the session itself
 * (its key pair, expiry and who it acts as), sealed with AES-256-GCM under a key kept in the data
 * directory. A client cannot read, forge or alter one (the tag fails), a token of another cove
 * (another key) opens to nothing, and every worker and every restart opens the same tokens.
 */
export type SessionIdentity =
  /** GetSessionToken: the IAM user itself, for a while. `userId`: its unique ID, so a user deleted and created again under the name does not inherit the session. */
  | { kind: 'user'; userName: string; userId?: string }
  /** AssumeRole: a session of a role. */
  | {
      kind: 'role';
      roleName: string;
      /** The role's unique ID: a role deleted and created again under the name does not inherit the session. */
      roleId?: string;
      sessionName: string;
      /** Inline session policy, as the caller gave it (JSON text). */
      sessionPolicy?: string;
      /** Managed policies passed as session policies, by ARN. */
      sessionPolicyArns?: string[];
      /** Session tags: aws:PrincipalTag over the role's own tags. */
      tags?: Record<string, string>;
      sourceIdentity?: string;
    };

export interface SessionClaims {
  accessKeyId: string;
  secretAccessKey: string;
  issuedAtMs: number;
  expiresAtMs: number;
  identity: SessionIdentity;
}

const KEY_FILE = 'sts-session.key';
/** Where a shared store keeps the key (keyspace.ts). */
const STORE_KEY = Buffer.of(STS_SESSION_KEY_TAG);
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The first byte of every token: lets a later format be told apart. */
const FORMAT_VERSION = 1;

export class SessionTokens {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`a session token key is ${KEY_BYTES} bytes`);
  }

  /** The key of a data directory, created (mode 0600) by whichever process comes first. */
  static forDataDirectory(dataDirectory: string): SessionTokens {
    return new SessionTokens(loadOrCreateKey(join(dataDirectory, KEY_FILE)));
  }

  /**
   * The key of a store that several machines serve (PostgreSQL), so that a token one node sealed
   * opens on every other: kept in the store, put there by the first node to start (its data
   * directory's key, so that tokens it sealed before stay valid), read by the others in the
   * same batch.
   */
  static async forSharedStore(engine: StorageEngine, dataDirectory: string): Promise<SessionTokens> {
    const proposed = loadOrCreateKey(join(dataDirectory, KEY_FILE));
    const outcome = await engine.writeBatch([{ key: STORE_KEY, value: (current) => (current === undefined ? proposed : undefined) }]);
    if (!outcome.ok) throw new Error('the session key could not be stored');
    return new SessionTokens(outcome.previous[0] ?? proposed);
  }

  seal(claims: SessionClaims): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT_VERSION), iv, sealed, cipher.getAuthTag()]).toString('base64');
  }

  /** The session a token holds, or undefined for anything this cove did not seal, unaltered. */
  open(token: string): SessionClaims | undefined {
    const bytes = Buffer.from(token, 'base64');
    if (bytes.length < 1 + IV_BYTES + TAG_BYTES || bytes[0] !== FORMAT_VERSION || bytes.toString('base64') !== token) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(1, 1 + IV_BYTES));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const text = Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      return JSON.parse(text) as SessionClaims;
    } catch {
      return undefined;
    }
  }
}

/**
 * Reads the key, or creates it: written whole to a private temporary file, then linked into
 * place, so that of two processes starting at once one key wins and neither reads half of one.
 */
function loadOrCreateKey(path: string): Buffer {
  try {
    return readKey(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  createOnce(path, randomBytes(KEY_BYTES), 0o600);
  return readKey(path);
}

function readKey(path: string): Buffer {
  const key = readFileSync(path);
  if (key.length !== KEY_BYTES) throw new Error(`${path}: expected a ${KEY_BYTES}-byte session token key, found ${key.length} bytes`);
  return key;
}
