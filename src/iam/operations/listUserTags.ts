import { listTags } from '../tagging.js';

export const listUserTags = listTags('user');
