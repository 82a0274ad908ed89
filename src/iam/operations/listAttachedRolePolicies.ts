import { listAttachedPolicies } from '../attachments.js';

export const listAttachedRolePolicies = listAttachedPolicies('role');
