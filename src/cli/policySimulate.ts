import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { simulate, SimulationInputError } from '../policy/simulate.js';

/** Exit codes: 0 every case allowed, 1 a case denied, 2 a case that could not be read. */
export const SIMULATE_EXIT = { allowed: 0, denied: 1, inputError: 2 } as const;

function evaluateCase(text: string, where: string): { line: string; allowed: boolean } {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new SimulationInputError(`${where}: not valid JSON: ${(error as Error).message}`);
  }
  try {
    const { result, blockedBy, deciding, trace } = simulate(input);
    return { line: JSON.stringify({ result, blockedBy, ...(deciding ? { deciding } : {}), trace }), allowed: result === 'Allowed' };
  } catch (error) {
    if (error instanceof SimulationInputError) throw new SimulationInputError(`${where}: ${error.message}`);
    throw error;
  }
}

/**
 * `cove policy simulate FILE|-`: one JSON case in, one JSON verdict out. With
 * `--json-lines`, one case per line in and one verdict per line out; a bad
 * line yields `{"error": ...}` on its line and the stream goes on.
 */
export async function policySimulate(file: string, jsonLines: boolean, write: (line: string) => void): Promise<number> {
  if (!jsonLines) {
    const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
    const verdict = evaluateCase(text, file === '-' ? '(stdin)' : file);
    write(verdict.line);
    return verdict.allowed ? SIMULATE_EXIT.allowed : SIMULATE_EXIT.denied;
  }
  const lines = createInterface({ input: file === '-' ? process.stdin : createReadStream(file), crlfDelay: Infinity });
  let lineNumber = 0;
  let failures = 0;
  let denials = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    try {
      const verdict = evaluateCase(line, `line ${lineNumber}`);
      write(verdict.line);
      if (!verdict.allowed) denials++;
    } catch (error) {
      if (!(error instanceof SimulationInputError)) throw error;
      failures++;
      write(JSON.stringify({ error: error.message }));
    }
  }
  return failures > 0 ? SIMULATE_EXIT.inputError : denials > 0 ? SIMULATE_EXIT.denied : SIMULATE_EXIT.allowed;
}
