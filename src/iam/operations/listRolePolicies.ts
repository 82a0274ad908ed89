import { listInlinePolicies } from '../inline.js';

export const listRolePolicies = listInlinePolicies('role');
