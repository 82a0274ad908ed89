/**
 * What a loaded cove.yaml configures for a serving process. Read at the start
 * (serve.ts) and again for every reload (reload.ts), so both read it the same way.
 */
import { compiledPolicies, type LoadedConfig } from '../config/load.js';
import { listenerPlaces, type ListenerPlace, type RouteOptions } from '../network/route.js';
import { policyWarnings } from '../policy/lint.js';

/** Listener name → where its clients are in the network model (configured listeners and attachments alike). */
export function listenerPlacesOf(loaded: LoadedConfig): Map<string, ListenerPlace> {
  return listenerPlaces(loaded.config.listeners, loaded.attachments, loaded.sourceMaps);
}

/** How a request the network cannot deliver ends. */
export function unreachableModeOf(loaded: LoadedConfig): RouteOptions['unreachable'] {
  return loaded.config.network?.unreachable ?? 'reset';
}

/** An attachment that has a listener of its own, and the address that listener binds. */
export interface ListeningAttachment {
  name: string;
  listen: string;
}

/** The attachments that have a listener of their own, in the file's order. */
export function listeningAttachments(loaded: LoadedConfig): ListeningAttachment[] {
  return loaded.attachments.flatMap((a) => (a.listen !== undefined ? [{ name: a.name, listen: a.listen }] : []));
}

/** Prints the lint warnings of every IAM and endpoint policy in the file. */
export async function logPolicyWarnings(loaded: LoadedConfig, log: (line: string) => void): Promise<void> {
  for (const policy of [...compiledPolicies(loaded), ...[...loaded.network.endpoints.values()].map((e) => e.policy)]) {
    for (const warning of await policyWarnings(policy)) log(`cove: warning: ${warning}`);
  }
}
