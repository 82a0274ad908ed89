import { putPermissionsBoundary } from '../attachments.js';

export const putRolePermissionsBoundary = putPermissionsBoundary('role');
