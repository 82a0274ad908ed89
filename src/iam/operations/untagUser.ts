import { untagEntity } from '../tagging.js';

export const untagUser = untagEntity('user');
