import * as z from 'zod';
const s = z.object({ a: z.string().min(1), b: z.iso.datetime(), c: z.email() });
export const handler = async () => s.parse({});
