import { listInlinePolicies } from '../inline.js';

export const listUserPolicies = listInlinePolicies('user');
