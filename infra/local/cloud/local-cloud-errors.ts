/** Failures of the local cloud (emulators and their resources), each saying what to do about it. */
export abstract class LocalCloudError extends Error {
  protected constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Another process already listens on a port an emulator needs. */
export class PortInUseError extends LocalCloudError {
  constructor(
    readonly emulator: string,
    readonly port: number,
  ) {
    super(
      `${emulator} cannot start: port ${port} is already in use. Another local stack may still be running ` +
        `(\`ss -ltnp 'sport = :${port}'\` shows its process); stop it or choose another port.`,
    );
  }
}

/** DynamoDB Local is a Java program and no `java` could be started. */
export class JavaNotFoundError extends LocalCloudError {
  constructor(command: string, options?: ErrorOptions) {
    super(
      `DynamoDB Local needs Java 17 or later, but \`${command}\` could not be started. ` +
        'Install a JDK (e.g. `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME.',
      options,
    );
  }
}

/** The Node.js running this script is too old for fauxqs and no newer one was found. */
export class UnsupportedNodeError extends LocalCloudError {
  constructor(found: string) {
    super(
      `fauxqs needs Node.js >= 22.5 but this is ${found} and node_modules/.bin/node was not found. ` +
        'Run through `npx` or an npm script, which use the project-local Node 24.',
    );
  }
}

/** An emulator process ended before it answered, or while it was expected to run. */
export class EmulatorExitedError extends LocalCloudError {
  constructor(
    readonly emulator: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    output: string,
  ) {
    super(
      `${emulator} exited (code ${exitCode ?? '-'}, signal ${signal ?? '-'})` +
        (output === '' ? '' : `; its last output:\n${output}`),
    );
  }
}

/** An emulator did not answer a real API call before the deadline. */
export class EmulatorNotReadyError extends LocalCloudError {
  constructor(emulator: string, endpoint: string, timeoutMs: number, options?: ErrorOptions) {
    super(`${emulator} at ${endpoint} did not answer within ${timeoutMs} ms. Is the local cloud running?`, options);
  }
}

/** A resource the local stack relies on does not exist: the cloud was not provisioned. */
export class LocalResourceMissingError extends LocalCloudError {
  constructor(kind: string, name: string, options?: ErrorOptions) {
    super(`The local ${kind} ${name} does not exist; start the cloud with \`npm run start:cloud\` first.`, options);
  }
}

/** An existing resource cannot be converged to the settings (e.g. a table with another key). */
export class LocalResourceConflictError extends LocalCloudError {
  constructor(kind: string, name: string, detail: string) {
    super(`The local ${kind} ${name} does not match the settings (${detail}); restart with \`--fresh\`.`);
  }
}

/** A directory to wipe does not look like a local data directory. */
export class UnsafeDataDirError extends LocalCloudError {
  constructor(dataDir: string, reason: string) {
    super(`Refusing to delete ${dataDir}: ${reason}`);
  }
}
