/** Errors of this package, prefixed `[herald] [store-memory]` so a reader knows where they came from. */
import { errorFactory } from '@herald/core/store';

/** Where this package's messages say they came from. */
export const errorSource = 'store-memory';

/** Builds a `HeraldError` whose message starts `[herald] [store-memory]`. */
export const storeError = errorFactory(errorSource);
