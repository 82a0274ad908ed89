import { untagEntity } from '../tagging.js';

export const untagRole = untagEntity('role');
