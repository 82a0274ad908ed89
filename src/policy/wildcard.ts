/**
 * IAM wildcard patterns: `*` matches any run of characters (including none),
 * `?` exactly one. Compiled once per pattern into a predicate.
 */
export type Matcher = (value: string) => boolean;

const REGEX_SPECIALS = /[.+^${}()|[\]\\]/g;

export function compileWildcard(pattern: string, caseInsensitive: boolean): Matcher {
  if (pattern === '*') return () => true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    if (!caseInsensitive) return (value) => value === pattern;
    const lower = pattern.toLowerCase();
    return (value) => value.length === lower.length && value.toLowerCase() === lower;
  }
  const source = pattern.replace(REGEX_SPECIALS, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
  return (value) => regex.test(value);
}
