/**
 * `tls: auto`: a local certificate authority and one server certificate per listener, made on
 * first start and kept in the data directory:
 *
 *   DATA/tls/ca.pem              the CA certificate (what clients trust: `cove cert ca` prints its path)
 *   DATA/tls/ca-key.pem          its key (0600)
 *   DATA/tls/LISTENER.pem        the listener's certificate, signed by the CA
 *   DATA/tls/LISTENER-key.pem    its key (0600)
 *
 * Reused on restart while the certificate still names every host the listener needs, is signed
 * by the CA on disk and is not near its end; otherwise reissued. Keys are RSA 2048, made by
 * node:crypto (forge's own key generation is pure JavaScript and takes seconds); the
 * certificates are built and signed with node-forge, which signs with RSA only.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';

const CA_VALIDITY_DAYS = 3650;
/** Apple's platforms refuse TLS server certificates valid for more than 825 days. */
const SERVER_VALIDITY_DAYS = 825;
/** A certificate this close to its end is reissued at start. */
const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

export interface CertificatePaths {
  cert: string;
  key: string;
}

export function tlsDirectory(dataDirectory: string): string {
  return join(dataDirectory, 'tls');
}

export function caPaths(dataDirectory: string): CertificatePaths {
  const dir = tlsDirectory(dataDirectory);
  return { cert: join(dir, 'ca.pem'), key: join(dir, 'ca-key.pem') };
}

export function listenerCertificatePaths(dataDirectory: string, listener: string): CertificatePaths {
  const dir = tlsDirectory(dataDirectory);
  return { cert: join(dir, `${listener}.pem`), key: join(dir, `${listener}-key.pem`) };
}

/**
 * The names a listener's certificate carries: the loopback names, the host it binds (unless a
 * wildcard address), and the AWS hostnames of the services cove serves, so a client that
 * resolves `dynamodb.REGION.amazonaws.com` to cove verifies it.
 */
export function listenerHostNames(host: string, region: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1', `dynamodb.${region}.amazonaws.com`, `streams.dynamodb.${region}.amazonaws.com`, `sts.${region}.amazonaws.com`, 'sts.amazonaws.com', 'iam.amazonaws.com'];
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare !== '0.0.0.0' && bare !== '::' && !names.includes(bare)) names.push(bare);
  return names;
}

/** The CA's paths, creating the CA if the data directory has none. */
export function ensureCertificateAuthority(dataDirectory: string): CertificatePaths {
  const paths = caPaths(dataDirectory);
  if (existsSync(paths.cert) && existsSync(paths.key)) return paths;
  mkdirSync(tlsDirectory(dataDirectory), { recursive: true, mode: 0o700 });
  const keys = rsaKeyPair();
  const cert = newCertificate(keys.publicKey, CA_VALIDITY_DAYS);
  const subject = [{ name: 'commonName', value: `cove local CA ${cert.serialNumber.slice(0, 8)}` }, { name: 'organizationName', value: 'cove' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true, pathLenConstraint: 0 },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  writeKeyAndCertificate(paths, keys.privateKey, cert);
  return paths;
}

/** A listener's certificate and key paths, issuing (or reissuing) its certificate when needed. */
export function ensureListenerCertificate(dataDirectory: string, listener: string, hostNames: readonly string[], nowMs = Date.now()): CertificatePaths {
  const caFiles = ensureCertificateAuthority(dataDirectory);
  const ca = forge.pki.certificateFromPem(readFileSync(caFiles.cert, 'utf8'));
  const paths = listenerCertificatePaths(dataDirectory, listener);
  if (existsSync(paths.cert) && existsSync(paths.key) && stillGood(paths.cert, ca, hostNames, nowMs)) return paths;
  const caKey = forge.pki.privateKeyFromPem(readFileSync(caFiles.key, 'utf8'));
  const keys = rsaKeyPair();
  const cert = newCertificate(keys.publicKey, SERVER_VALIDITY_DAYS);
  cert.setSubject([{ name: 'commonName', value: hostNames[0] ?? 'localhost' }, { name: 'organizationName', value: 'cove' }]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hostNames.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })) },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  writeKeyAndCertificate(paths, keys.privateKey, cert);
  return paths;
}

/** Signed by this CA, naming every host, and not within RENEW_BEFORE_DAYS of its end. */
function stillGood(certFile: string, ca: forge.pki.Certificate, hostNames: readonly string[], nowMs: number): boolean {
  try {
    const cert = forge.pki.certificateFromPem(readFileSync(certFile, 'utf8'));
    if (!ca.verify(cert)) return false;
    if (cert.validity.notAfter.getTime() - nowMs < RENEW_BEFORE_DAYS * DAY_MS) return false;
    const san = cert.getExtension('subjectAltName') as { altNames?: { value?: string; ip?: string }[] } | null;
    const named = new Set((san?.altNames ?? []).map((n) => n.ip ?? n.value));
    return hostNames.every((name) => named.has(name));
  } catch {
    return false; // unreadable or not a certificate: reissue
  }
}

function rsaKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return { publicKey: forge.pki.publicKeyFromPem(pair.publicKey) as forge.pki.rsa.PublicKey, privateKey: forge.pki.privateKeyFromPem(pair.privateKey) as forge.pki.rsa.PrivateKey };
}

function newCertificate(publicKey: forge.pki.rsa.PublicKey, validityDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial of 16 random bytes (the top bit cleared: DER integers are signed).
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  // An hour back: a client whose clock is a little behind still accepts it.
  cert.validity.notBefore = new Date(now - 3_600_000);
  cert.validity.notAfter = new Date(now + validityDays * DAY_MS);
  return cert;
}

/**
 * Key first (0600 from its creation), then the certificate, each written to a temporary file
 * and renamed: a process reading them (a worker, the reload watcher) never sees half a file.
 */
function writeKeyAndCertificate(paths: CertificatePaths, key: forge.pki.rsa.PrivateKey, cert: forge.pki.Certificate): void {
  writeAtomically(paths.key, forge.pki.privateKeyToPem(key), 0o600);
  writeAtomically(paths.cert, forge.pki.certificateToPem(cert), 0o644);
}

function writeAtomically(path: string, text: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  chmodSync(temporary, mode); // the umask may have narrowed the mode; never widened a key's
  renameSync(temporary, path);
}
