/**
 * The contract between the transport (SSP) and the objects it synchronizes.
 *
 * The transport is generic: anything that can compute a diff from an older
 * copy of itself, apply such a diff, compare and copy itself can ride on it.
 * The user stream (client → server) and the complete terminal
 * (server → client) both implement this interface.
 *
 * @module
 */

/** An object the State Synchronization Protocol can keep in sync. */
export interface SyncState<T extends SyncState<T>> {
  /**
   * The encoded diff (a serialized UserMessage or HostMessage) that turns
   * `base` into this state. Empty when the two are equal.
   */
  diffFrom(base: T): Uint8Array;
  /** Applies a diff produced by {@linkcode SyncState.diffFrom} to this object, in place. */
  apply(diff: Uint8Array): void;
  /** Removes what `prefix` already holds (user stream); a no-op for the terminal. */
  subtract(prefix: T): void;
  /** Whether both objects hold the same synchronized content. */
  equals(other: T): boolean;
  /** An independent copy. */
  clone(): T;
}
