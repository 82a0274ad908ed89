import { deletePermissionsBoundary } from '../attachments.js';

export const deleteUserPermissionsBoundary = deletePermissionsBoundary('user');
