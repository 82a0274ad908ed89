import { attachPolicy } from '../attachments.js';

export const attachUserPolicy = attachPolicy('user');
