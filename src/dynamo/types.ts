/** DynamoDB's wire types, as the JSON 1.0 protocol carries them. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] }
  | { NULL: true }
  | { BOOL: boolean };

export type Item = Record<string, AttributeValue>;

export type ScalarAttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  name: string;
  type: ScalarAttributeType;
}

export interface KeySchemaElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}

export interface AttributeDefinition {
  AttributeName: string;
  AttributeType: ScalarAttributeType;
}
