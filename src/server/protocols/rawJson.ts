/**
 * JSON text that goes into a JSON response as it is. Items are stored as their JSON text
 * (items.ts), so GetItem, Query and Scan can answer with the stored text instead of parsing it
 * and serializing it again — for a 100-item Query most of the work there is.
 */
export class RawJson {
  constructor(readonly json: string) {}

  /** Anything that serializes a response with plain JSON.stringify still gets the right value, only slower. */
  toJSON(): unknown {
    return JSON.parse(this.json);
  }
}

function serializeValue(value: unknown): string | undefined {
  if (value instanceof RawJson) return value.json;
  if (Array.isArray(value) && value.some((element) => element instanceof RawJson)) {
    return '[' + value.map((element) => (element instanceof RawJson ? element.json : (JSON.stringify(element) ?? 'null'))).join(',') + ']';
  }
  return JSON.stringify(value);
}

/**
 * The response body: JSON.stringify's output for the response, with RawJson values — at the top
 * level or as elements of a top-level array — spliced in as their text.
 */
export function serializeResponse(response: Record<string, unknown>): string {
  let out = '';
  for (const key of Object.keys(response)) {
    const text = serializeValue(response[key]);
    // As JSON.stringify does: a property whose value has no JSON form (undefined) is left out.
    if (text === undefined) continue;
    out += (out.length === 0 ? '{' : ',') + JSON.stringify(key) + ':' + text;
  }
  return out.length === 0 ? '{}' : out + '}';
}
