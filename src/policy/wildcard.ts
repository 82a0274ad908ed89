import type { Segment } from './variables.js';

/**
 * IAM wildcard patterns: `*` matches any run of characters (including none),
 * `?` exactly one. Compiled once per pattern into a predicate.
 */
export type Matcher = (value: string) => boolean;

const REGEX_SPECIALS = /[.*+?^${}()|[\]\\]/g;

function escapeRegex(text: string): string {
  return text.replace(REGEX_SPECIALS, '\\$&');
}

function wildcardSource(text: string): string {
  return text.split('*').map((run) => run.split('?').map(escapeRegex).join('.')).join('.*');
}

export function compileWildcard(pattern: string, caseInsensitive: boolean): Matcher {
  if (pattern === '*') return () => true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    if (!caseInsensitive) return (value) => value === pattern;
    const lower = pattern.toLowerCase();
    return (value) => value.length === lower.length && value.toLowerCase() === lower;
  }
  const regex = new RegExp(`^${wildcardSource(pattern)}$`, caseInsensitive ? 'is' : 's');
  return (value) => regex.test(value);
}

// Patterns resolved per request (policy variables) repeat: cache their matchers, boundedly.
const MAX_CACHED_MATCHERS = 4096;
const segmentMatchers = new Map<string, Matcher>();

/**
 * A matcher for resolved template segments: wildcards are active only in
 * segments marked `wildcard` (text written in the policy), never in text a
 * policy variable supplied or in the `${*}` `${?}` escapes.
 */
export function compileSegments(segments: readonly Segment[], caseInsensitive: boolean): Matcher {
  if (segments.every((s) => !s.wildcard || (!s.text.includes('*') && !s.text.includes('?')))) {
    // No wildcard anywhere: an exact comparison, even if a variable's value contains `*`.
    const text = segments.map((s) => s.text).join('');
    if (!caseInsensitive) return (value) => value === text;
    const lower = text.toLowerCase();
    return (value) => value.length === lower.length && value.toLowerCase() === lower;
  }
  const source = segments.map((s) => (s.wildcard ? wildcardSource(s.text) : escapeRegex(s.text))).join('');
  const cacheKey = `${caseInsensitive ? 'i' : 's'}${source}`;
  let matcher = segmentMatchers.get(cacheKey);
  if (!matcher) {
    const regex = new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
    matcher = (value) => regex.test(value);
    if (segmentMatchers.size >= MAX_CACHED_MATCHERS) segmentMatchers.clear();
    segmentMatchers.set(cacheKey, matcher);
  }
  return matcher;
}

