/**
 * Applying an edited cove.yaml to a running server: users and policies, the
 * network model, the endpoint policies, the attachments (their listeners start
 * and stop) and the listeners' source maps. `planReload` decides, without
 * touching anything, whether the new text can apply and what changes;
 * `applyReloadPlan` then swaps it all in one synchronous step, so no request
 * sees half of each file. A file that does not load, or that changes what
 * needs a restart, changes nothing.
 */
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import type { IamDirectory } from '../iam/directory.js';
import type { Router } from '../network/route.js';
import { listenerKey, listenerPlacesOf, listeningAttachments, logPolicyWarnings, unreachableModeOf, type ListeningAttachment } from './configured.js';
import type { ServingListeners } from './listeners.js';

/** The new text is not applied; `reason` says why (the file and, for a ConfigError, where). */
export interface ReloadRefusal {
  kind: 'refused';
  reason: string;
}

/** What applying the new text changes. */
export interface ReloadChanges {
  kind: 'apply';
  next: LoadedConfig;
  /** Attachments whose listener stops: gone from the file, or moved to another address. */
  retire: string[];
  /** Attachment listeners to start: new in the file, moved, or not bound now. */
  start: ListeningAttachment[];
}

export type ReloadPlan = ReloadRefusal | ReloadChanges;

/** What a running server cannot change (a listener's `sources` it can): a file that changes them is not applied. */
export function restartOnlyChanges(running: LoadedConfig, next: LoadedConfig): string[] {
  const changed: string[] = [];
  if (running.config.region !== next.config.region) changed.push('region');
  if (running.config.accountId !== next.config.accountId) changed.push('accountId');
  if (JSON.stringify(running.config.http) !== JSON.stringify(next.config.http)) changed.push('http');
  const addresses = (loaded: LoadedConfig) => JSON.stringify(loaded.config.listeners.map((l) => [l.name, l.listen]));
  if (addresses(running) !== addresses(next)) changed.push('listeners (names or addresses)');
  const transports = (loaded: LoadedConfig) => JSON.stringify(loaded.config.listeners.map((l) => [l.tls ?? null, l.proxyProtocol ?? null]));
  if (transports(running) !== transports(next)) changed.push("listeners' tls or proxyProtocol");
  return changed;
}

/**
 * Plans applying `text` (the new content of `configFile`) over the `running` configuration.
 * `bound` is the attachment listeners bound now (attachment name → `listen`); it differs from
 * what `running` configures when a listener failed to start on an earlier reload, and such a
 * listener is tried again.
 */
export function planReload(running: LoadedConfig, configFile: string, text: string, bound: ReadonlyMap<string, string> = boundBy(running)): ReloadPlan {
  const refuse = (reason: string): ReloadRefusal => ({ kind: 'refused', reason });
  if (text.trim() === '') return refuse(`${configFile}: the file is empty`);
  let next: LoadedConfig;
  try {
    next = loadConfig(configFile, text);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return refuse(error.message);
  }
  const restartOnly = restartOnlyChanges(running, next);
  if (restartOnly.length > 0) return refuse(`${configFile}: ${restartOnly.join(', ')} changed: restart cove to apply them`);
  const wanted = listeningAttachments(next);
  const wantedAt = new Map(wanted.map((a) => [a.name, listenerKey(a.listen, a.transport)]));
  const retire = [...bound].filter(([name, key]) => wantedAt.get(name) !== key).map(([name]) => name);
  const start = wanted.filter((a) => bound.get(a.name) !== wantedAt.get(a.name));
  return { kind: 'apply', next, retire, start };
}

function boundBy(loaded: LoadedConfig): Map<string, string> {
  return new Map(listeningAttachments(loaded).map((a) => [a.name, listenerKey(a.listen, a.transport)]));
}

/** The line a refused reload logs. */
export function refusalLine(refusal: ReloadRefusal): string {
  return `cove: configuration error; the running configuration stays in force\n${refusal.reason}`;
}

/** What a reload swaps: the state every request of a serving process reads. */
export interface ReloadTarget {
  /** The configuration in force; a reload replaces it. */
  config: LoadedConfig;
  /** The principals: the file's declarations merged with the IAM API's (the credential store is rebuilt from them). */
  readonly directory: IamDirectory;
  readonly router: Router;
  readonly listeners: ServingListeners;
}

/** Plans and applies a new text of `configFile`, or logs why it was refused. Callers run one reload at a time. */
export async function reloadConfig(target: ReloadTarget, configFile: string, text: string, log: (line: string) => void): Promise<void> {
  const plan = planReload(target.config, configFile, text, target.listeners.attachmentAddresses());
  if (plan.kind === 'refused') return log(refusalLine(plan));
  await applyReloadPlan(target, plan, configFile, log);
}

/** Logs the next file's policy warnings, swaps it in, then retires and starts attachment listeners. */
export async function applyReloadPlan(target: ReloadTarget, plan: ReloadChanges, configFile: string, log: (line: string) => void): Promise<void> {
  await logPolicyWarnings(plan.next, log);

  // The swap: from here to the router update nothing awaits.
  // loadConfig refuses an access key given twice, and the directory hides stored entities the file now names, so this cannot fail halfway.
  target.directory.applyConfig(plan.next, Date.now());
  const retired = target.listeners.takeAttachments(plan.retire);
  // A retired listener is absent from the new places: what it still has in flight is dropped, never routed as public.
  target.router.update(plan.next.network, listenerPlacesOf(plan.next), unreachableModeOf(plan.next));
  target.config = plan.next;

  await target.listeners.closeRetired(retired);
  for (const attachment of plan.start) {
    try {
      await target.listeners.startAttachment(attachment.name, attachment.listen, attachment.transport);
    } catch (error) {
      log(`cove: attachment ${attachment.name}: cannot listen on ${attachment.listen}: ${(error as Error).message}`);
    }
  }
  log(`cove: reloaded ${configFile}: users, policies, network model and attachments applied`);
}
