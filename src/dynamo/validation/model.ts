/**
 * Loads the official DynamoDB service model (src/dynamo/model/dynamodb.service-2.json.gz)
 * once, on first use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export interface ShapeRef {
  shape: string;
}

export interface ModelShape {
  type: string;
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  exception?: boolean;
}

export interface ServiceModel {
  metadata: Record<string, unknown>;
  operations: Record<string, { name: string; input?: ShapeRef; output?: ShapeRef }>;
  shapes: Record<string, ModelShape>;
}

const MODEL_FILE = 'dynamodb.service-2.json.gz';

/** Where the model may be, relative to this module, whether run from src/ or from dist/src/. */
const CANDIDATES = [
  `../model/${MODEL_FILE}`,
  `../../../../src/dynamo/model/${MODEL_FILE}`,
];

let cached: ServiceModel | undefined;

export function loadModel(): ServiceModel {
  if (cached) return cached;
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) {
      const parsed = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as ServiceModel;
      // Documentation strings are most of the file; drop them so they can be collected.
      for (const shape of Object.values(parsed.shapes) as (ModelShape & { documentation?: unknown })[]) {
        delete shape.documentation;
        if (shape.members) {
          for (const ref of Object.values(shape.members) as (ShapeRef & { documentation?: unknown })[]) {
            delete ref.documentation;
          }
        }
      }
      cached = parsed;
      return parsed;
    }
  }
  throw new Error(`DynamoDB service model ${MODEL_FILE} not found next to ${import.meta.url}`);
}
