import { attachPolicy } from '../attachments.js';

export const attachRolePolicy = attachPolicy('role');
