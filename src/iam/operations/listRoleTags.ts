import { listTags } from '../tagging.js';

export const listRoleTags = listTags('role');
