import * as z from 'zod/mini';
const s = z.object({ a: z.string().check(z.minLength(1)), b: z.iso.datetime(), c: z.email() });
export const handler = async () => s.parse({});
