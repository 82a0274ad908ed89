/**
 * Parser fuzz (issue 12): the expression parsers (condition, filter, key condition, projection,
 * update, with their substitutions) and the policy document parser, run directly on arbitrary and
 * grammar-shaped text. Each input either parses or throws the module's own validation error
 * (AwsError 400 for expressions, PolicyDocumentError for policies) — never a TypeError, a
 * RangeError or a stack overflow — and the heap stays bounded over the run.
 *
 * Reproduce a run with COVE_PARSERS_SEED=<seed printed by the run>.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { AwsError } from '../../src/errors.js';
import { applyUpdate, checkKeyCondition, compileExpressions, evaluateCondition, project, type ExpressionInput } from '../../src/dynamo/expressions/index.js';
import type { AttributeValue, Item } from '../../src/dynamo/types.js';
import { compilePolicy, PolicyDocumentError, type PolicyKind } from '../../src/policy/document.js';
import { policyWarnings } from '../../src/policy/lint.js';
import { reportFigures, scaled } from '../support/reliability.js';
import { parseStatement } from '../../src/dynamo/partiql/parser.js';

const SEED = process.env.COVE_PARSERS_SEED ? Number(process.env.COVE_PARSERS_SEED) : Date.now() % 2 ** 31;
const RUNS = scaled(1500, 75_000);
/** Heap growth allowed over a whole property, after a full collection at both ends. */
const MAX_HEAP_GROWTH_BYTES = 64 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function heapUsedBytes(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

// Well-formed tokens (reserved words and malformed tokens come in through `edited` and `anyText`).
const name = fc.constantFrom('a', 'b', 'pk', 'sk', 'prototype', 'toString');
const namePlaceholder = fc.constantFrom('#a', '#b', '#pk', '#sk', '#__proto__', '#constructor', '#list');
const valuePlaceholder = fc.constantFrom(':a', ':b', ':n', ':l', ':s', ':__proto__', ':constructor');

const pathText: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(name, namePlaceholder), fc.array(fc.oneof(fc.nat(20).map((n) => `[${n}]`), fc.oneof(name, namePlaceholder).map((n) => `.${n}`)), { maxLength: 3 }))
  .map(([head, rest]) => head + rest.join(''));

const operandText: fc.Arbitrary<string> = fc.oneof(
  pathText,
  valuePlaceholder,
  pathText.map((p) => `size(${p})`),
  fc.tuple(pathText, valuePlaceholder).map(([p, v]) => `if_not_exists(${p}, ${v})`),
);

const conditionText: fc.Arbitrary<string> = fc.letrec<{ condition: string }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(operandText, fc.constantFrom('=', '<>', '<', '<=', '>', '>='), operandText).map(([l, op, r]) => `${l} ${op} ${r}`),
    pathText.map((p) => `attribute_exists(${p})`),
    pathText.map((p) => `attribute_not_exists(${p})`),
    fc.tuple(fc.constantFrom('attribute_type', 'begins_with', 'contains'), pathText, valuePlaceholder).map(([f, p, v]) => `${f}(${p}, ${v})`),
    fc.tuple(operandText, operandText, operandText).map(([a, b, c]) => `${a} BETWEEN ${b} AND ${c}`),
    fc.tuple(operandText, fc.array(operandText, { maxLength: 5 })).map(([a, list]) => `${a} IN (${list.join(', ')})`),
    fc.tuple(tie('condition'), fc.constantFrom('AND', 'OR', 'and'), tie('condition')).map(([l, op, r]) => `${l} ${op} ${r}`),
    tie('condition').map((c) => `NOT ${c}`),
    tie('condition').map((c) => `(${c})`),
  ),
})).condition;

