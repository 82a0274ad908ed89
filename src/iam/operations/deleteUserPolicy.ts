import { deleteInlinePolicy } from '../inline.js';

export const deleteUserPolicy = deleteInlinePolicy('user');
