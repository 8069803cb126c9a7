/**
 * zod for the functions: the tree-shakable `zod/mini` API, with the English messages that the
 * classic API loads by default. The classic API's method chains keep all of zod in every bundle
 * (98 KB minified); mini keeps what the schemas use. Import it as `import * as z from '…/zod'`. The messages reach API responses (the 400's
 * field list) and dead-letter diagnostics, so they must not fall back to "Invalid input".
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());

// Re-exported member by member (not as one namespace object), so bundlers keep only what is used.
export * from 'zod/mini';
