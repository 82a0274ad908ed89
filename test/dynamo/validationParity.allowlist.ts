/**
 * Cases of the validation parity corpus where cove deliberately answers otherwise than dynalite:
 * case name → why cove's answer is the better one. src/dynamo/README.md ("Validation parity")
 * lists them for readers.
 */
export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {};
