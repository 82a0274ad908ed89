import type { z } from 'zod';

/** A zod schema's definition, as far as finding an object's keys needs it (zod 4's `_zod.def`). */
interface SchemaDefinition {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
}

const definitionOf = (schema: z.ZodType): SchemaDefinition => (schema as unknown as { _zod: { def: SchemaDefinition } })._zod.def;

/** The keys the object schemas at `path` accept (several under a union), following wrappers, arrays and records. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const def = definitionOf(schema);
  const inner = def.innerType ?? def.in;
  if (inner) return keysAt(inner, path);
  if (def.type === 'union') return (def.options ?? []).flatMap((option) => keysAt(option, path));
  if (path.length === 0) return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
  const [head, ...rest] = path;
  if (def.type === 'array' && def.element && typeof head === 'number') return keysAt(def.element, rest);
  if (def.type === 'record' && def.valueType) return keysAt(def.valueType, rest);
  const next = def.type === 'object' && typeof head === 'string' && Object.hasOwn(def.shape ?? {}, head) ? def.shape![head] : undefined;
  return next ? keysAt(next, rest) : [];
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** `; did you mean "x"?` for an unknown key close to one the schema accepts there (case or a typo or two), else ''. */
export function didYouMean(schema: z.ZodType, path: readonly PropertyKey[], unknown: string): string {
  const candidates = keysAt(schema, path);
  let best: { key: string; distance: number } | undefined;
  for (const key of candidates) {
    const distance = key.toLowerCase() === unknown.toLowerCase() ? 0 : editDistance(key, unknown);
    if (distance <= Math.max(2, Math.floor(unknown.length / 4)) && (!best || distance < best.distance)) best = { key, distance };
  }
  return best ? `; did you mean "${best.key}"?` : '';
}
