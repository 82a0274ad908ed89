/**
 * DynamoDB Streams' request constraints, as data from its official model
 * (/work/shared/aws-models/dynamodbstreams.service-2.json.gz: four operations with a handful of
 * scalar members, so they are listed here rather than compiled from the model at run time), and
 * the check that reports them as coral's validator does: a JSON value of the wrong type is a
 * SerializationException, constraint failures one ValidationException listing each.
 * cove's own bounds on Limit (LIMITS) are checked in the same pass.
 */
import { serializationException, validationException } from '../dynamo/validation/index.js';
import { numericTypeError, stringTypeError } from '../dynamo/validation/serialization.js';

export interface MemberConstraint {
  /** The member's name in the request. */
  name: string;
  kind: 'string' | 'integer';
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  pattern?: RegExp;
  enumValues?: readonly string[];
}

/** The model's StreamArn (37..1024 characters). */
export const STREAM_ARN = { kind: 'string', minLength: 37, maxLength: 1024 } as const;
/** The model's ShardId (28..65 characters). */
export const SHARD_ID = { kind: 'string', minLength: 28, maxLength: 65 } as const;

/** The member's path as coral names it: the member name with a lower-case first letter. */
const pathOf = (name: string) => name[0].toLowerCase() + name.slice(1);

/** Checks `input` against `members`; returns it typed once it passes. */
export function checkInput<T>(input: Record<string, unknown>, members: readonly MemberConstraint[]): T {
  for (const member of members) {
    const value = input[member.name];
    if (value === undefined || value === null) continue;
    // The JSON binder's texts, as DynamoDB's (the two services share coral's binder).
    const fault = member.kind === 'string' ? stringTypeError(value) : numericTypeError(value, 'Integer', 'java.lang.Integer');
    if (fault !== undefined) throw serializationException(fault);
  }
  const faults: string[] = [];
  for (const member of members) faults.push(...memberFaults(member, input[member.name]));
  if (faults.length > 0) throw validationException(`${faults.length} validation error${faults.length > 1 ? 's' : ''} detected: ${faults.join('; ')}`);
  return input as T;
}

function memberFaults(member: MemberConstraint, value: unknown): string[] {
  const at = (shown: string, constraint: string) => `Value ${shown} at '${pathOf(member.name)}' failed to satisfy constraint: Member must ${constraint}`;
  if (value === undefined || value === null) return member.required ? [at('null', 'not be null')] : [];
  const faults: string[] = [];
  if (typeof value === 'string') {
    const shown = `'${value}'`;
    if (member.minLength !== undefined && value.length < member.minLength) faults.push(at(shown, `have length greater than or equal to ${member.minLength}`));
    if (member.maxLength !== undefined && value.length > member.maxLength) faults.push(at(shown, `have length less than or equal to ${member.maxLength}`));
    if (member.pattern && !member.pattern.test(value)) faults.push(at(shown, `satisfy regular expression pattern: ${member.pattern.source.slice(1, -1)}`));
    if (member.enumValues && !member.enumValues.includes(value)) faults.push(at(shown, `satisfy enum value set: [${member.enumValues.join(', ')}]`));
  } else if (typeof value === 'number') {
    const shown = `'${value}'`;
    if (member.min !== undefined && value < member.min) faults.push(at(shown, `have value greater than or equal to ${member.min}`));
    // Unverified text: DynamoDB Streams' answer for a Limit above its maximum (the model states none); coral's wording for a range.
    if (member.max !== undefined && value > member.max) faults.push(at(shown, `have value less than or equal to ${member.max}`));
  }
  return faults;
}
