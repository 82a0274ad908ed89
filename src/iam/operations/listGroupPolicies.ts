import { listInlinePolicies } from '../inline.js';

export const listGroupPolicies = listInlinePolicies('group');
