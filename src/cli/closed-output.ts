/**
 * A closed stdout or stderr, handled once for every command: `fleetsim schema
 * | head -c 600`, `fleetsim validate … | head -1`, `fleetsim run … 2>&1 |
 * head -2`. Node reports a write to a closed pipe as an 'error' event on the
 * stream, which unhandled ends the process with a stack trace and exit 1,
 * the code of a failed threshold. Here the stream is silenced (later writes,
 * the interrupted message among them, go nowhere instead of failing again)
 * and the process ends as a closed pipe ends any Unix program, through
 * stopForClosedOutput: a run stops as on a signal, exit 141.
 */
export function stopOnClosedOutput(
  streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr],
  stop: () => void = stopThroughKit,
): void {
  let stopping = false;
  for (const stream of streams) {
    // Once: the stream is silenced below, so it cannot fail again; 'error' events after that are absorbed.
    stream.on('error', (err: NodeJS.ErrnoException) => {
      // A closed pipe, or a stream destroyed with it; any other failure is not this handler's to hide.
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      silence(stream);
      if (stopping) return;
      stopping = true;
      stop();
    });
  }
}

/** Writes to a closed stream succeed and go nowhere, their callbacks called as after a write. */
function silence(stream: NodeJS.WriteStream): void {
  stream.write = ((_chunk: unknown, encodingOrDone?: unknown, done?: unknown): boolean => {
    const callback = typeof encodingOrDone === 'function' ? encodingOrDone : done;
    if (typeof callback === 'function') process.nextTick(callback as () => void);
    return true;
  }) as NodeJS.WriteStream['write'];
}

/**
 * kit.ts's stopForClosedOutput, imported only when an output closes: main.ts installs this for every command, and
 * `fleetsim agent` and `--help` must not load kit's imports (the scenario loader, zod, yaml, piscina) to start.
 * A command that registered a clean stop has loaded kit already, so the import resolves at once.
 */
function stopThroughKit(): void {
  void import('./kit.js').then((kit) => kit.stopForClosedOutput());
}
