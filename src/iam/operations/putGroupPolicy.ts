import { putInlinePolicy } from '../inline.js';

export const putGroupPolicy = putInlinePolicy('group');
