import { putInlinePolicy } from '../inline.js';

export const putUserPolicy = putInlinePolicy('user');
