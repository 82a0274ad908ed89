import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { generateAccessKey } from './identities.js';

export const ADMIN_PROFILE = 'cove';

/**
 * The default admin key lives in `<data>/credentials`, in the AWS shared
 * credentials file format, so the AWS CLI and SDKs use it as a profile. It is
 * generated on first start and read back afterwards.
 */
export function loadOrCreateAdminKey(file: string, region: string): { accessKeyId: string; secretAccessKey: string; created: boolean } {
  if (existsSync(file)) {
    const profile = readProfile(readFileSync(file, 'utf8'), ADMIN_PROFILE);
    if (profile.aws_access_key_id && profile.aws_secret_access_key) {
      return { accessKeyId: profile.aws_access_key_id, secretAccessKey: profile.aws_secret_access_key, created: false };
    }
  }
  const key = generateAccessKey();
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