const updateText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.array(fc.tuple(pathText, fc.oneof(operandText, fc.tuple(operandText, fc.constantFrom('+', '-', '*'), operandText).map(([a, op, b]) => `${a} ${op} ${b}`), fc.tuple(operandText, operandText).map(([a, b]) => `list_append(${a}, ${b})`))).map(([p, v]) => `${p} = ${v}`), { minLength: 1, maxLength: 3 }).map((a) => `SET ${a.join(', ')}`),
      fc.array(pathText, { minLength: 1, maxLength: 3 }).map((a) => `REMOVE ${a.join(', ')}`),
      fc.tuple(pathText, valuePlaceholder).map(([p, v]) => `ADD ${p} ${v}`),
      fc.tuple(pathText, valuePlaceholder).map(([p, v]) => `DELETE ${p} ${v}`),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((sections) => sections.join(' '));

const projectionText = fc.array(pathText, { minLength: 1, maxLength: 5 }).map((paths) => paths.join(', '));

/** Grammar-shaped text with one edit: a token dropped, doubled, or a stray character inserted. */
function edited(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(text, fc.nat(), fc.constantFrom('', '(', ')', ',', '#', ':', '[', ']', '.', ' AND ', ' XOR ', '==', '"', '[-1]', '[99999999999]', 'list', 'size', 'nope(', '\u0000', '\ud800', '😀')).map(([t, at, insert]) => {
    const i = t.length === 0 ? 0 : at % t.length;
    return t.slice(0, i) + insert + t.slice(i);
  });
}

/** Nesting deep enough to hurt a recursive parser, within what a request may carry (4 KB). */
const deepText = fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.constantFrom('(', 'NOT ', 'size(', '#a.', '#a[0]', 'a OR ')).map(([depth, unit]) => {
  const head = unit.repeat(depth);
  return unit === '(' ? `${head}a = :a${')'.repeat(depth)}` : unit === 'size(' ? `${head}a${')'.repeat(depth)} > :n` : `${head}a = :a`;
});

/** Text for one member: mostly its own grammar, the rest edited, deep, or arbitrary. */
function textFor(grammar: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: grammar, weight: 5 },
    { arbitrary: edited(grammar), weight: 2 },
    { arbitrary: deepText, weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 64 }), weight: 1 },
    { arbitrary: fc.string({ unit: fc.constantFrom(...'#:()[].,= <>_aAnN0123456789'.split('')), maxLength: 80 }), weight: 1 },
  );
}

const VALUES: Record<string, AttributeValue> = { ':a': { S: 'x' }, ':b': { S: 'y' }, ':n': { N: '1' }, ':l': { L: [{ S: 'e' }] }, ':s': { SS: ['x'] } };

