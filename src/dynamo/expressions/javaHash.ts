/**
 * Iteration order of Java 7 HashMaps and HashSets, which decides a few details of DynamoDB's
 * expression errors: which path an overlap message names as "path two", the order in which
 * update actions are applied (and so which of two runtime errors is reported), and the order of
 * the keys listed as unused. The rest of the validation layer assumes Java 7 maps too
 * (`../validation/javaOrder.ts`); this is the same simulation for arbitrary hash codes.
 */
import { javaStringHash } from '../validation/javaOrder.js';

/** Java 7 HashMap.hash(): the supplemental hash applied to hashCode(). */
function spread(hashCode: number): number {
  let h = hashCode | 0;
  h ^= (h >>> 20) ^ (h >>> 12);
  return h ^ (h >>> 7) ^ (h >>> 4);
}

interface Entry<K> {
  key: K;
  id: string;
  hash: number;
  next: Entry<K> | null;
}

/**
 * Iteration order of a Java 7 HashMap (or HashSet) after inserting `keys` in order, given each
 * key's identity (for duplicate detection) and hashCode(). `initialCapacity` is rounded up to a
 * power of two, as Java does.
 */
export function javaHashOrder<K>(
  keys: readonly K[],
  identity: (key: K) => string,
  hashCode: (key: K) => number,
  initialCapacity = 16,
): K[] {
  if (keys.length < 2) return keys.slice();
  let capacity = 1;
  while (capacity < initialCapacity) capacity <<= 1;
  let table: (Entry<K> | null)[] = new Array(capacity).fill(null);
  let threshold = Math.floor(capacity * 0.75);
  let size = 0;
  for (const key of keys) {
    const id = identity(key);
    const hash = spread(hashCode(key));
    let index = hash & (table.length - 1);
    let present = false;
    for (let e = table[index]; e !== null; e = e.next) {
      if (e.id === id) {
        present = true;
        break;
      }
    }
    if (present) continue;
    if (size >= threshold && table[index] !== null) {
      const grown: (Entry<K> | null)[] = new Array(table.length * 2).fill(null);
      for (let j = 0; j < table.length; j++) {
        let cur = table[j];
        while (cur !== null) {
          const next: Entry<K> | null = cur.next;
          const k = cur.hash & (grown.length - 1);
          cur.next = grown[k];
          grown[k] = cur;
          cur = next;
        }
      }
      table = grown;
      threshold = Math.floor(table.length * 0.75);
      index = hash & (table.length - 1);
    }
    table[index] = { key, id, hash, next: table[index] };
    size++;
  }
  const out: K[] = [];
  for (const head of table) for (let e = head; e !== null; e = e.next) out.push(e.key);
  return out;
}

/** Order of a HashMap<String, ?> filled from a JSON object (keys in document order). */
export function stringMapOrder(keys: readonly string[]): string[] {
  return javaHashOrder(keys, (k) => k, javaStringHash);
}

/**
 * Order of `new HashSet<String>(map.keySet())` (a copy sized for the collection) after removing
 * `removed`, where `map` was filled from a JSON object with `jsonKeys` in document order.
 */
export function remainingKeysOrder(jsonKeys: readonly string[], removed: ReadonlySet<string>): string[] {
  const source = stringMapOrder(jsonKeys);
  const capacity = Math.max(Math.floor(source.length / 0.75) + 1, 16);
  return javaHashOrder(source, (k) => k, javaStringHash, capacity).filter((k) => !removed.has(k));
}

/** HashCodeBuilder(8191, 127) applied to one value: 8191 * 127 + hashCode. */
const BUILDER_SEED = 8191 * 127;

/** hashCode() of DynamoDB's document path elements (map key or list index). */
export function pathElementHash(element: string | number): number {
  return typeof element === 'number' ? (BUILDER_SEED + element) | 0 : (BUILDER_SEED + javaStringHash(element)) | 0;
}

export function pathElementId(element: string | number): string {
  return typeof element === 'number' ? `l${element}` : `m${element}`;
}
