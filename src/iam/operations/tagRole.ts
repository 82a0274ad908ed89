import { tagEntity } from '../tagging.js';

export const tagRole = tagEntity('role');
