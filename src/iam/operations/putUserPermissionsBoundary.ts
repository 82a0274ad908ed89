import { putPermissionsBoundary } from '../attachments.js';

export const putUserPermissionsBoundary = putPermissionsBoundary('user');
