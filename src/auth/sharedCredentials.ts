import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { generateAccessKey } from './identities.js';

export const ADMIN_PROFILE = 'cove';

export interface AdminKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** IAM's rules for an access key ID (1-128 word characters, looser than AWS's 16 minimum so `dummy` works) and a secret without spaces. */
const ADMIN_KEY = /^(\w{1,128}):(\S{1,128})$/;

/** `--admin-key` / COVE_ADMIN_KEY: `ID:SECRET`, or undefined when it is not of that form. */
export function parseAdminKey(text: string): AdminKey | undefined {
  const match = ADMIN_KEY.exec(text);
  return match ? { accessKeyId: match[1], secretAccessKey: match[2] } : undefined;
}

/**
 * The default admin key lives in `<data>/credentials`, in the AWS shared
 * credentials file format, so the AWS CLI and SDKs use it as a profile. It is
 * generated on first start and read back afterwards.
 */
export function loadOrCreateAdminKey(file: string, region: string, fixed?: AdminKey): AdminKey & { created: boolean } {
  if (existsSync(file)) {
    const profile = readProfile(readFileSync(file, 'utf8'), ADMIN_PROFILE);
    if (profile.aws_access_key_id && profile.aws_secret_access_key) {
      const stored = { accessKeyId: profile.aws_access_key_id, secretAccessKey: profile.aws_secret_access_key };
      if (!fixed || (fixed.accessKeyId === stored.accessKeyId && fixed.secretAccessKey === stored.secretAccessKey)) return { ...stored, created: false };
    }
  }
  // A fixed key (--admin-key) replaces the profile, so that the file always holds the key in use.
  const key = fixed ?? generateAccessKey();
  const text = [
    `[${ADMIN_PROFILE}]`,
    `aws_access_key_id = ${key.accessKeyId}`,
    `aws_secret_access_key = ${key.secretAccessKey}`,
    // botocore merges credentials-file profiles into its config, so this spares users --region.
    `region = ${region}`,
    '',
  ].join('\n');
  writeFileSync(file, text, { mode: 0o600 });
  return { ...key, created: true };
}

function readProfile(text: string, name: string): Record<string, string> {
  const values: Record<string, string> = {};
  let inProfile = false;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      inProfile = section[1].trim() === name;
      continue;
    }
    const eq = line.indexOf('=');
    if (inProfile && eq > 0) values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return values;
}