/** Substitutions for every placeholder the text uses, as a client that means well would send them. */
function substitutions(text: string, drop: number): Pick<ExpressionInput, 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  const names: Record<string, string> = Object.create(null) as Record<string, string>;
  const values: Record<string, AttributeValue> = Object.create(null) as Record<string, AttributeValue>;
  for (const match of text.matchAll(/#[A-Za-z0-9_]*/g)) names[match[0]] = match[0].length > 1 ? match[0].slice(1) : '';
  for (const match of text.matchAll(/:[A-Za-z0-9_]*/g)) values[match[0]] = VALUES[match[0]] ?? { S: match[0] };
  // Sometimes one is missing, so the undefined-placeholder paths run too.
  const nameKeys = Object.keys(names);
  if (drop % 5 === 0 && nameKeys.length > 0) delete names[nameKeys[drop % nameKeys.length]];
  return {
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

const ITEM: Item = JSON.parse('{"a":{"S":"x"},"b":{"L":[{"N":"1"},{"M":{"c":{"S":"d"}}}]},"pk":{"S":"k"},"sk":{"N":"2"},"__proto__":{"M":{"constructor":{"S":"v"}}}}') as Item;

const MEMBERS = ['ConditionExpression', 'FilterExpression', 'KeyConditionExpression', 'ProjectionExpression', 'UpdateExpression'] as const;
const GRAMMARS: Record<(typeof MEMBERS)[number], fc.Arbitrary<string>> = {
  ConditionExpression: conditionText,
  FilterExpression: conditionText,
  KeyConditionExpression: fc.oneof(conditionText, fc.tuple(valuePlaceholder, valuePlaceholder).map(([a, b]) => `#pk = ${a} AND #sk BETWEEN ${a} AND ${b}`)),
  ProjectionExpression: projectionText,
  UpdateExpression: updateText,
};

/** Runs one expression through everything that reads it; returns normally or throws. */
function exercise(member: (typeof MEMBERS)[number], text: string, drop: number): void {
  const compiled = compileExpressions({ [member]: text, ...substitutions(text, drop) });
  if (compiled.condition) evaluateCondition(compiled.condition, ITEM);
  if (compiled.filter) evaluateCondition(compiled.filter, undefined);
  if (compiled.projection) project(compiled.projection, ITEM);
  if (compiled.update) applyUpdate(compiled.update, ITEM);
  if (compiled.keyCondition) checkKeyCondition(compiled.keyCondition, [{ name: 'pk', type: 'S' }], [{ name: 'sk', type: 'N' }]);
}

/** The one acceptable failure: DynamoDB's ValidationException (a 400 in AWS's shape). */
function isValidationFault(error: unknown): boolean {
  return error instanceof AwsError && error.statusCode === 400 && error.code === 'ValidationException' && error.message.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Policy documents
// ---------------------------------------------------------------------------------------------

const KINDS: readonly PolicyKind[] = ['identity', 'permissionsBoundary', 'session', 'vpcEndpoint', 'trust'];

const policyKey = fc.constantFrom('Version', 'Id', 'Statement', 'Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition', ...PROTOTYPE_NAMES);
const policyScalar = fc.oneof(
  fc.constantFrom('2012-10-17', '2008-10-17', 'Allow', 'Deny', '*', 'dynamodb:*', 'dynamodb:Get?tem', 'arn:aws:dynamodb:*:*:table/${aws:username}', '${aws:userid, \'x\'}', '${', 'AWS', 'StringEquals', 'ForAllValues:StringLike', 'aws:SourceVpce', 'IpAddress', '10.0.0.0/8', '::/0', '999.1.1.1/33'),
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);

/** Objects with keys that matter to the parser, nested as policies nest (Statement → Condition → operator → key). */
const policyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    policyScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.oneof(policyKey, fc.string({ maxLength: 8 })), tie('value')), { maxLength: 5 }).map((entries) => {
      const object = Object.create(null) as Record<string, unknown>;
      for (const [key, value] of entries) object[key] = value;
      return object;
    }),
  ),
})).value;

/** A well-formed statement for the kind, with one of its elements sometimes replaced by anything. */
function statementFor(kind: PolicyKind): fc.Arbitrary<Record<string, unknown>> {
  const needsPrincipal = kind === 'vpcEndpoint' || kind === 'trust';
  const conditionBlock = fc.dictionary(
    fc.constantFrom('StringEquals', 'StringLike', 'ForAnyValue:StringLike', 'ForAllValues:StringEquals', 'NumericLessThan', 'Bool', 'Null', 'IpAddress', 'NotIpAddress', 'DateGreaterThan', 'ArnLike', 'StringEqualsIfExists', ...PROTOTYPE_NAMES),
    fc.dictionary(fc.constantFrom('aws:username', 'dynamodb:LeadingKeys', 'aws:SourceIp', 'aws:CurrentTime', 'aws:SourceVpce', 'aws:PrincipalTag/${aws:username}', ...PROTOTYPE_NAMES), fc.oneof(policyScalar, fc.array(policyScalar, { maxLength: 3 })), { maxKeys: 3 }),
    { maxKeys: 3 },
  );
  const wellFormed = fc.record(
    {
      Sid: fc.constantFrom('A', 'B1', 'c'),
      Effect: fc.constantFrom('Allow', 'Deny'),
      Action: fc.constantFrom('*', 'dynamodb:GetItem', ['dynamodb:Get*', 'dynamodb:?utItem'], 'sts:AssumeRole', 'nosuch:Thing'),
      Resource: fc.constantFrom('*', 'arn:aws:dynamodb:us-east-1:123456789012:table/t', ['arn:aws:dynamodb:*:*:table/${aws:username}', 'arn:aws:dynamodb:*:*:table/t/index/*']),
      Principal: fc.constantFrom('*', { AWS: '*' }, { AWS: ['arn:aws:iam::123456789012:root', '123456789012'] }, { Service: 'ec2.amazonaws.com' }),
      Condition: conditionBlock,
    },
    { requiredKeys: needsPrincipal ? ['Effect', 'Action', 'Principal'] : ['Effect', 'Action', 'Resource'] },
  );
  return fc.tuple(wellFormed, fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.tuple(policyKey, policyValue), weight: 1 })).map(([statement, replaced]) => {
    const result: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, statement);
    if (!needsPrincipal) delete result.Principal;
    if (replaced) result[replaced[0]] = replaced[1];
    return result;
  });
}

