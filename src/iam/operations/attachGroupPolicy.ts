import { attachPolicy } from '../attachments.js';

export const attachGroupPolicy = attachPolicy('group');
