import { getInlinePolicy } from '../inline.js';

export const getGroupPolicy = getInlinePolicy('group');
