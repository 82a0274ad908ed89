import { AwsError } from '../../errors.js';

/**
 * Reading an AWS Query request's parameters (STS, IAM) into an operation's input with the model's
 * constraints, collecting violations in coral's words (`Value 'x' at 'roleSessionName' failed to
 * satisfy constraint: Member must …`); `finish` throws them as one `ValidationError` of the
 * service's namespace. Shared by every Query service; `queryModel.ts` drives it from a model.
 */
export interface StringRules {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** The pattern as the model writes it, which coral quotes. */
  patternText?: string;
  /** Allowed values (a model enum). */
  values?: readonly string[];
}

/** A parameter that breaks the model's constraints: `ValidationError`, with coral's list of violations. */
export function validationErrors(namespace: string, violations: readonly string[]): AwsError {
  const count = violations.length;
  return new AwsError(namespace, 'ValidationError', `${count} validation error${count === 1 ? '' : 's'} detected: ${violations.join('; ')}`, 400);
}

export class QueryInput {
  private readonly violations: string[] = [];

  constructor(
    private readonly parameters: URLSearchParams,
    /** The service's error namespace (`ValidationError` is raised in it). */
    private readonly namespace: string,
  ) {}

  string(name: string, rules: StringRules = {}): string | undefined {
    const value = this.parameters.get(name) ?? undefined;
    const at = memberPath(name);
    if (value === undefined) {
      if (rules.required) this.violations.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    // Code points, as Java's String.length counts UTF-16 units: equal for the BMP, which names use.
    if (rules.min !== undefined && value.length < rules.min) this.violations.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must have length greater than or equal to ${rules.min}`);
    if (rules.max !== undefined && value.length > rules.max) this.violations.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${rules.max}`);
    if (rules.pattern && !rules.pattern.test(value)) this.violations.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rules.patternText}`);
    if (rules.values && !rules.values.includes(value)) this.violations.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must satisfy enum value set: [${rules.values.join(', ')}]`);
    return value;
  }

  integer(name: string, rules: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const text = this.parameters.get(name) ?? undefined;
    const at = memberPath(name);
    if (text === undefined) {
      if (rules.required) this.violations.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if (!/^-?\d+$/.test(text)) {
      this.violations.push(`Value '${text}' at '${at}' failed to satisfy constraint: Member must be a number`);
      return undefined;
    }
    const value = Number(text);
    if (rules.min !== undefined && value < rules.min) this.violations.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must have value greater than or equal to ${rules.min}`);
    if (rules.max !== undefined && value > rules.max) this.violations.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must have value less than or equal to ${rules.max}`);
    return value;
  }

  /** `true`/`false` as the Query protocol writes booleans (case-insensitively, as coral reads them). */
  boolean(name: string, rules: { required?: boolean } = {}): boolean | undefined {
    const text = this.parameters.get(name) ?? undefined;
    const at = memberPath(name);
    if (text === undefined) {
      if (rules.required) this.violations.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    const lower = text.toLowerCase();
    if (lower !== 'true' && lower !== 'false') {
      // Unverified text: coral's answer for a boolean that is neither true nor false.
      this.violations.push(`Value '${text}' at '${at}' failed to satisfy constraint: Member must be a boolean`);
      return undefined;
    }
    return lower === 'true';
  }

  /** A list of structures or strings: `Name.member.1`, `Name.member.1.Key`, … in order, until a number is missing. */
  list<T>(name: string, read: (prefix: string) => T, rules: { required?: boolean; max?: number } = {}): T[] {
    const out: T[] = [];
    for (let n = 1; ; n++) {
      const prefix = `${name}.member.${n}`;
      if (!this.has(prefix)) break;
      out.push(read(prefix));
    }
    if (rules.required && out.length === 0 && !this.parameters.has(name)) this.violations.push(`Value null at '${memberPath(name)}' failed to satisfy constraint: Member must not be null`);
    if (rules.max !== undefined && out.length > rules.max) this.violations.push(`Value '[...]' at '${memberPath(name)}' failed to satisfy constraint: Member must have length less than or equal to ${rules.max}`);
    return out;
  }

  private has(prefix: string): boolean {
    if (this.parameters.has(prefix)) return true;
    for (const key of this.parameters.keys()) if (key.startsWith(`${prefix}.`)) return true;
    return false;
  }

  finish(): void {
    if (this.violations.length > 0) throw validationErrors(this.namespace, this.violations);
  }
}

/** coral names a member by its lower-camel path: `Tags.member.1.Key` → `tags.1.member.key`. */
function memberPath(name: string): string {
  const parts = name.split('.');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === 'member' && i + 1 < parts.length) {
      out.push(parts[i + 1], 'member');
      i++;
    } else {
      out.push(parts[i].charAt(0).toLowerCase() + parts[i].slice(1));
    }
  }
  return out.join('.');
}
