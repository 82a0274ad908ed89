import { deleteInlinePolicy } from '../inline.js';

export const deleteRolePolicy = deleteInlinePolicy('role');
