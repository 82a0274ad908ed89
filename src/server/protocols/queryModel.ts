/**
 * An AWS Query service's request parameters read with its official model's constraints: each
 * operation's input members (in the model's order), their types, lengths, patterns, enums and
 * required flags come from the model, so a new operation needs no hand-written rules and coral's
 * texts quote the model's own patterns. Models are gzipped JSON files, read once, on first use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { QueryInput, StringRules } from './queryInput.js';

interface ShapeRef {
  shape: string;
}

interface Shape {
  type: string;
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}

interface QueryModel {
  operations: Record<string, { input?: ShapeRef }>;
  shapes: Record<string, Shape>;
}

/** A member's value as read: string, number, boolean, or a list of them or of records. */
export type QueryValue = string | number | boolean | QueryValue[] | QueryRecord;
export type QueryRecord = { [member: string]: QueryValue | undefined };

export class QueryModelReader {
  private model: QueryModel | undefined;
  private readonly patterns = new Map<string, RegExp>();

  /** `candidates`: where the model may be, as URLs (run from src/ or from dist/src/). */
  constructor(private readonly candidates: readonly URL[]) {}

  private load(): QueryModel {
    if (this.model) return this.model;
    for (const candidate of this.candidates) {
      const path = fileURLToPath(candidate);
      if (!existsSync(path)) continue;
      const parsed = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as QueryModel;
      this.model = { operations: parsed.operations, shapes: parsed.shapes };
      return this.model;
    }
    throw new Error(`no service model at ${this.candidates.map((c) => c.href).join(', ')}`);
  }

  hasOperation(name: string): boolean {
    return Object.hasOwn(this.load().operations, name);
  }

  /** The operation's input, member by member (a null-prototype record: names come from the model only). */
  read(operationName: string, input: QueryInput): QueryRecord {
    const model = this.load();
    const ref = model.operations[operationName]?.input;
    if (!ref) return Object.create(null) as QueryRecord;
    return this.structure(model.shapes[ref.shape], '', input);
  }

  private structure(shape: Shape, prefix: string, input: QueryInput): QueryRecord {
    const out = Object.create(null) as QueryRecord;
    const required = new Set(shape.required ?? []);
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      out[name] = this.member(ref.shape, `${prefix}${name}`, required.has(name), input);
    }
    return out;
  }

  private member(shapeName: string, name: string, required: boolean, input: QueryInput): QueryValue | undefined {
    const shape = this.load().shapes[shapeName];
    switch (shape.type) {
      case 'string':
        return input.string(name, this.stringRules(shape, required));
      case 'integer':
      case 'long':
        return input.integer(name, { required, ...(shape.min !== undefined ? { min: shape.min } : {}), ...(shape.max !== undefined ? { max: shape.max } : {}) });
      case 'boolean':
        return input.boolean(name, { required });
      case 'list': {
        const element = shape.member!.shape;
        return input.list(name, (prefix) => this.member(element, prefix, true, input) ?? '', { required, ...(shape.max !== undefined ? { max: shape.max } : {}) });
      }
      case 'structure':
        return this.structure(shape, `${name}.`, input);
      default:
        throw new Error(`query model: ${shape.type} members are not read (${name})`);
    }
  }

  private stringRules(shape: Shape, required: boolean): StringRules {
    const rules: StringRules = { required };
    if (shape.min !== undefined) rules.min = shape.min;
    if (shape.max !== undefined) rules.max = shape.max;
    if (shape.enum) rules.values = shape.enum;
    if (shape.pattern !== undefined) {
      rules.pattern = this.pattern(shape.pattern);
      rules.patternText = shape.pattern;
    }
    return rules;
  }

  /** A model pattern (Java syntax) as a whole-value JavaScript RegExp, compiled once. */
  private pattern(javaPattern: string): RegExp {
    let compiled = this.patterns.get(javaPattern);
    if (!compiled) {
      // Java's \p{L} etc. need JavaScript's `u` flag; the model's patterns need no other translation.
      compiled = new RegExp(`^(?:${javaPattern})$`, 'u');
      this.patterns.set(javaPattern, compiled);
    }
    return compiled;
  }
}
