/**
 * cove's TLS policy: which protocol versions and cipher suites a TLS listener offers.
 *
 * Only forward-secret key exchange (ECDHE in TLS 1.2 and below; every TLS 1.3 suite is), TLS 1.3
 * always on, the server's order of preference. A listener's `ciphers:` is a list of suite
 * names, each checked against the table below: OpenSSL's cipher-string language (`HIGH`,
 * `!aNULL`, `+RSA`, `@STRENGTH`) cannot be expanded from Node without running `openssl ciphers`,
 * so cove refuses it rather than guess what a string would allow.
 */
import { constants } from 'node:crypto';
import type { SecureContextOptions, TlsOptions } from 'node:tls';

export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

export const DEFAULT_MIN_VERSION: TlsVersion = 'TLSv1.2';

/** TLS 1.3's suites (OpenSSL's defaults): all forward-secret by the protocol's design. */
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/** TLS 1.2 AEAD suites with ECDHE: the default list, in the server's order of preference. */
const MODERN_SUITES = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

/** ECDHE with CBC: the only forward-secret suites TLS 1.0 and 1.1 clients have; added when such a version is allowed. */
const LEGACY_SUITES = ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA'];

/** Every suite a listener may name in `ciphers:`: ECDHE key exchange only. */
export const FORWARD_SECRET_SUITES: ReadonlySet<string> = new Set([
  ...MODERN_SUITES,
  ...LEGACY_SUITES,
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
]);

/** Why a configured suite name is refused, or undefined when it is an allowed forward-secret suite. */
export function suiteRefusal(name: string): string | undefined {
  if (FORWARD_SECRET_SUITES.has(name)) return undefined;
  if (TLS13_SUITES.includes(name)) return `${name} is a TLS 1.3 suite: TLS 1.3 is always on with all of its suites; list TLS 1.2 suites only`;
  if (/[!+:@\s]|^(ALL|HIGH|MEDIUM|LOW|DEFAULT|COMPLEMENTOFDEFAULT)$/.test(name)) {
    return `"${name}" is OpenSSL cipher-string syntax; list suite names one by one (allowed: ${[...FORWARD_SECRET_SUITES].join(', ')})`;
  }
  if (/^(DHE|EDH)-/.test(name)) return `${name} uses finite-field DHE; cove offers ECDHE key exchange only`;
  return `${name} is not a forward-secret suite (static RSA, PSK or unknown key exchange): cove serves ECDHE suites only (${[...FORWARD_SECRET_SUITES].join(', ')})`;
}

/** A TLS listener's policy, as cove.yaml gives it. */
export interface TlsPolicy {
  minVersion: TlsVersion;
  /** TLS 1.2-and-below suites, in order of preference; absent = cove's default list. */
  ciphers?: readonly string[];
}

/** Whether the policy lets TLS 1.0 or 1.1 clients in (the operator's explicit opt-in). */
export function allowsLegacyVersions(policy: TlsPolicy): boolean {
  return policy.minVersion === 'TLSv1' || policy.minVersion === 'TLSv1.1';
}

/**
 * The cipher string for OpenSSL: TLS 1.3 suites, then the TLS 1.2 list. With TLS 1.0/1.1
 * allowed, OpenSSL 3 refuses those versions at its default security level 1 whatever the
 * suites (their handshake signs with SHA-1 and MD5), so `@SECLEVEL=0` comes with the opt-in.
 */
export function cipherString(policy: TlsPolicy): string {
  const legacy = allowsLegacyVersions(policy);
  const suites = policy.ciphers ?? (legacy ? [...MODERN_SUITES, ...LEGACY_SUITES] : MODERN_SUITES);
  return [...TLS13_SUITES, ...suites, ...(legacy ? ['@SECLEVEL=0'] : [])].join(':');
}

/** The options of a TLS server with this policy (the certificate and key come separately, and are reloaded). */
export function tlsServerOptions(policy: TlsPolicy): TlsOptions & SecureContextOptions {
  return {
    minVersion: policy.minVersion,
    maxVersion: 'TLSv1.3',
    ciphers: cipherString(policy),
    honorCipherOrder: true,
    // No session tickets: a ticket key that lives as long as the process would let one stolen
    // key decrypt every session resumed with it, undoing forward secrecy.
    secureOptions: constants.SSL_OP_NO_TICKET,
  };
}
