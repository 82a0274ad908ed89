import { closeSync, fsyncSync, linkSync, openSync, rmSync, writeSync } from 'node:fs';

/**
 * Creates `path` with `content` unless it exists, whole or not at all whatever kills the process:
 * written and fsynced under a temporary name, then linked to its name. link(2) fails if another
 * process got there first, and that process's file stands. For the data directory's keys (the STS
 * session key, the digest signing key): a crash must never leave a short key to start with.
 */
export function createOnce(path: string, content: Buffer, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}
