/** The emulator's notion of now. */

/** Virtual clock: real time plus an offset that only tests move forward. */
export class VirtualClock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}
