/** Errors of this package, prefixed `[herald] [store-file]` so a reader knows where they came from. */
import { errorFactory } from '@herald/core/store';

/** Where this package's messages say they came from. */
export const errorSource = 'store-file';

/** Builds a `HeraldError` whose message starts `[herald] [store-file]`. */
export const storeError = errorFactory(errorSource);
