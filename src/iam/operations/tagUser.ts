import { tagEntity } from '../tagging.js';

export const tagUser = tagEntity('user');
