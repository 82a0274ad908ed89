import { putInlinePolicy } from '../inline.js';

export const putRolePolicy = putInlinePolicy('role');
