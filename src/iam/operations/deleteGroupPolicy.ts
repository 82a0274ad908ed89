import { deleteInlinePolicy } from '../inline.js';

export const deleteGroupPolicy = deleteInlinePolicy('group');
