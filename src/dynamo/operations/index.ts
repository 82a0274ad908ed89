import type { Operation } from '../operation.js';
import { batchGetItem } from './batchGetItem.js';
import { batchWriteItem } from './batchWriteItem.js';
import { createTable } from './createTable.js';
import { deleteItem } from './deleteItem.js';
import { deleteTable } from './deleteTable.js';
import { describeEndpoints } from './describeEndpoints.js';
import { describeTable } from './describeTable.js';
import { executeStatement } from './executeStatement.js';
import { batchExecuteStatement } from './batchExecuteStatement.js';
import { executeTransaction } from './executeTransaction.js';
import { getItem } from './getItem.js';
import { listTables } from './listTables.js';
import { putItem } from './putItem.js';
import { query } from './query.js';
import { scan } from './scan.js';
import { transactGetItems } from './transactGetItems.js';
import { transactWriteItems } from './transactWriteItems.js';
import { updateItem } from './updateItem.js';
import { describeContinuousBackups } from './describeContinuousBackups.js';
import { describeLimits } from './describeLimits.js';
import { describeTimeToLive } from './describeTimeToLive.js';
import { listTagsOfResource } from './listTagsOfResource.js';
import { tagResource } from './tagResource.js';
import { untagResource } from './untagResource.js';
import { updateContinuousBackups } from './updateContinuousBackups.js';
import { updateTable } from './updateTable.js';
import { updateTimeToLive } from './updateTimeToLive.js';

/** Every DynamoDB operation cove serves, by its X-Amz-Target name. */
export const OPERATIONS: ReadonlyMap<string, Operation<never>> = new Map(
  [createTable, describeTable, listTables, deleteTable, putItem, getItem, deleteItem, updateItem, query, scan, batchGetItem, batchWriteItem, transactWriteItems, transactGetItems, describeEndpoints, updateTable, tagResource, untagResource, listTagsOfResource, updateTimeToLive, describeTimeToLive, updateContinuousBackups, describeContinuousBackups, describeLimits, executeStatement, batchExecuteStatement, executeTransaction].map((op) => [op.name, op as Operation<never>]),
);
