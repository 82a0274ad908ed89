/**
 * Where cove deliberately answers otherwise than dynalite in the validation parity corpus
 * (test/support/validationCorpus.ts): case name → why cove's answer is kept. dynalite's texts were
 * recorded from DynamoDB years ago; DynamoDB has since relaxed TableName for table ARNs and is
 * rewording its validation messages region by region (public conformance captures, 2026). A case
 * stays here only with evidence newer or stronger than dynalite's; src/dynamo/README.md
 * ("Validation parity") lists these for readers.
 */

/** Each of `names` with the same reason. */
function each(names: readonly string[], reason: string): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, reason]));
}

const TABLE_OPERATIONS = ['CreateTable', 'DeleteTable', 'DescribeTable', 'UpdateTable', 'DescribeTimeToLive'];
const ITEM_OPERATIONS = ['PutItem', 'GetItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan'];
const BAD_LENGTHS = ['empty', '2 chars', '256 chars', '2 chars outside pattern'];

export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  ...each(
    TABLE_OPERATIONS.flatMap((op) => BAD_LENGTHS.map((label) => `${op} TableName ${label}`)),
    "dynalite's 'TableName must be at least 3 characters long...' predates table ARNs; DynamoDB now lists the constraints (live DescribeTable '' capture, 2026-10; its '' answer, length 3 and pattern, is not cove's either: see README)",
  ),
  ...each(
    ITEM_OPERATIONS.map((op) => `${op} TableName empty`),
    "TableName accepts ARNs (model: length 1..1024): DynamoDB answers '' with 'length greater than or equal to 1' (moto aws_verified test, live Query errors in public issues)",
  ),
  ...each(
    ['PutItem', 'DeleteItem'].flatMap((op) => ['ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW'].map((value) => `${op} ReturnValues ${value}`))
      .concat(['PutItem missing table, ReturnValues ALL_NEW']),
    "DynamoDB answers 'Return values set to invalid value' (moto's AWS-validated delete_item test, public emulators); dynalite's text is older and it does not check DeleteItem",
  ),
  'Scan TotalSegments 1000001': 'the model bounds TotalSegments at 1000000; dynalite predates the bound and accepts it',
  ...each(
    ['PutItem Item empty attribute name', 'PutItem Item nested empty name', 'BatchWriteItem Item empty attribute name', 'GetItem Key empty attribute name', 'DeleteItem Key empty attribute name', 'UpdateItem Key empty attribute name', 'BatchGetItem Key empty attribute name'],
    "DynamoDB refuses an empty attribute name (names are 1 character or more) before it compares a key with the schema; dynalite accepts it in items. The text is DynamoDB Local's ('Empty attribute name', checked as each attribute is read) and the live one in ExpressionAttributeNames ('... Empty attribute name for key #a')",
  ),
  'GetItem ExpressionAttributeNames empty value':
    "DynamoDB checks the names before the expression: 'ExpressionAttributeNames contains invalid value: Empty attribute name for key #a' (applications match on the live text)",
  ...each(
    ['GetItem', 'DeleteItem', 'UpdateItem'].flatMap((op) => [`${op} parity_hash Key empty string`, `${op} parity_range Key range key empty`]).concat([
      'Scan parity_hash ExclusiveStartKey hash key empty string',
      'Query parity_hash ExclusiveStartKey hash key empty string',
    ]),
    "DynamoDB now words an empty key value 'One or more parameter values are not valid. ...' (live captures 2026 for BatchGetItem/BatchWriteItem keys, moto's get_item); dynalite kept the older 'were invalid:' for keys",
  ),
  'PutItem parity_range Item local index key over its limit':
    "dynalite does not check index key sizes; DynamoDB refuses them (documented limit), cove's wording of it is unverified",
  'BatchGetItem RequestItems empty':
    "cove keeps the bespoke 'The requestItems parameter is required for BatchGetItem'; live DynamoDB moved in 2026-08/09 to \"Value at 'RequestItems' ...\" in most regions; dynalite's list form is neither",
  'BatchGetItem Keys empty': "live DynamoDB (captured 2026-10) answers \"Value at 'RequestItems.<table>.member.Keys' ...\" with no value, as for 101 keys; dynalite echoes '[]'",
  'BatchGetItem 101 keys': "live DynamoDB (captured 2026-10) answers \"Value at 'RequestItems.<table>.member.Keys' ...\" with no value; dynalite echoes the list",
  'BatchWriteItem RequestItems empty':
    "DynamoDB's bespoke 'The requestItems parameter is required for BatchWriteItem' (live conformance suite; eu-west-2 moved to the framework wording on 2026-09-06); dynalite's list form is older",
  ...each(
    ['BatchWriteItem request list empty', 'BatchWriteItem 26 requests', 'CreateTable KeySchema of 3'],
    "DynamoDB echoes these collections as Java's toString ({table=[WriteRequest(...)]}, [KeySchemaElement(...)]: live captures 2026); dynalite echoes JSON",
  ),
  'BatchWriteItem table name outside pattern':
    "unverified either way: BatchWriteItem's captured echoes are Java's toString, BatchGetItem's map-key echo is JSON; cove keeps toString for BatchWriteItem",
  'UpdateTable nothing to update': "DynamoDB's list has grown: 'At least one of ..., DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required' (live capture 2026-10)",
  ...each(
    ['Query KeyConditionExpression syntax error', 'GetItem ProjectionExpression syntax error', 'UpdateItem UpdateExpression syntax error',
      'PutItem ConditionExpression syntax error', 'Scan FilterExpression not a condition'],
    "dynalite's syntax errors are its PEG parser's ('Expected ... but ... found'); DynamoDB's name the token and where: 'Syntax error; token: \"<EOF>\", near: \"SET\"'",
  ),
  'UpdateItem UpdateExpression nested key path':
    "unverified either way: dynalite's code checks 'Cannot update attribute pk' before nested key paths, but records no test of it; cove checks the nested path first",
  'CreateTable existing table': "DynamoDB names the table: 'Table already exists: parity_hash'; dynalite answers an empty message",
  'CreateTable global index of nine keys':
    "multi-attribute GSI keys (2025) take up to four HASH and four RANGE attributes: cove bounds the GSI KeySchema at 8; dynalite predates them (bound 2)",
  'CreateTable duplicate attribute definitions':
    "DynamoDB's 'Attribute Name is duplicated: pk' (quoted from the live service by ScyllaDB's Alternator maintainers, createTable.ts); dynalite does not check it",
  'UpdateTable index Update without throughput':
    "unverified either way: the model no longer requires an index Update's ProvisionedThroughput (OnDemandThroughput, WarmThroughput), which dynalite's recording predates",
  'UpdateItem AttributeUpdates Action bad': "the model's enum [ADD, DELETE, PUT] is checked as every enum is; dynalite does not check this one",
  'TagResource ResourceArn malformed':
    "dynalite answers as IAM would for a caller without the permission; this caller may do dynamodb:* on *, so DynamoDB's own ARN check answers (tags.ts)",
  'UntagResource ResourceArn of another region':
    "a table ARN of another region names no table here: 'Invalid TableArn: ...' (src/dynamo/tags.ts); dynalite's implementation ignores the ARN's region and accepts it",
  ...each(
    ['TagResource ResourceArn not a table', 'ListTagsOfResource ResourceArn not a table'],
    "cove answers a non-table ARN with DynamoDB's newer text naming streams ('only table or stream is accepted', src/dynamo/tags.ts); dynalite predates stream ARNs",
  ),
};

/**
 * Invalid requests that cove still accepts, as dynalite does (none now: an empty attribute name,
 * the last of them, is refused; see KNOWN_DIFFERENCES).
 */
export const ACCEPTED_UNVERIFIED: Readonly<Record<string, string>> = {};
