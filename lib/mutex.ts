// A FIFO lock for code that must not interleave across awaits (a Durable Object's critical sections).

/** A FIFO lock: `run` calls execute one at a time, in arrival order, even across awaits on outbound I/O. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => {});
    return result;
  }
}
