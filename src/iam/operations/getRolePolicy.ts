import { getInlinePolicy } from '../inline.js';

export const getRolePolicy = getInlinePolicy('role');
