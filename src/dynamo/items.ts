import { validationError } from './errors.js';
import type { Table } from './tables.js';
import type { AttributeValue, Item, KeyAttribute } from './types.js';
import { LIMITS } from './limits.js';
import { itemKey, keyValueBytes } from './keys.js';
import { itemSizeBytes } from './attributeValue.js';
import { RawJson } from '../server/protocols/rawJson.js';

/**
 * Key checks shared by the item operations, with DynamoDB's messages.
 * Items and keys reaching here are already normalised by attributeValue.ts.
 */
function typeOf(value: AttributeValue): string {
  return Object.keys(value)[0];
}

export function checkKeyValue(key: KeyAttribute, value: AttributeValue, isHash: boolean): void {
  const bytes = keyValueBytes(key.type, value);
  if (bytes.length === 0 && key.type !== 'N') {
    throw validationError(
      `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${key.type === 'S' ? 'string' : 'binary'} value. Key: ${key.name}`,
    );
  }
  if (isHash && bytes.length > LIMITS.maxPartitionKeyBytes) {
    throw validationError(`One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of${LIMITS.maxPartitionKeyBytes} bytes`);
  }
  if (!isHash && bytes.length > LIMITS.maxSortKeyBytes) {
    throw validationError(`One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of ${LIMITS.maxSortKeyBytes} bytes`);
  }
}

/** PutItem: the item must carry every key attribute with the declared type. */
export function checkItemKey(table: Table, item: Item): void {
  for (const [key, isHash] of [[table.hashKey, true], [table.rangeKey, false]] as const) {
    if (!key) continue;
    const value = item[key.name];
    if (value === undefined) throw validationError(`One or more parameter values were invalid: Missing the key ${key.name} in the item`);
    if (typeOf(value) !== key.type) {
      throw validationError(`One or more parameter values were invalid: Type mismatch for key ${key.name} expected: ${key.type} actual: ${typeOf(value)}`);
    }
    checkKeyValue(key, value, isHash);
  }
}

/** GetItem / DeleteItem: the Key map must be exactly the table's key attributes. */
export function checkKey(table: Table, key: Item): void {
  const names = Object.keys(key);
  const expected = table.rangeKey ? 2 : 1;
  const schemaMismatch = () => validationError('The provided key element does not match the schema');
  if (names.length !== expected) throw schemaMismatch();
  for (const [attribute, isHash] of [[table.hashKey, true], [table.rangeKey, false]] as const) {
    if (!attribute) continue;
    const value = key[attribute.name];
    if (value === undefined || typeOf(value) !== attribute.type) throw schemaMismatch();
    checkKeyValue(attribute, value, isHash);
  }
}

export function keyNamesOf(table: Table): string[] {
  return table.rangeKey ? [table.hashKey.name, table.rangeKey.name] : [table.hashKey.name];
}

export function storageKeyOf(table: Table, item: Item): Buffer {
  return itemKey(
    table.storageId,
    table.hashKey,
    item[table.hashKey.name],
    table.rangeKey,
    table.rangeKey && item[table.rangeKey.name],
  );
}

/** CloudTrail shows key attribute values as plain JSON values, never non-key values. */
export function keyForAudit(table: Table | undefined, key: Item | undefined): Record<string, unknown> | undefined {
  // Without the table we cannot tell key attributes from others: record nothing.
  if (!key || !table) return undefined;
  // Attribute names are the user's (`__proto__` is one): no prototype to assign through.
  const out = Object.create(null) as Record<string, unknown>;
  for (const attribute of [table.hashKey, table.rangeKey]) {
    const value = attribute && key[attribute.name];
    if (value && typeOf(value) === attribute.type) out[attribute.name] = Object.values(value)[0];
  }
  return out;
}

/**
 * An item as stored: a format byte (01), the item's size in DynamoDB's accounting (uint32
 * big-endian), then the item's JSON text in DynamoDB's wire form. Reads use the size and the
 * text without parsing (capacity, Query's 1 MB page, responses spliced from the text). Values
 * written before this format are the bare JSON text ('{' first) and are still read.
 */
const SIZED_FORMAT = 0x01;
const SIZED_HEADER_BYTES = 5;

export function encodeItem(item: Item, sizeBytes: number = itemSizeBytes(item)): Buffer {
  const json = JSON.stringify(item);
  const out = Buffer.allocUnsafe(SIZED_HEADER_BYTES + Buffer.byteLength(json, 'utf8'));
  out[0] = SIZED_FORMAT;
  out.writeUInt32BE(sizeBytes, 1);
  out.write(json, SIZED_HEADER_BYTES, 'utf8');
  return out;
}

/** The stored item's JSON text. */
export function itemJson(value: Buffer): string {
  return value[0] === SIZED_FORMAT ? value.toString('utf8', SIZED_HEADER_BYTES) : value.toString('utf8');
}

export function decodeItem(value: Buffer): Item {
  return JSON.parse(itemJson(value)) as Item;
}

/** The stored item's size in DynamoDB's accounting, without parsing it (but for the old format). */
export function storedItemSize(value: Buffer): number {
  return value[0] === SIZED_FORMAT ? value.readUInt32BE(1) : itemSizeBytes(decodeItem(value));
}

/** A stored item read by Query or Scan: its text and size, parsed only if a filter, projection or key needs it. */
export class StoredItem extends RawJson {
  private decoded: Item | undefined;

  constructor(value: Buffer) {
    super(itemJson(value));
    this.sizeBytes = value[0] === SIZED_FORMAT ? value.readUInt32BE(1) : itemSizeBytes(this.item);
  }

  readonly sizeBytes: number;

  get item(): Item {
    return (this.decoded ??= JSON.parse(this.json) as Item);
  }
}
