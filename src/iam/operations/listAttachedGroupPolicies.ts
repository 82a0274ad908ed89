import { listAttachedPolicies } from '../attachments.js';

export const listAttachedGroupPolicies = listAttachedPolicies('group');