function policyDocumentFor(kind: PolicyKind): fc.Arbitrary<unknown> {
  const statement = statementFor(kind);
  return fc.oneof(
    { arbitrary: fc.record({ Version: fc.constantFrom('2012-10-17', '2008-10-17'), Statement: fc.oneof(statement, fc.array(statement, { minLength: 1, maxLength: 3 })) }), weight: 6 },
    { arbitrary: policyValue, weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 64 }), weight: 1 },
    { arbitrary: fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('[', '{"Statement":')).map(([depth, unit]) => unit.repeat(depth)), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// PartiQL
// ---------------------------------------------------------------------------------------------

const PARTIQL_TOKENS = ['SELECT', 'INSERT', 'INTO', 'VALUE', 'VALUES', 'UPDATE', 'SET', 'REMOVE', 'DELETE', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IS', 'MISSING', 'NULL', 'TRUE', 'BETWEEN', 'IN', 'EXISTS', 'RETURNING', 'ALL', 'MODIFIED', 'OLD', 'NEW', 'begins_with', 'size', 'contains', '*', '?', '=', '<>', '<', '>=', '+', '-', ',', '.', '(', ')', '[', ']', '{', '}', ':', '<<', '>>', ';', '"t"', '"__proto__"', 'a', 'constructor', "'s'", "''", '1', '2.5e3', '-0'];

const partiqlPath = fc.tuple(fc.constantFrom('a', '"b"', '"__proto__"', 'constructor'), fc.array(fc.constantFrom('.c', '[0]', "['d']", '."e f"'), { maxLength: 3 })).map(([head, rest]) => head + rest.join(''));
const partiqlValue = fc.constantFrom("'s'", '1', '-2.5', 'TRUE', 'NULL', '?', "[1, 'x']", "{'k': 1, 'constructor': 'v'}", "<<'a', 'b'>>", '<<1, 2>>');
const partiqlCondition: fc.Arbitrary<string> = fc.letrec<{ condition: string }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small' },
    fc.tuple(partiqlPath, fc.constantFrom('=', '<>', '<', '>='), partiqlValue).map(([p, op, v]) => `${p} ${op} ${v}`),
    partiqlPath.map((p) => `${p} IS NOT MISSING`),
    fc.tuple(partiqlPath, partiqlValue, partiqlValue).map(([p, l, h]) => `${p} BETWEEN ${l} AND ${h}`),
    fc.tuple(partiqlPath, partiqlValue).map(([p, v]) => `begins_with(${p}, ${v})`),
    fc.tuple(tie('condition'), fc.constantFrom('AND', 'OR'), tie('condition')).map(([l, op, r]) => `(${l}) ${op} ${r}`),
    tie('condition').map((c) => `NOT ${c}`),
  ),
})).condition;
const partiqlStatement = fc.oneof(
  fc.tuple(fc.oneof(fc.constant('*'), fc.array(partiqlPath, { minLength: 1, maxLength: 3 }).map((p) => p.join(', '))), partiqlCondition).map(([p, c]) => `SELECT ${p} FROM "table"."index" WHERE ${c}`),
  fc.tuple(partiqlValue, partiqlValue).map(([a, b]) => `INSERT INTO "table" VALUE {'pk': ${a}, 'x': ${b}}`),
  fc.tuple(partiqlPath, partiqlValue, partiqlCondition).map(([p, v, c]) => `UPDATE "table" SET ${p} = ${v} REMOVE x WHERE pk = 1 AND ${c} RETURNING ALL NEW *`),
  partiqlCondition.map((c) => `DELETE FROM "table" WHERE pk = 1 AND ${c}`),
);

