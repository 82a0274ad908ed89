/**
 * Iteration orders of the Java collections behind DynamoDB's request validation.
 *
 * DynamoDB (a Java service) lists validation errors in the iteration order of the hash
 * tables that hold a structure's members and a request map's entries, and lists an enum's
 * allowed values in the order of its value set. Neither order is in the service model, so
 * they are reproduced here by simulating the tables:
 *
 * - enum value sets: 32 buckets indexed by `String.hashCode() & 31`, later values first within
 *   a bucket. Reproduces every enum listing seen from DynamoDB (ComparisonOperator, Select,
 *   ReturnValue, ReturnConsumedCapacity, ReturnItemCollectionMetrics, KeyType,
 *   ScalarAttributeType, BillingMode).
 * - structure members and JSON maps: a Java 7 `HashMap` (16 initial buckets, load factor 0.75,
 *   head insertion, order-reversing resize) filled with the lowerCamel member names in
 *   alphabetical order, or with map keys in document order.
 */

export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Java 7 HashMap.hash() supplemental hash. */
function spread(key: string): number {
  let h = javaStringHash(key);
  h ^= (h >>> 20) ^ (h >>> 12);
  return h ^ (h >>> 7) ^ (h >>> 4);
}

interface Entry {
  key: string;
  hash: number;
  next: Entry | null;
}

/** Iteration order of a Java 7 HashMap after inserting `keys` in the given order. */
export function hashMapOrder(keys: readonly string[]): string[] {
  if (keys.length < 2) return keys.slice();
  let table: (Entry | null)[] = new Array(16).fill(null);
  let size = 0;
  let threshold = 12;
  for (const key of keys) {
    const hash = spread(key);
    let index = hash & (table.length - 1);
    let e = table[index];
    let present = false;
    while (e !== null) {
      if (e.key === key) {
        present = true;
        break;
      }
      e = e.next;
    }
    if (present) continue;
    if (size >= threshold && table[index] !== null) {
      const grown: (Entry | null)[] = new Array(table.length * 2).fill(null);
      for (let j = 0; j < table.length; j++) {
        let cur = table[j];
        while (cur !== null) {
          const next: Entry | null = cur.next;
          const k = cur.hash & (grown.length - 1);
          cur.next = grown[k];
          grown[k] = cur;
          cur = next;
        }
      }
      table = grown;
      threshold = table.length * 0.75;
      index = hash & (table.length - 1);
    }
    table[index] = { key, hash, next: table[index] };
    size++;
  }
  const out: string[] = [];
  for (const head of table) {
    for (let e = head; e !== null; e = e.next) out.push(e.key);
  }
  return out;
}

/** Order in which DynamoDB lists an enum's values in "Member must satisfy enum value set". */
export function enumOrder(values: readonly string[]): string[] {
  return values
    .map((value, index) => ({ value, index, bucket: javaStringHash(value) & 31 }))
    .sort((a, b) => a.bucket - b.bucket || b.index - a.index)
    .map((x) => x.value);
}

/** Member order of a structure in DynamoDB's validation messages. */
export function memberOrder(lowerCamelNames: readonly string[]): string[] {
  return hashMapOrder([...lowerCamelNames].sort());
}
