import { listAttachedPolicies } from '../attachments.js';

export const listAttachedUserPolicies = listAttachedPolicies('user');