/** Grammar-shaped statements, PartiQL's tokens in any order, and edits of both. */
const partiqlText: fc.Arbitrary<string> = textFor(fc.oneof(partiqlStatement, fc.array(fc.constantFrom(...PARTIQL_TOKENS), { maxLength: 30 }).map((tokens) => tokens.join(' '))));

describe(`parser fuzz (seed ${SEED})`, () => {
  const figures = { requests: 0, expressionsParsed: 0, expressionsRefused: 0, policiesParsed: 0, policiesRefused: 0, statementsParsed: 0, statementsRefused: 0, crashes: 0 };

  it(`PartiQL statements: ${RUNS} statements parse or raise a ValidationException`, () => {
    const before = heapUsedBytes();
    fc.assert(
      fc.property(partiqlText, fc.array(fc.constantFrom<AttributeValue>({ S: 'x' }, { N: '1' }, { NULL: true }), { maxLength: 3 }), (text, parameters) => {
        figures.requests += 1;
        try {
          parseStatement(text, parameters);
          figures.statementsParsed += 1;
        } catch (error) {
          if (!isValidationFault(error)) {
            figures.crashes += 1;
            throw error;
          }
          figures.statementsRefused += 1;
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const growthBytes = heapUsedBytes() - before;
    assert.ok(growthBytes < MAX_HEAP_GROWTH_BYTES, `heap grew ${growthBytes} bytes`);
  });

  it(`expressions: ${RUNS} inputs per member parse or raise a ValidationException`, () => {
    console.log(`# parsers seed ${SEED} (COVE_PARSERS_SEED=${SEED} reproduces it)`);
    const before = heapUsedBytes();
    for (const member of MEMBERS) {
      fc.assert(
        fc.property(textFor(GRAMMARS[member]), fc.nat(), (text, drop) => {
          figures.requests += 1;
          try {
            exercise(member, text, drop);
            figures.expressionsParsed += 1;
          } catch (error) {
            if (!isValidationFault(error)) {
              figures.crashes += 1;
              throw error;
            }
            figures.expressionsRefused += 1;
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
    }
    const growthBytes = heapUsedBytes() - before;
    assert.ok(growthBytes < MAX_HEAP_GROWTH_BYTES, `heap grew ${growthBytes} bytes`);
  });

  it(`policy documents: ${RUNS} documents per kind parse or raise a PolicyDocumentError`, async () => {
    const before = heapUsedBytes();
    const linted: Parameters<typeof policyWarnings>[0][] = [];
    for (const kind of KINDS) {
      fc.assert(
        fc.property(policyDocumentFor(kind), fc.boolean(), (document, asText) => {
          figures.requests += 1;
          try {
            const policy = compilePolicy('fuzz', asText && typeof document !== 'string' ? JSON.stringify(document) ?? 'null' : document, kind);
            figures.policiesParsed += 1;
            if (linted.length < 50) linted.push(policy);
          } catch (error) {
            if (!(error instanceof PolicyDocumentError)) {
              figures.crashes += 1;
              throw error;
            }
            figures.policiesRefused += 1;
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
    }
    // The linter reads what the parser accepted: it must take all of it.
    for (const policy of linted) await policyWarnings(policy);
    const growthBytes = heapUsedBytes() - before;
    assert.ok(growthBytes < MAX_HEAP_GROWTH_BYTES, `heap grew ${growthBytes} bytes`);
    reportFigures('parsers', figures);
  });
});
