/**
 * The extensions beyond mosh 1.4.0, negotiated in one place.
 *
 * Our client announces the features it supports once, as the first unit of
 * the user stream (a `ClientBuffers.Instruction` carrying field 1700,
 * `Capabilities`; mosh-server 1.4.0 skips an instruction with neither a
 * keystroke nor a resize). Our server latches what it saw and uses a feature
 * only if the client announced it; with nothing announced (a stock
 * mosh-client) every diff is exactly mosh 1.4.0's.
 *
 * @module
 */

/** Feature bits of `ClientBuffers.Capabilities.features`. */
export const Feature = {
  /** The server may send `HostBuffers.Scrollback` (lines that left the screen). */
  Scrollback: 1,
  /** Display diffs may carry OSC 8 hyperlinks. */
  Hyperlinks: 2,
  /** Display diffs may carry the working directory a program reported (OSC 7). */
  WorkingDirectory: 4,
  /** Display diffs may carry desktop notifications (OSC 9, OSC 777). */
  Notifications: 8,
  /**
   * With Scrollback: the rows a shrinking window drops from the top of the
   * server's main screen are recorded as history lines, numbered as if they
   * had scrolled off (the client's terminal pushed them into its own history
   * as it shrank, and the client counts them there, whether they left the
   * server's screen before or at the resize). The server says it does in
   * each scrollback instruction; before this, they went unrecorded, and a
   * resize racing output lost and repeated lines.
   */
  ShrinkLines: 16,
} as const;

/** The bits this implementation understands (others are ignored when received). */
export const KNOWN_FEATURES: number = Feature.Scrollback | Feature.Hyperlinks |
  Feature.WorkingDirectory | Feature.Notifications | Feature.ShrinkLines;

/**
 * What a peer announced: a set of {@linkcode Feature} bits.
 *
 * @example
 * ```ts
 * import { Feature, PeerFeatures } from "./capabilities.ts";
 * const peer = new PeerFeatures();
 * peer.has(Feature.Scrollback); // false: a stock mosh-client announces nothing
 * peer.announce(Feature.Scrollback | Feature.Hyperlinks);
 * peer.has(Feature.Hyperlinks); // true
 * ```
 */
export class PeerFeatures {
  #bits = 0;

  /** Records an announcement (bits accumulate; unknown bits are dropped). */
  announce(bits: number): void {
    this.#bits |= bits & KNOWN_FEATURES;
  }

  /** Whether the peer announced `feature`. */
  has(feature: number): boolean {
    return (this.#bits & feature) !== 0;
  }

  /** All announced bits. */
  get bits(): number {
    return this.#bits;
  }
}
