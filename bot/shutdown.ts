// Graceful stop on SIGTERM (systemctl stop) and SIGINT (Ctrl-C): the first signal runs the shutdown
// steps in order — stop taking updates, finish the updates in hand and the message being sent, close
// the database — and exits; a second signal exits at once, for an operator who will not wait.
import type { LogFn } from "./logger.js";

/** One thing to stop. Example: `{ name: "telegram", run: () => tg.stop() }`. */
export interface ShutdownStep {
  name: string;
  run: () => unknown;
  /** Give up on this step after this long and go on with the next; default the handler's `stepTimeoutMs`. */
  timeoutMs?: number;
}

/** Options of `onShutdown`. Example: `{ log, stepTimeoutMs: 10_000 }`. */
export interface ShutdownOptions {
  log?: LogFn;
  /** Default 10 s; keep the sum of all steps under systemd's TimeoutStopSec (30 s in the shipped unit). */
  stepTimeoutMs?: number;
  /** Default `process.exit`; tests pass a spy. */
  exit?: (code: number) => void;
  /** Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
}

/** The installed handler. Example: `const stopping = onShutdown(steps); … stopping.shutdown("fatal error")`. */
export interface ShutdownHandle {
  /** Runs the steps as a first signal would (e.g. after a fatal error) but does not exit: resolves with the exit code for the caller. */
  shutdown(reason: string): Promise<number>;
  /** Whether a shutdown has begun; a channel may check it before accepting work. */
  readonly stopping: boolean;
  /** Removes the signal handlers (tests). */
  dispose(): void;
}

const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * Installs the signal handlers. `steps` is read when the signal arrives, so steps pushed after
 * start-up (a channel that started later) are included. Each failing or hung step is logged and skipped.
 * Exit code: 0 when every step succeeded, 1 otherwise, 128+signal on a second signal.
 * @example
 * const steps: ShutdownStep[] = [];
 * onShutdown(steps, { log });
 * steps.push({ name: "telegram", run: () => tg.stop() }, { name: "database", run: () => app.close() });
 */
export function onShutdown(steps: readonly ShutdownStep[], options: ShutdownOptions = {}): ShutdownHandle {
  const log = options.log ?? (() => {});
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const stepTimeout = options.stepTimeoutMs ?? 10_000;
  let running: Promise<number> | null = null;

  const runSteps = async (): Promise<number> => {
    let failed = 0;
    for (const step of [...steps]) {
      const ms = step.timeoutMs ?? stepTimeout;
      let timer: NodeJS.Timeout | undefined;
      const started = Date.now();
      try {
        await Promise.race([
          Promise.resolve().then(step.run),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
          }),
        ]);
        log("info", `shutdown: ${step.name} stopped`, { ms: Date.now() - started });
      } catch (e) {
        failed++;
        log("error", `shutdown: ${step.name} failed`, { error: e instanceof Error ? e.message : String(e) });
      } finally {
        clearTimeout(timer);
      }
    }
    return failed === 0 ? 0 : 1;
  };

  const shutdown = (reason: string): Promise<number> => {
    running ??= (async () => {
      log("info", "shutdown: stopping", { reason, steps: steps.map((s) => s.name) });
      const code = await runSteps();
      log(code === 0 ? "info" : "warn", "shutdown: done", { code });
      return code;
    })();
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (running) {
      log("warn", `shutdown: second ${signal}, exiting now without finishing`);
      exit(SIGNAL_CODES[signal] ?? 1);
      return;
    }
    void shutdown(signal).then(exit);
  };
  for (const s of signals) process.on(s, onSignal);

  return {
    shutdown: (reason) => shutdown(reason),
    get stopping() {
      return running !== null;
    },
    dispose: () => {
      for (const s of signals) process.off(s, onSignal);
    },
  };
}
