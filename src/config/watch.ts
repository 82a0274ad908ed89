import { realpathSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export interface ConfigWatcher {
  /** Stops watching and waits for a reload under way. */
  close(): Promise<void>;
}

/** Editors write in bursts (truncate, write, rename): the file must read the same twice this far apart. */
const SETTLE_MS = 100;

/**
 * Calls `onChange(text)` when the file's content changes, one call at a time,
 * and only with content that read the same twice SETTLE_MS apart (never a
 * file caught half-written). The file's directory is watched, not the file:
 * editors and `mv` replace the file, and a watch on the old inode would go
 * quiet; through a symlink (a Kubernetes ConfigMap), the target's directory
 * is watched too. Any event in those directories leads to a read, and
 * unchanged content is ignored.
 */
export function watchConfigFile(file: string, initialText: string, onChange: (text: string) => Promise<void>, onError: (error: Error) => void): ConfigWatcher {
  const path = resolve(file);
  let appliedText = initialText;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  const read = () => readFile(path, 'utf8').catch(() => undefined);
  const check = async (): Promise<void> => {
    const first = await read();
    if (first === undefined || first === appliedText) return;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const second = await read();
    if (closed) return;
    if (second !== first) {
      // Still being written: look again once it settles.
      schedule();
      return;
    }
    appliedText = second;
    await onChange(second);
  };
  function schedule(): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(() => (closed ? undefined : check())).catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
    }, SETTLE_MS);
  }

  const directories = new Set([dirname(path)]);
  try {
    directories.add(dirname(realpathSync(path)));
  } catch {
    // The file is gone already; its own directory is still watched.
  }
  const watchers: FSWatcher[] = [];
  for (const directory of directories) {
    try {
      const watcher = watch(directory, { persistent: false }, () => schedule());
      watcher.on('error', (error) => onError(error));
      watchers.push(watcher);
    } catch (error) {
      onError(error as Error);
    }
  }
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      await running;
    },
  };
}
