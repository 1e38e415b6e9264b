/** Where this package's messages say they came from: errors read `[herald] [store-memory] …`. */
export const errorSource = 'store-memory';
