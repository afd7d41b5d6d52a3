/**
 * Round-trip time estimation from echoed timestamps (RFC 6298 style, as
 * mosh does it), and the pacing derived from it.
 *
 * @module
 */
import { MAX_RTO, MIN_RTO, SEND_INTERVAL_MAX, SEND_INTERVAL_MIN } from "./constants.ts";

/**
 * Smoothed RTT, RTT variance, retransmission timeout and send interval.
 *
 * @example
 * ```ts
 * import { RttEstimator } from "./rtt_estimator.ts";
 * const rtt = new RttEstimator();
 * rtt.addSample(100);
 * rtt.srtt; // 100
 * rtt.sendInterval; // 50
 * ```
 */
export class RttEstimator {
  #srtt = 1000;
  #rttvar = 500;
  #sampled = false;

  /** Smoothed round-trip time (ms); 1000 before any sample. */
  get srtt(): number {
    return this.#srtt;
  }

  /** Round-trip variance (ms); 500 before any sample. */
  get rttvar(): number {
    return this.#rttvar;
  }

  /** Whether at least one sample was taken. */
  get sampled(): boolean {
    return this.#sampled;
  }

  /** Retransmission timeout, clamped to [50, 1000] ms. */
  get rto(): number {
    return Math.min(MAX_RTO, Math.max(MIN_RTO, Math.ceil(this.#srtt + 4 * this.#rttvar)));
  }

  /** Frame spacing: half the SRTT, clamped to [20, 250] ms. */
  get sendInterval(): number {
    return Math.min(SEND_INTERVAL_MAX, Math.max(SEND_INTERVAL_MIN, Math.ceil(this.#srtt / 2)));
  }

  /** Folds in one RTT sample (ms). */
  addSample(r: number): void {
    if (!this.#sampled) {
      this.#srtt = r;
      this.#rttvar = r / 2;
      this.#sampled = true;
      return;
    }
    this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - r);
    this.#srtt = 0.875 * this.#srtt + 0.125 * r;
  }
}
