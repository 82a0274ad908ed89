/**
 * DynamoDB request validation, derived from the official service model.
 * See README.md in this directory for the contract.
 */
export { validateInput, hasOperation, validatorFor, MAX_REPORTED_ERRORS } from './validator.js';
export type { RequestValidator } from './validator.js';
export { validationException, serializationException, VALIDATE_NAMESPACE } from './exceptions.js';
