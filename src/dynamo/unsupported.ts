import { validationError } from './errors.js';

/**
 * Parameters cove accepts from the model but does not implement yet. Refusing
 * them loudly is better than answering as if they had been applied.
 */
export function rejectUnsupported(input: Record<string, unknown>, operation: string, names: readonly string[]): void {
  for (const name of names) {
    if (input[name] !== undefined) {
      throw validationError(`cove does not support ${name} on ${operation} yet`);
    }
  }
}
