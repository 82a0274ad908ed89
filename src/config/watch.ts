import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export interface ConfigWatcher {
  /** Stops watching and waits for a reload under way. */
  close(): Promise<void>;
}

/** Editors write in bursts (truncate, write, rename): one reload per burst. */
const SETTLE_MS = 100;

/**
 * Calls `onChange` after `file` changes, one call at a time. The directory is
 * watched, not the file: editors and `mv` replace the file, and a watch on
 * the old inode would go quiet.
 */
export function watchConfigFile(file: string, onChange: () => Promise<void>, onError: (error: Error) => void): ConfigWatcher {
  const path = resolve(file);
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(() => (closed ? undefined : onChange())).catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
    }, SETTLE_MS);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      if (changed === null || changed === name) schedule();
    });
    watcher.on('error', (error) => onError(error));
  } catch (error) {
    onError(error as Error);
  }
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
      await running;
    },
  };
}
