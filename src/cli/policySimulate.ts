import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { simulate, SimulationInputError } from '../policy/simulate.js';

function evaluateCase(text: string, where: string): string {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new SimulationInputError(`${where}: not valid JSON: ${(error as Error).message}`);
  }
  try {
    const { result, blockedBy, deciding, trace } = simulate(input);
    return JSON.stringify({ result, blockedBy, ...(deciding ? { deciding } : {}), trace });
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
    write(evaluateCase(text, file === '-' ? '(stdin)' : file));
    return 0;
  }
  const lines = createInterface({ input: file === '-' ? process.stdin : createReadStream(file), crlfDelay: Infinity });
  let lineNumber = 0;
  let failures = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    try {
      write(evaluateCase(line, `line ${lineNumber}`));
    } catch (error) {
      if (!(error instanceof SimulationInputError)) throw error;
      failures++;
      write(JSON.stringify({ error: error.message }));
    }
  }
  return failures > 0 ? 2 : 0;
}
