// Shared request field schemas: declared once in @msct/contract, re-exported for the server's own uses.
export { code, id, isoDate, reason, shortText, version } from '@msct/contract';
