import type { ConditionContext } from './conditionContext.js';

/**
 * Policy variables (`${aws:username}`), parsed once when a policy is compiled.
 * Only Version 2012-10-17 substitutes them; under 2008-10-17 `${...}` is text.
 *
 * A template is a list of segments. Literal text keeps its wildcard meaning
 * where the element has one (Resource, StringLike...); text that comes from a
 * variable, and the escapes `${*}` `${?}` `${$}`, is always matched literally,
 * so a user named `a*` cannot widen `table/${aws:username}`.
 */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'literal'; text: string }
  | { kind: 'variable'; name: string; lowerKey: string; fallback: string | undefined };

export interface Template {
  source: string;
  parts: readonly TemplatePart[];
  /** True when some part must be resolved per request (a variable or an escape). */
  needsResolution: boolean;
}

/** A resolved segment: `wildcard` says whether `*` and `?` in it are wildcards. */
export interface Segment {
  text: string;
  wildcard: boolean;
}

const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };
// `${key}` or `${key, 'default'}`; keys are service:name with an optional /tag-key suffix.
const VARIABLE_BODY = /^\s*([A-Za-z0-9_.-]+:[A-Za-z0-9_/.:+=@-]+)\s*(?:,\s*'([^']*)'\s*)?$/;

export function parseTemplate(source: string, substitutes: boolean): Template {
  if (!substitutes || !source.includes('${')) {
    return { source, parts: [{ kind: 'text', text: source }], needsResolution: false };
  }
  const parts: TemplatePart[] = [];
  let hasVariable = false;
  let rest = source;
  for (;;) {
    const start = rest.indexOf('${');
    const end = start < 0 ? -1 : rest.indexOf('}', start + 2);
    if (start < 0 || end < 0) break;
    if (start > 0) parts.push({ kind: 'text', text: rest.slice(0, start) });
    const body = rest.slice(start + 2, end);
    const escape = ESCAPES[body.trim()];
    const variable = VARIABLE_BODY.exec(body);
    if (escape !== undefined) {
      parts.push({ kind: 'literal', text: escape });
    } else if (variable) {
      hasVariable = true;
      parts.push({ kind: 'variable', name: variable[1], lowerKey: variable[1].toLowerCase(), fallback: variable[2] });
    } else {
      // Not a variable AWS knows: the text stays as written.
      parts.push({ kind: 'text', text: rest.slice(start, end + 1) });
    }
    rest = rest.slice(end + 1);
  }
  if (rest.length > 0) parts.push({ kind: 'text', text: rest });
  return { source, parts, needsResolution: hasVariable || parts.some((p) => p.kind === 'literal') };
}

/**
 * The template's segments for this request, or undefined when a variable has
 * no value (absent, or multi-valued) and no default: the element then matches
 * nothing, as in AWS.
 */
export function resolveSegments(template: Template, context: ConditionContext): Segment[] | undefined {
  const segments: Segment[] = [];
  for (const part of template.parts) {
    if (part.kind === 'text') segments.push({ text: part.text, wildcard: true });
    else if (part.kind === 'literal') segments.push({ text: part.text, wildcard: false });
    else {
      const value = context.get(part.lowerKey);
      const text = typeof value === 'string' ? value : part.fallback;
      if (text === undefined) return undefined;
      segments.push({ text, wildcard: false });
    }
  }
  return segments;
}

/** The template as a plain string for this request (for exact comparisons), or undefined if unresolvable. */
export function resolveText(template: Template, context: ConditionContext): string | undefined {
  if (!template.needsResolution) return template.source;
  const segments = resolveSegments(template, context);
  return segments && segments.map((s) => s.text).join('');
}

/** Per template, at most this many distinct resolutions are remembered (then it starts over). */
const MAX_RESOLUTIONS_PER_TEMPLATE = 256;
const resolutions = new WeakMap<Template, Map<string, unknown>>();

/**
 * `build(segments)` for this request's values of the template's variables, remembered per
 * template and values: the values repeat from request to request (a few users, a few keys),
 * and building a matcher (a RegExp for `*`) is most of what a condition with a variable costs.
 * Undefined when a variable has no value. Each template must always be given the same `build`.
 */
export function perResolution<T>(template: Template, context: ConditionContext, build: (segments: Segment[]) => T): T | undefined {
  let key = '';
  for (const part of template.parts) {
    if (part.kind !== 'variable') continue;
    const value = context.get(part.lowerKey);
    const text = typeof value === 'string' ? value : part.fallback;
    if (text === undefined) return undefined;
    // Length-prefixed: unambiguous whatever the values contain.
    key += `${text.length}:${text}`;
  }
  let memo = resolutions.get(template) as Map<string, T> | undefined;
  if (memo === undefined) {
    memo = new Map<string, T>();
    resolutions.set(template, memo);
  }
  let built = memo.get(key);
  if (built === undefined && !memo.has(key)) {
    built = build(resolveSegments(template, context)!);
    if (memo.size >= MAX_RESOLUTIONS_PER_TEMPLATE) memo.clear();
    memo.set(key, built);
  }
  return built;
}
