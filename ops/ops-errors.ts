/**
 * The operator CLI's named errors. `runCli` maps them to an exit code and one line on stderr in
 * one place; anything else is a bug and is printed with its stack.
 */
export abstract class OpsError extends Error {
  /** The process exit code: 2 for a command line the CLI cannot act on, 1 for everything else. */
  abstract readonly exitCode: number;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line is wrong (unknown command, missing argument, bad option value). */
export class UsageError extends OpsError {
  readonly exitCode = 2;
}

/** The target's resources cannot be found or reached (local stack not running, bad outputs file). */
export class TargetUnavailableError extends OpsError {
  readonly exitCode = 1;
}

/** A queue argument that names none of the target's queues. */
export class QueueNotFoundError extends OpsError {
  readonly exitCode = 2;
  constructor(name: string, known: readonly string[]) {
    super(`No queue called "${name}"; known: ${known.join(', ')}`);
  }
}

/**
 * A peek would count as a receive on a queue with a redrive policy, and enough receives move a
 * message to the DLQ: peeking is only allowed on queues without one (DLQs, the on-failure queue).
 */
export class PeekRefusedError extends OpsError {
  readonly exitCode = 1;
  constructor(queueUrl: string) {
    super(`Refusing to peek ${queueUrl}: it has a redrive policy, so a receive counts toward maxReceiveCount`);
  }
}

/** A destructive command without `--yes` where nobody can be asked (no TTY), or the operator said no. */
export class ConfirmationRequiredError extends OpsError {
  readonly exitCode = 1;
}

/**
 * A receive → send → delete redrive stopped part-way. Messages already sent but not yet deleted
 * are still in the DLQ (invisible until their visibility timeout ends): a second redrive delivers
 * them again, which the idempotent consumers absorb. Nothing is lost.
 */
export class RedriveInterruptedError extends OpsError {
  readonly exitCode = 1;
  constructor(
    readonly moved: number,
    readonly sentNotDeleted: number,
    options?: ErrorOptions,
  ) {
    super(
      `Redrive stopped after moving ${moved} message(s); ${sentNotDeleted} were sent to the source queue but not ` +
        'deleted from the DLQ and will be delivered again by the next redrive (consumers are idempotent)',
      options,
    );
  }
}
