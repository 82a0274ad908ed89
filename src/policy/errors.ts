/** A structural fault in a policy document, with the path of the fault (`Statement[0].Condition`). */
export class PolicyDocumentError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}
