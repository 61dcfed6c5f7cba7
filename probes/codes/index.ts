/** Sign-in error codes: the catalog (catalog.ts) and the finder for chat text (find.ts). */
export {
  allCodes,
  type Certainty,
  type CodeCategory,
  type CodeEntry,
  loadCatalog,
  lookupCode,
  lookupDecimal,
  normaliseCode,
} from './catalog.ts';
export { type FoundCode, findErrorCodes } from './find.ts';
