/**
 * A TLS listener's certificate: read from its files, served with the listener's policy, and
 * replaced without a restart when the files change (checked every
 * SERVER_LIMITS.certificateCheckIntervalMs by their modification time and size: fs.watch misses
 * a file replaced by rename, which is how certificate tools write them).
 */
import { readFileSync, statSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { SERVER_LIMITS } from './limits.js';
import { tlsServerOptions, type TlsPolicy } from './tlsPolicy.js';

/** What a TLS listener serves: its policy and the files of its certificate and key. */
export interface TlsSettings {
  policy: TlsPolicy;
  certFile: string;
  keyFile: string;
}

/** The server-side handle the watcher swaps contexts into (node:tls's Server.setSecureContext). */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

/** The policy with the certificate and key as the files hold them now. */
export function secureContextOptions(settings: TlsSettings): SecureContextOptions {
  return { ...tlsServerOptions(settings.policy), cert: readFileSync(settings.certFile), key: readFileSync(settings.keyFile) };
}

/**
 * Watches the certificate and key files; on a change, the next connections get the new
 * certificate (those open keep theirs). A pair that does not load (a half-written or mismatched
 * key) keeps the one in force, and is tried again at the next change.
 */
export class CertificateWatcher {
  private readonly timer: NodeJS.Timeout;
  private fingerprint: string;

  constructor(
    private readonly settings: TlsSettings,
    private readonly target: SecureContextTarget,
    private readonly log: (line: string) => void,
  ) {
    this.fingerprint = this.currentFingerprint();
    this.timer = setInterval(() => this.check(), SERVER_LIMITS.certificateCheckIntervalMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const now = this.currentFingerprint();
    if (now === this.fingerprint) return;
    try {
      this.target.setSecureContext(secureContextOptions(this.settings));
      this.fingerprint = now;
      this.log(`cove: reloaded the TLS certificate ${this.settings.certFile}`);
    } catch (error) {
      this.log(`cove: the TLS certificate ${this.settings.certFile} did not load; the one in force stays: ${(error as Error).message}`);
      this.fingerprint = now;
    }
  }

  private currentFingerprint(): string {
    return [this.settings.certFile, this.settings.keyFile]
      .map((file) => {
        try {
          const stat = statSync(file);
          return `${stat.mtimeMs}/${stat.size}/${stat.ino}`;
        } catch {
          return 'missing';
        }
      })
      .join(' ');
  }
}
