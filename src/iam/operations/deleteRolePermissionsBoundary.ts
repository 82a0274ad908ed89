import { deletePermissionsBoundary } from '../attachments.js';

export const deleteRolePermissionsBoundary = deletePermissionsBoundary('role');
