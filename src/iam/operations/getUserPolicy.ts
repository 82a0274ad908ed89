import { getInlinePolicy } from '../inline.js';

export const getUserPolicy = getInlinePolicy('user');
