/**
 * Durable shard checkpoints: one JSON file per stream and shard, replaced atomically (write a
 * temporary file, fsync, rename), so a poller killed at any instant leaves either the old or the
 * new checkpoint and never a torn one. A restarted poller resumes AFTER_SEQUENCE_NUMBER of it.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const checkpointSchema = z.object({
  streamArn: z.string().min(1),
  shardId: z.string().min(1),
  /** The last consumed sequence number; absent while nothing of the shard has been consumed. */
  sequenceNumber: z.string().regex(/^\d+$/).optional(),
  /** The shard is closed and fully consumed: its children may be read. */
  shardEnded: z.boolean(),
  updatedAt: z.iso.datetime(),
});
export type ShardCheckpoint = z.infer<typeof checkpointSchema>;

export class CheckpointCorruptError extends Error {
  constructor(file: string, options?: ErrorOptions) {
    super(`Stream checkpoint ${file} is not a valid checkpoint; fix or delete it (deleting re-reads the shard from TRIM_HORIZON)`, options);
    this.name = 'CheckpointCorruptError';
  }
}

export class CheckpointStore {
  constructor(private readonly directory: string) {}

  async load(streamArn: string, shardId: string): Promise<ShardCheckpoint | undefined> {
    const file = this.fileOf(streamArn, shardId);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return checkpointSchema.parse(JSON.parse(text));
    } catch (error) {
      // Starting over from TRIM_HORIZON would silently redeliver a day of records: refuse instead.
      throw new CheckpointCorruptError(file, { cause: error });
    }
  }

  async save(checkpoint: Omit<ShardCheckpoint, 'updatedAt'>, now: Date = new Date()): Promise<void> {
    const file = this.fileOf(checkpoint.streamArn, checkpoint.shardId);
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${randomUUID()}.tmp`;
    const content: ShardCheckpoint = { ...checkpoint, updatedAt: now.toISOString() };
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** `<dir>/<stream ARN, URI-encoded>/<shard id>.json`: ARNs hold `:` and `/`, shard ids are safe. */
  fileOf(streamArn: string, shardId: string): string {
    return path.join(this.directory, encodeURIComponent(streamArn), `${encodeURIComponent(shardId)}.json`);
  }
}
