import { detachPolicy } from '../attachments.js';

export const detachGroupPolicy = detachPolicy('group');
