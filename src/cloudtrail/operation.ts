import type { AuthorizationTarget } from '../service.js';
import type { TrailLocation } from '../audit/layout.js';
import { serialization } from './errors.js';

/** What a CloudTrail operation reads: the trail this server writes, and those of the other nodes it was told of. */
export interface CloudTrailContext {
  trail: TrailLocation;
  peerTrails: readonly TrailLocation[];
  nowMs: number;
}

/** One CloudTrail operation: its input read from the JSON body, its IAM question, its audit parameters, its execution. */
export interface CloudTrailOperation<Input> {
  name: string;
  read(body: Record<string, unknown>): Input;
  authorization(input: Input): AuthorizationTarget[];
  requestParameters(input: Input): Record<string, unknown> | null;
  execute(input: Input, ctx: CloudTrailContext): Record<string, unknown>;
}

/** A timestamp member as the JSON protocols send it (epoch seconds, possibly fractional) or as ISO 8601. */
export function timestampMember(body: Record<string, unknown>, name: string): number | undefined {
  const value = Object.hasOwn(body, name) ? body[name] : undefined;
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw serialization(`${name}: expected a timestamp (epoch seconds or ISO 8601)`);
  return ms;
}
