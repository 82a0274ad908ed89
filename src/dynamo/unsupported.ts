import { validationError } from './errors.js';

/**
 * A specification that only says a feature is off is what cove does anyway, and DynamoDB accepts
 * it: `SSESpecification: {Enabled: false}` (the default AWS-owned key).
 */
const TURNS_OFF: Readonly<Record<string, (value: Record<string, unknown>) => boolean>> = {
  SSESpecification: (value) => value.Enabled === false && value.SSEType === undefined && value.KMSMasterKeyId === undefined,
};

/**
 * Parameters cove accepts from the model but does not implement yet. Refusing
 * them loudly is better than answering as if they had been applied.
 */
export function rejectUnsupported(input: Record<string, unknown>, operation: string, names: readonly string[]): void {
  for (const name of names) {
    const value = input[name];
    if (value === undefined) continue;
    // At CreateTable only: UpdateTable turning off what is not on is a change of its own.
    const off = operation === 'CreateTable' && Object.hasOwn(TURNS_OFF, name) ? TURNS_OFF[name] : undefined;
    if (off && typeof value === 'object' && value !== null && off(value as Record<string, unknown>)) continue;
    throw validationError(`cove does not support ${name} on ${operation} yet`);
  }
}
