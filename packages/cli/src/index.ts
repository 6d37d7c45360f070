export { bootstrap, dataDirFor } from './bootstrap.js';
